"""The Russian layout is active: no action may be reachable only by a Latin letter.

Walks every Textual class defined in tui_app (screens, modals, widgets, the app itself,
whoever wrote them) and every binding in their MRO. A binding on a letter is allowed only
when the same action is also bound to a Cyrillic letter (its ЙЦУКЕН twin)."""
from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from textual.binding import Binding
from textual.dom import DOMNode

import tui_app
from tui_app.screens.registry import MENU

LATIN = set("abcdefghijklmnopqrstuvwxyz")
CYRILLIC = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")


def _modules():
    for info in pkgutil.walk_packages(tui_app.__path__, prefix="tui_app."):
        if info.name.startswith(("tui_app.commands", "tui_app.store")):
            continue
        try:
            yield importlib.import_module(info.name)
        except Exception as e:  # noqa: BLE001 - an unimportable module is its own failure
            pytest.fail(f"{info.name}: не импортируется: {e}")


def textual_classes() -> list[type]:
    seen = {}
    for mod in _modules():
        for _, obj in inspect.getmembers(mod, inspect.isclass):
            if issubclass(obj, DOMNode) and obj.__module__.startswith("tui_app"):
                seen[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return list(seen.values())


def bindings_of(cls: type) -> list[tuple[str, str]]:
    """(key, action) of every binding the class has, own and inherited."""
    out = []
    for klass in cls.__mro__:
        for b in klass.__dict__.get("BINDINGS", []) or []:
            if isinstance(b, Binding):
                keys, action = b.key, b.action
            else:
                keys, action = b[0], b[1]
            for key in keys.split(","):
                out.append((key.strip(), action))
    return out


def _letter(key: str) -> str:
    base = key.split("+")[-1]
    mods = key.split("+")[:-1]
    if len(base) == 1 and not (set(mods) & {"ctrl", "alt", "super", "meta"}):
        return base.lower()
    return ""


def test_the_walk_sees_the_screens():
    names = {c.__name__ for c in textual_classes()}
    assert {"ShtabApp", "MainScreen", "RosterScreen", "RoomsScreen", "StaffScreen",
            "RosterTable", "ParticipantModal", "Confirm"} <= names


def test_no_action_reachable_only_by_a_latin_letter():
    problems = []
    for cls in textual_classes():
        pairs = bindings_of(cls)
        for key, action in pairs:
            ch = _letter(key)
            if ch in LATIN:
                twins = [k for k, a in pairs if a == action and _letter(k) in CYRILLIC]
                if not twins:
                    problems.append(f"{cls.__module__}.{cls.__name__}: «{key}» → {action}")
    assert not problems, "Только латинская буква:\n" + "\n".join(problems)


def test_the_checker_catches_a_latin_only_binding():
    class Bad(DOMNode):
        BINDINGS = [Binding("d", "delete_row", "Удалить"), Binding("ctrl+d", "x", "x"),
                    Binding("n,т", "new", "Новый")]

    pairs = bindings_of(Bad)
    latin_only = [k for k, a in pairs if _letter(k) in LATIN
                  and not any(a2 == a and _letter(k2) in CYRILLIC for k2, a2 in pairs)]
    assert latin_only == ["d"]


def test_menu_keys_are_function_keys():
    keys = [e.key for e in MENU if e.key]
    assert all(k.startswith("f") and k[1:].isdigit() for k in keys)
    assert len(keys) == len(set(keys))
    assert {"f2", "f3"} <= set(keys)
