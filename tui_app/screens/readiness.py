"""«Проверка готовности» (issue 20): the readiness check of this PC the day before — every
check with its result as a list one reads top to bottom, F5 saves the «протокол технической
готовности» (PDF), F4 prints it, F3 checks again."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from ..errors import ShtabError, user_message
from ..services import readiness as rd
from .base import BaseScreen
from .printing import PRINT_BINDINGS, PrintMixin

STYLE = {rd.OK: "green", rd.FAIL: "bold red", rd.WARN: "yellow"}


class ReadinessScreen(PrintMixin, BaseScreen):
    HELP_TITLE = "Проверка готовности"
    HELP = """\
**Проверка готовности** — накануне собеседования на компьютере штаба и на каждом
компьютере аудитории: хватит ли места на диске на день записи каждой аудитории, сделана ли
в каждой аудитории проверочная запись (F7) с выводом «хорошо», виден ли микрофон, готов ли
принтер, на месте ли шрифты бланков, верны ли дата и часовой пояс (неверные часы ставят
неверное время в ИС-02 и в именах аудиофайлов), цела ли база и есть ли свежая резервная
копия, записывается ли флешка, какая версия программы.

- **F3** — проверить заново (после исправления)
- **F5** — сохранить «Протокол технической готовности» (PDF в папке forms/)
- **F4** — напечатать протокол (спросит число копий)

То же из командной строки: `is-shtab readiness --stick ПАПКА_ФЛЕШКИ --print`.
"""
    BINDINGS = BaseScreen.BINDINGS + [
        Binding("f3", "recheck", "Проверить заново", id="recheck"),
        Binding("f5", "save_pdf", "Протокол PDF", id="save-pdf"),
        *PRINT_BINDINGS,
    ]

    def __init__(self, stick: Optional[Path | str] = None) -> None:
        super().__init__()
        self.stick = stick
        self.result: Optional[rd.Readiness] = None
        self.pdf: Optional[Path] = None
        self.busy = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Проверка…", id="ready-info")
        yield OptionList(id="ready-list")
        yield Static("", id="ready-status")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Проверка технической готовности"
        self.query_one(OptionList).focus()
        self.action_recheck()

    # -- checking ---------------------------------------------------------------------
    def action_recheck(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.query_one("#ready-info", Static).update("Проверка… (микрофон, принтер, флешка)")
        self._check()

    @work(thread=True, exclusive=True, group="readiness", exit_on_error=False)
    def _check(self) -> None:
        try:
            r = rd.run_checks(self.app.store, stick=self.stick)
        except (ShtabError, OSError) as e:
            self.app.call_from_thread(self._failed, user_message(e))
            return
        self.app.call_from_thread(self._show, r)

    def _failed(self, text: str) -> None:
        self.busy = False
        self.query_one("#ready-info", Static).update(f"[red]Проверка не выполнена: {text}[/red]")

    def _show(self, r: rd.Readiness) -> None:
        self.busy = False
        self.result = r
        self.pdf = None
        ol = self.query_one(OptionList)
        keep = ol.highlighted or 0
        ol.clear_options()
        for i, c in enumerate(r.checks, 1):
            line = Text(f"{i:>2}. ")
            line.append(f"[{c.label}]", style=STYLE[c.state])
            line.append(f" {c.group}" + (f": {c.what}" if c.what else ""), style="bold")
            line.append(f" — {c.detail}")
            ol.add_option(Option(line, id=str(i - 1)))
        ol.highlighted = min(keep, len(r.checks) - 1) if r.checks else None
        color = "green" if r.ready else "red"
        self.query_one("#ready-info", Static).update(
            f"[b {color}]{r.summary}[/b {color}]\n"
            + ("" if r.ready else "Исправьте и проверьте заново (F3) · ") + "F5 — протокол PDF · F4 — печать")
        rd.remember(self.app.store, r)

    # -- the protocol ------------------------------------------------------------------
    def action_save_pdf(self) -> Optional[Path]:
        if self.result is None:
            self._status("Подождите: проверка ещё идёт.", False)
            return None
        try:
            self.pdf = rd.save_pdf(self.app.store, self.result)
            rd.remember(self.app.store, self.result, self.pdf)
        except (ShtabError, OSError) as e:
            self.app.bell()
            self._status(f"Протокол не сохранён: {user_message(e)}", False)
            return None
        self._status(f"PDF сохранён: {self.pdf}", True)
        return self.pdf

    def printable(self) -> list[Path]:
        if self.pdf is None or not self.pdf.exists():
            self.action_save_pdf()
        return [self.pdf] if self.pdf is not None and self.pdf.exists() else []

    def print_said(self, text: str, ok: bool) -> None:
        self._status(text, ok)

    def _status(self, text: str, ok: bool) -> None:
        from rich.markup import escape

        self.query_one("#ready-status", Static).update(escape(text) if ok else f"[red]{escape(text)}[/red]")
