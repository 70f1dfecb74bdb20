"""«Акты ИС-08 / ИС-09»: draw up an act for a participant (reason, time, who signs), which
sets the participant's mark in the protocol (and so on ИС-02 / ИС-03 / ИС-04), and print it.

Every new act starts empty: no participant, no reason, the current time, the default signers
(an act never inherits the previous one's reason or time)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical
from textual.widgets import DataTable, Footer, Header, Input, Label, ProgressBar, RadioSet

from ..domain.models import ActKind
from ..services.acts import acts_of, create_act, default_signers, delete_act
from ..services.forms import build_form
from ..widgets.participant_picker import ParticipantField
from ..widgets.status_line import StatusLine
from ..widgets.toggles import Radio
from .dialogs import Confirm
from .jobs import JobScreen
from .printing import PrintMixin

FIELDS = ("act-reason", "act-time", "act-organizer", "act-head")


class ActsScreen(PrintMixin, JobScreen):
    HELP_TITLE = "Акты ИС-08 / ИС-09"
    HELP = """\
**Акты** — досрочное завершение по уважительным причинам (**ИС-08**) и удаление за
нарушение требований (**ИС-09**).

1. «Участник» — фамилия (можно с инициалами: «иванова е»), или код участника; **Enter** —
   найти. Если участников с такой фамилией несколько — выберите из списка (класс, аудитория,
   код).
2. Вид акта — **стрелки** вверх/вниз в переключателе: (•) — выбран.
3. Причина, время (ЧЧ:ММ), кто подписывает (ответственный организатор и руководитель ОО
   подставлены из списка работников).
4. **[[create]]** — составить акт и сохранить его в PDF (папка forms/); **[[print-act]]** —
   напечатать этот PDF на принтере по умолчанию (спросит число копий). Затем форма
   очищается для следующего акта: пустая причина, текущее время.

Список справа — составленные акты. Ошибочный акт: выберите его в списке (**Tab**, стрелки)
и нажмите **[[delete]]** — после подтверждения акт удаляется, отметка в протоколе снимается.

Акт ставит отметку в протоколе участника: «не завершил по объективным причинам» или
«удалён» — она же появится в ИС-02, ИС-03 и ИС-04; баллы у такого участника не
выставляются. На неявившегося («Н») акт не составляется.
"""
    BINDINGS = JobScreen.BINDINGS + [
        Binding("f5", "create", "Составить акт", id="create",
                tooltip="сохранить акт, поставить отметку в протоколе и сохранить PDF"),
        Binding("f4,ctrl+f", "pick", "Участник", id="pick", tooltip="к полю «Участник»"),
        Binding("delete", "delete_act", "Удалить", id="delete",
                tooltip="удалить выбранный в списке акт (с подтверждением)"),
        # F4 is «Участник» on every screen that asks who: here the print key is F7
        Binding("f7", "print_pdf", "Печать", id="print-act",
                tooltip="напечатать PDF акта на принтере по умолчанию"),
        Binding("ctrl+p", "print_pdf", "Печать", id="print-act-ctrl", show=False),
    ]

    built: list[Path] = []

    def printable(self) -> list[Path]:
        return [p for p in self.built if p.exists()]

    def print_said(self, text: str, ok: bool) -> None:
        self.say(text, "ok" if ok else "error")

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="acts-body"):
            with Vertical(id="acts-form"):
                with Horizontal(id="act-who-row"):
                    yield Label("Участник:", classes="act-label")
                    yield ParticipantField(self.app.store.participants, id="act-picker",
                                           input_id="act-participant")
                with RadioSet(id="act-kind"):
                    yield Radio("ИС-08 досрочное завершение", value=True, id="kind-08")
                    yield Radio("ИС-09 удаление", id="kind-09")
                with Grid(classes="act-grid"):
                    yield Label("Причина:")
                    yield Input(placeholder="что случилось (как в акте)", id="act-reason")
                    yield Label("Время ЧЧ:ММ:")
                    yield Input(id="act-time")
                    yield Label("Организатор:")
                    yield Input(id="act-organizer")
                    yield Label("Руководитель:")
                    yield Input(id="act-head")
            yield DataTable(id="acts-table", cursor_type="row")
        yield ProgressBar(total=1, show_eta=False, id="act-progress")
        yield StatusLine("Заполните поля и нажмите F5.", id="act-status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#acts-table", DataTable)
        table.add_columns("Акт", "Участник", "Код", "Время")
        self.new_act()
        self.refresh_table()

    # -- the form ---------------------------------------------------------------------
    def new_act(self) -> None:
        """An empty form: no participant, no reason, the current time, the default signers."""
        org, head = default_signers(self.app.store)
        self.query_one(ParticipantField).clear()
        self.query_one("#kind-09", Radio).value = False
        self.query_one("#kind-08", Radio).value = True
        values = {"act-reason": "", "act-time": datetime.now().strftime("%H:%M"),
                  "act-organizer": org, "act-head": head}
        for wid, value in values.items():
            self.query_one(f"#{wid}", Input).value = value
        self._pristine = self._values()
        self.query_one(ParticipantField).focus()

    def _values(self) -> tuple:
        return (self.query_one(ParticipantField).value.strip(),
                self.query_one("#kind-09", Radio).value,
                *(self.query_one(f"#{w}", Input).value.strip() for w in FIELDS))

    def unsaved(self) -> str:
        if self._values() != self._pristine:
            return "акт (заполнены поля, акт не составлен)"
        return ""

    def save_unsaved(self) -> bool:
        return self.action_create()

    def action_pick(self) -> None:
        self.query_one(ParticipantField).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    def refresh_table(self) -> None:
        table = self.query_one("#acts-table", DataTable)
        table.clear()
        store = self.app.store
        for act in acts_of(store):
            p = store.participant(act.participant)
            table.add_row(act.kind.value, p.short_fio if p else "?", p.code if p else "",
                          f"{act.time:%H:%M}", key=act.id)

    # -- deleting -----------------------------------------------------------------------
    def action_delete_act(self) -> None:
        table = self.query_one("#acts-table", DataTable)
        if self.focused is not table or table.row_count == 0:
            self.say("Чтобы удалить акт, выберите его в списке справа (Tab) и нажмите Delete.")
            return
        act_id = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        row = table.get_row_at(table.cursor_row)

        def answer(yes: bool | None) -> None:
            if not yes:
                return
            if not self.attempt(delete_act, self.app.store, act_id)[0]:
                return
            self.refresh_table()
            self.say("Акт удалён, отметка в протоколе снята.", "ok")

        self.app.push_screen(Confirm(f"Удалить акт {row[0]} ({row[1]})?\n"
                                     "Отметка в протоколе участника будет снята.",
                                     "Enter — удалить", "Esc — оставить"), answer)

    # -- creating and printing --------------------------------------------------------------
    def action_create(self) -> bool:
        if self.still_busy():
            return False
        picker = self.query_one(ParticipantField)
        p = picker.participant
        if p is None:
            picker.lookup()
            p = picker.participant
        if p is None:
            self.say(picker.message or "Укажите участника: фамилию или код.", "error")
            picker.focus()
            return False
        kind = ActKind.REMOVAL if self.query_one("#kind-09", Radio).value else ActKind.EARLY
        ok, act = self.attempt(
            create_act, self.app.store, p, kind,
            self.query_one("#act-reason", Input).value,
            self.query_one("#act-time", Input).value,
            signed_by=[self.query_one("#act-organizer", Input).value,
                       self.query_one("#act-head", Input).value])
        if not ok:
            return False
        self.refresh_table()
        self.new_act()
        store = self.app.store
        saved = f"Акт {kind.value} сохранён: {p.short_fio}, отметка «{kind.status.label}»."
        self.run_job(lambda job: build_form(store, act.kind.value, act=act, participant=p,
                                            progress=job.progress),
                     busy="печатается акт", bar="#act-progress",
                     done=lambda paths: self._printed(saved, paths),
                     failed=lambda e, msg: f"{saved} PDF не создан: {msg}")
        return True

    def _printed(self, saved: str, paths: list[Path]) -> str:
        if not paths:
            return saved
        self.built = list(paths)
        return (f"{saved} PDF сохранён: {paths[0].name}\nПапка: {paths[0].parent}"
                " · F7 — напечатать")
