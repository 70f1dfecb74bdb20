"""«Сотрудники»: interlocutors, experts, organizers and their rooms (menu entry, no F-key)."""
from __future__ import annotations

from typing import Optional

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from ..domain.models import StaffMember
from ..services import staff as svc
from ..widgets.status_line import StatusLine
from .base import BaseScreen
from .dialogs import Confirm
from .organizer_modals import MoveModal, StaffModal


class StaffTable(DataTable):
    BINDINGS = [
        Binding("insert", "screen.add", "Добавить", key_display="Ins", id="add",
                tooltip="новый сотрудник"),
        Binding("ctrl+n", "screen.add", "Добавить", show=False, id="add"),
        Binding("f6", "screen.assign", "В аудиторию", id="move",
                tooltip="назначить в аудиторию"),
        Binding("delete", "screen.remove", "Удалить", key_display="Del", id="delete",
                tooltip="удалить сотрудника (с подтверждением)"),
    ]


class StaffScreen(BaseScreen):
    HELP_TITLE = "Сотрудники"
    HELP = """\
**Сотрудники** штаба и аудиторий: собеседники, эксперты, организаторы, технический
специалист, руководитель ОО.

- **Enter** — изменить ФИО, роль, аудиторию; **[[add]]** — добавить;
  **[[delete]]** — удалить.
- **[[move]]** — назначить в аудиторию. Собеседник и эксперт становятся собеседником и экспертом
  этой аудитории (прежний снимается). Эксперт аудитории подставляется в протокол ИС-03
  её участников по умолчанию.
"""

    def __init__(self) -> None:
        super().__init__()
        self._staff: list[StaffMember] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="staff-status")
        yield StaffTable(id="staff-table", cursor_type="row", zebra_stripes=True)
        yield StatusLine(id="org-msg")
        yield Footer(compact=True, classes="org-footer")

    def on_mount(self) -> None:
        t = self.query_one(StaffTable)
        for key, label in (("fio", "ФИО"), ("role", "Роль"), ("room", "Аудитория")):
            t.add_column(label, key=key)
        self.reload()
        t.focus()

    def reload(self, focus_id: Optional[str] = None) -> None:
        store = self.app.store
        cur = focus_id or (self.current().id if self.current() else None)
        self._staff = svc.staff_list(store)
        t = self.query_one(StaffTable)
        t.clear()
        for s in self._staff:
            t.add_row(s.fio, s.role.label, s.room or "—", key=s.id)
        ids = [s.id for s in self._staff]
        if cur in ids:
            t.move_cursor(row=ids.index(cur))
        rooms = store.rooms()
        missing = [f"{r.number}: " + ", ".join(
            w for w, f in (("собеседник", r.interlocutor), ("эксперт", r.expert)) if not f)
            for r in rooms if not (r.interlocutor and r.expert)]
        text = f"Сотрудников: {len(self._staff)} · аудиторий: {len(rooms)}"
        if missing:
            text += " · [yellow]не назначены — " + "; ".join(missing) + "[/]"
        self.query_one("#staff-status", Static).update(text)

    def current(self) -> Optional[StaffMember]:
        try:
            t = self.query_one(StaffTable)
        except Exception:
            return None
        if not self._staff or not 0 <= t.cursor_row < len(self._staff):
            return None
        return self._staff[t.cursor_row]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self._edit(self.current())

    def action_add(self) -> None:
        self._edit(None)

    def _edit(self, member: Optional[StaffMember]) -> None:
        store = self.app.store

        def apply(result) -> StaffMember:  # a refusal shows in the form, which keeps what was typed
            with store.transaction():
                if member is None:
                    new = svc.add_staff(store, result["fio"], result["role"], result["room"])
                else:
                    new = svc.edit_staff(store, member.id, fio=result["fio"], role=result["role"])
                    if result["room"] != new.room:
                        new = svc.assign(store, new.id, result["room"])
            return new

        def done(new: Optional[StaffMember]) -> None:
            if new is not None:
                self.say(f"Сохранено: {new.fio}", "ok")
                self.reload(new.id)

        self.app.push_screen(StaffModal(member, [r.number for r in store.rooms()], apply=apply), done)

    def action_assign(self) -> None:
        member = self.current()
        if member is None:
            return
        store = self.app.store
        options = [(r.number, f"{r.number}", True) for r in store.rooms()]
        options.append(("", "без аудитории", True))

        def done(room) -> None:
            if room is None:
                return
            try:
                new = svc.assign(store, member.id, room)
            except svc.StaffError as e:
                self.say(str(e), "error")
                return
            self.say(f"{new.fio} → {room or 'без аудитории'}", "ok")
            self.reload(new.id)

        self.app.push_screen(MoveModal(f"Аудитория для: {member.fio}", options), done)

    def action_remove(self) -> None:
        member = self.current()
        if member is None:
            return

        def done(ok) -> None:
            if not ok:
                return
            try:
                svc.remove_staff(self.app.store, member.id)
            except svc.StaffError as e:
                self.say(str(e), "error")
                return
            self.say(f"Удалён: {member.fio}", "ok")
            self.reload()

        self.app.push_screen(Confirm(f"Удалить сотрудника {member.fio}?",
                                          "Enter — удалить", "Esc — оставить"), done)
