"""F1: the keys of the current screen as they are bound now (the user's keymap included),
each with what it does, beside the screen's own help text and the keys that work everywhere.

The list is made from the screen's live bindings, so it never disagrees with the keys: a key
moved in the keymap file shows under its new name. In the prose, «[[ID]]» stands for the key of
the binding with that id (e.g. «[[history]]» → «F2»).
"""
from __future__ import annotations

import re

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Markdown, Static

_TOKEN = re.compile(r"\[\[([\w.-]+)\]\]")


def live_keys(screen: Screen) -> list[tuple[str, str, str]]:
    """(keys, what, more) for every binding with a description that works on `screen` now,
    one row per action; keys joined with « / »."""
    app = screen.app
    rows: dict[tuple, list[str]] = {}
    info: dict[tuple, tuple[str, str]] = {}
    for key, active in screen.active_bindings.items():
        b = active.binding
        if not b.id or not b.description or b.system:
            continue  # Textual's own keys (arrows, Tab …) are described in the prose
        ident = (b.id or b.action, b.description)
        shown = app.get_key_display(b)
        keys = rows.setdefault(ident, [])
        if shown not in keys:
            keys.append(shown)
        info[ident] = (b.description, b.tooltip or "")
    return [(" / ".join(keys), *info[ident]) for ident, keys in rows.items()]


def key_of(screen: Screen, binding_id: str) -> str:
    """The key (as displayed) now bound to `binding_id` on `screen`, or the id itself."""
    found = [screen.app.get_key_display(a.binding) for a in screen.active_bindings.values()
             if a.binding.id == binding_id]
    return " / ".join(dict.fromkeys(found)) or binding_id


def help_markdown(screen: Screen) -> str:
    from .base import GLOBAL_HELP

    prose = _TOKEN.sub(lambda m: key_of(screen, m.group(1)), getattr(screen, "HELP", "") or "")
    lines = ["**Клавиши этого экрана** (как они назначены сейчас)", ""]
    for keys, what, more in live_keys(screen):
        lines.append(f"- **{keys}** — {what}" + (f": {more}" if more else ""))
    parts = [prose.strip()] if prose.strip() else []
    parts += ["\n".join(lines), GLOBAL_HELP]
    return "\n\n".join(parts)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,f1", "dismiss", "Закрыть", id="help-close"),
        Binding("enter", "dismiss", "Закрыть", show=False),
    ]

    def __init__(self, title: str, text: str) -> None:
        super().__init__()
        self._title = title
        self._text = text

    @classmethod
    def for_screen(cls, screen: Screen) -> "HelpScreen":
        title = getattr(screen, "HELP_TITLE", "") or "ИС-Штаб"
        return cls(str(title), help_markdown(screen))

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(f"Справка — {self._title}", id="help-title", markup=False)
            yield Markdown(self._text)
            yield Static("Esc или F1 — закрыть · стрелки, PgUp/PgDn — прокрутка", id="help-hint")

    def on_mount(self) -> None:
        self.query_one("#help-box").focus()

    def action_dismiss(self) -> None:  # type: ignore[override]
        self.dismiss(None)
