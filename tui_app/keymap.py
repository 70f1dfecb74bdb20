"""The user's keymap: another key for any action, for terminals that take F1 or F10 for
themselves (GNOME Terminal, MATE, Tilix) or a keyboard without some key.

A plain text file, one line per action — the binding's id, «=», the keys (several: by comma):

    # ИС-Штаб: свои клавиши. «идентификатор = клавиши»; список: is-shtab keys --list
    quit = f12
    help = f11,ctrl+h

It lives in the user's settings folder (`keymap_path()`; IS_SHTAB_KEYMAP names another file)
and is read when the program starts. Every binding of every screen has an id; the same action
has the same id on every screen («add», «delete», «move», «absent», «pick» …), so one line
moves it everywhere. `is-shtab keys` shows what the terminal sends for a key.
"""
from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

ENV_VAR = "IS_SHTAB_KEYMAP"
FILE_NAME = "keymap.txt"
_KEY = re.compile(r"^[a-z0-9_+]+$")


def keymap_path() -> Path:
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_dir

    return Path(user_config_dir("is-shtab", appauthor=False)) / FILE_NAME


@dataclass(frozen=True)
class KeymapFile:
    path: Path
    keymap: dict[str, str]
    problems: list[str]


def read_keymap(path: Optional[Path] = None) -> KeymapFile:
    """The keymap of the file (none if there is no file) and the lines it could not read."""
    path = path or keymap_path()
    keymap: dict[str, str] = {}
    problems: list[str] = []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return KeymapFile(path, {}, [])
    except (OSError, UnicodeError) as e:
        return KeymapFile(path, {}, [f"файл клавиш {path} не прочитан: {e}"])
    known: Optional[set[str]] = None  # importing every screen is paid only with a keymap
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        ident, sep, keys = (x.strip() for x in line.partition("="))
        keys = ",".join(k.strip().lower() for k in keys.split(",") if k.strip())
        if not sep or not ident or not keys or not all(_KEY.match(k) for k in keys.split(",")):
            problems.append(f"строка {n} «{raw.strip()}»: нужно «идентификатор = клавиши»")
        elif ident not in (known := known if known is not None else binding_ids()):
            problems.append(f"строка {n}: нет действия «{ident}» (список: is-shtab keys --list)")
        else:
            keymap[ident] = keys
    return KeymapFile(path, keymap, problems)


@dataclass(frozen=True)
class BindingInfo:
    id: str
    keys: tuple[str, ...]
    description: str
    where: tuple[str, ...]  # class names


def all_bindings() -> list[BindingInfo]:
    """Every binding with an id in the program's screens, dialogs and widgets, by id."""
    from textual.binding import Binding
    from textual.dom import DOMNode

    import tui_app

    found: dict[str, dict] = {}
    for pkg in ("tui_app.screens", "tui_app.widgets"):
        module = importlib.import_module(pkg)
        names = [f"{pkg}.{m.name}" for m in pkgutil.iter_modules(module.__path__)]
        for name in names + ["tui_app.app"]:
            mod = importlib.import_module(name)
            for _, cls in inspect.getmembers(mod, inspect.isclass):
                if not (issubclass(cls, DOMNode) and cls.__module__.startswith(tui_app.__name__)):
                    continue
                for b in cls.__dict__.get("BINDINGS", []) or []:
                    if not isinstance(b, Binding) or not b.id:
                        continue
                    info = found.setdefault(b.id, {"keys": [], "desc": b.description, "where": []})
                    for k in b.key.split(","):
                        if k.strip() not in info["keys"]:
                            info["keys"].append(k.strip())
                    if cls.__name__ not in info["where"]:
                        info["where"].append(cls.__name__)
                    info["desc"] = info["desc"] or b.description
    return [BindingInfo(i, tuple(v["keys"]), v["desc"], tuple(v["where"]))
            for i, v in sorted(found.items())]


def binding_ids() -> set[str]:
    return {b.id for b in all_bindings()}
