"""«Акты ИС-08 / ИС-09»: draw up an act for a participant (reason, time, who signs), which
sets the participant's mark in the protocol (and so on ИС-02 / ИС-03 / ИС-04), and print it."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, Input, Label, ProgressBar, RadioButton, RadioSet, Static

from ..domain.models import ActKind
from ..errors import ShtabError, user_message
from ..forms.context import FormError
from ..services.acts import ActRejected, acts_of, create_act, default_signers, delete_act
from ..services.forms import build_form, find_participant
from .base import BaseScreen
from .printing import PRINT_BINDINGS, PrintMixin


class ActsScreen(PrintMixin, BaseScreen):
    HELP_TITLE = "Акты ИС-08 / ИС-09"
    HELP = """\
**Акты** — досрочное завершение по уважительным причинам (**ИС-08**) и удаление за
нарушение требований (**ИС-09**).

1. «Участник» — код участника или фамилия (**Enter** — найти).
2. Вид акта — **стрелки** вверх/вниз в переключателе.
3. Причина, время (ЧЧ:ММ), кто подписывает (ответственный организатор и руководитель ОО
   подставлены из списка работников).
4. **F5** — составить акт и сохранить его в PDF (папка forms/); **F4** — напечатать этот
   PDF на принтере по умолчанию (спросит число копий).

Список справа — составленные акты. Ошибочный акт: выберите его в списке (**Tab**, стрелки)
и нажмите **Delete** два раза — акт удаляется, отметка в протоколе снимается.

Акт ставит отметку в протоколе участника: «не завершил по объективным причинам» или
«удалён» — она же появится в ИС-02, ИС-03 и ИС-04; баллы у такого участника не
выставляются. На неявившегося («Н») акт не составляется.
"""
    BINDINGS = BaseScreen.BINDINGS + [
        Binding("f5", "create", "Составить и напечатать", id="create"),
        Binding("delete", "delete_act", "Удалить акт", id="delete-act"),
        *PRINT_BINDINGS,
    ]

    built: list[Path] = []

    def printable(self) -> list[Path]:
        return [p for p in self.built if p.exists()]

    def print_said(self, text: str, ok: bool) -> None:
        self._status(text if ok else f"[red]{text}[/red]")

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="acts-body"):
            with Vertical(id="acts-form"):
                with Grid(classes="act-grid"):
                    yield Label("Участник:")
                    yield Input(placeholder="код участника или фамилия, Enter", id="act-participant")
                yield Static("", id="act-who")
                with RadioSet(id="act-kind"):
                    yield RadioButton("ИС-08 досрочное завершение", value=True, id="kind-08")
                    yield RadioButton("ИС-09 удаление", id="kind-09")
                with Grid(classes="act-grid"):
                    yield Label("Причина:")
                    yield Input(placeholder="что случилось (как в акте)", id="act-reason")
                    yield Label("Время ЧЧ:ММ:")
                    yield Input(value=datetime.now().strftime("%H:%M"), id="act-time")
                    yield Label("Организатор:")
                    yield Input(id="act-organizer")
                    yield Label("Руководитель:")
                    yield Input(id="act-head")
            yield DataTable(id="acts-table", cursor_type="row")
        yield ProgressBar(total=1, show_eta=False, id="act-progress")
        yield Static("Заполните поля и нажмите F5.", id="act-status")
        yield Footer()

    def on_mount(self) -> None:
        org, head = default_signers(self.app.store)
        self.query_one("#act-organizer", Input).value = org
        self.query_one("#act-head", Input).value = head
        table = self.query_one("#acts-table", DataTable)
        table.add_columns("Акт", "Участник", "Время")
        self._busy = False
        self.refresh_table()
        self.query_one("#act-participant", Input).focus()

    def refresh_table(self) -> None:
        table = self.query_one("#acts-table", DataTable)
        table.clear()
        store = self.app.store
        for act in acts_of(store):
            p = store.participant(act.participant)
            table.add_row(act.kind.value, p.short_fio if p else "?", f"{act.time:%H:%M}",
                          key=act.id)

    def _status(self, text: str) -> None:
        self.query_one("#act-status", Static).update(text)

    def action_delete_act(self) -> None:
        table = self.query_one("#acts-table", DataTable)
        if self.focused is not table or table.row_count == 0:
            self._status("Чтобы удалить акт, выберите его в списке справа (Tab) и нажмите Delete.")
            return
        act_id = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        if getattr(self, "_confirm", None) != act_id:
            self._confirm = act_id
            self._status("[yellow]Нажмите Delete ещё раз, чтобы удалить этот акт[/yellow] "
                         "(отметка в протоколе будет снята).")
            return
        self._confirm = None
        try:
            delete_act(self.app.store, act_id)
        except ActRejected as e:
            self._status(f"[red]Ошибка:[/red] {e}")
            return
        self.refresh_table()
        self._status("Акт удалён, отметка в протоколе снята.")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "act-participant":
            self._lookup()
        self.focus_next()

    def _lookup(self):
        key = self.query_one("#act-participant", Input).value.strip()
        who = self.query_one("#act-who", Static)
        if not key:
            who.update("")
            return None
        try:
            p = find_participant(self.app.store, key)
        except FormError as e:
            who.update(f"[red]{e}[/red]")
            return None
        note = " · [red]не явился (Н)[/red]" if p.absent else ""
        who.update(f"[b]{p.fio}[/b], {p.grade}, ауд. {p.room or '—'}{note}")
        return p

    def action_create(self) -> None:
        if self._busy:
            return
        p = self._lookup()
        if p is None:
            self._status("[red]Ошибка:[/red] укажите участника (код или фамилию).")
            self.query_one("#act-participant", Input).focus()
            return
        kind = ActKind.REMOVAL if self.query_one("#kind-09", RadioButton).value else ActKind.EARLY
        try:
            act = create_act(
                self.app.store, p, kind,
                self.query_one("#act-reason", Input).value,
                self.query_one("#act-time", Input).value,
                signed_by=[self.query_one("#act-organizer", Input).value,
                           self.query_one("#act-head", Input).value],
            )
        except ActRejected as e:
            self._status(f"[red]Ошибка:[/red] {e}")
            return
        self.refresh_table()
        self._busy = True
        self._status(f"Акт {kind.value} сохранён: {p.short_fio}, отметка «{kind.status.label}». "
                     "Печать…")
        self._print(act, p)

    @work(thread=True, exclusive=True, group="acts")
    def _print(self, act, p) -> None:
        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(
                self.query_one("#act-progress", ProgressBar).update, total=max(total, 1),
                progress=done)

        try:
            paths = build_form(self.app.store, act.kind.value, act=act, participant=p,
                               progress=progress)
        except (ShtabError, OSError) as e:  # a viewer holding the PDF: «закройте файл…»
            self.app.call_from_thread(self._printed, None, user_message(e))
        else:
            self.app.call_from_thread(self._printed, paths, "")

    def _printed(self, paths: list[Path] | None, error: str) -> None:
        self._busy = False
        if error or not paths:
            self._status(f"Акт сохранён, но PDF не создан: {error}")
            return
        self.built = list(paths)
        self._status(f"[green]Акт сохранён, PDF сохранён.[/green] Файл: [b]{paths[0].name}[/b]\n"
                     f"Папка: {paths[0].parent} · F4 — напечатать")
