"""Modal dialogs of the organizer's screens: participant, filter, move, room, schedule, staff.
Keys: Enter in a field or F2 (Ctrl+S) saves, Esc cancels (asking first when a field was changed).
The yes/no question is screens/dialogs.Confirm."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Callable, Optional

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from rich.markup import escape

from ..domain.models import Attendance, Participant, Role, Room, StaffMember
from ..errors import ShtabError
from ..services import roster as roster_svc
from ..services.roster import NO_ROOM, RosterFilter
from ..widgets.toggles import Check
from .base import failure_text
from .dialogs import Confirm, ask_unsaved

SAVE_KEYS = [
    Binding("f2,ctrl+s", "save", "Сохранить", id="modal-save"),
    Binding("escape", "cancel", "Отмена", id="modal-cancel"),
]

# what a screen gives a form to save its values: the values -> what was saved (None: nothing
# needed saving); a refusal raises (ShtabError or OSError)
Apply = Optional[Callable[[Any], Any]]


class _Form(ModalScreen):
    """A modal with labelled rows; Enter in an Input saves, F2/Ctrl+S saves, Esc cancels.

    The screen that opens it may give `apply` (the values → the save itself, returning what
    was saved): a refusal (the error family's or the OS's Russian text) then shows in the
    form, which stays open with everything typed, and the form closes only once the values
    are saved — with what `apply` returned (None: nothing needed saving)."""

    BINDINGS = SAVE_KEYS
    TITLE_TEXT = ""

    def __init__(self, *, apply: Apply = None) -> None:
        super().__init__()
        self.apply = apply

    def compose(self) -> ComposeResult:
        with Vertical(classes="org-modal"):
            yield Static(self.TITLE_TEXT, classes="org-modal-title")
            with VerticalScroll(classes="org-modal-body"):
                yield from self.fields()
            yield Static("", classes="org-modal-error")
            yield Static("F2 или Enter — сохранить · Esc — отмена · Tab — следующее поле",
                         classes="org-modal-hint")

    def fields(self) -> ComposeResult:  # pragma: no cover - overridden
        return iter(())

    @staticmethod
    def row(label: str, widget) -> Horizontal:
        return Horizontal(Label(label, classes="org-label"), widget, classes="org-row")

    def show_error(self, text: str) -> None:
        self.query_one(".org-modal-error", Static).update(f"[b red]{escape(text)}[/]")

    def submit(self, values: Any) -> None:
        """Close with `values`, or with what `apply` saved of them; refused, stay open."""
        if self.apply is not None:
            try:
                values = self.apply(values)
            except (ShtabError, OSError) as e:
                self.app.bell()
                self.show_error(failure_text(e))
                return
        self.dismiss(values)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    # -- nothing typed is lost without asking --------------------------------------------
    def _values(self) -> tuple:
        return tuple(w.value for w in self.query("Input, Select, Check"))

    def on_mount(self) -> None:
        self.call_after_refresh(self._remember)

    def _remember(self) -> None:
        self._pristine = self._values()

    def unsaved(self) -> str:
        pristine = getattr(self, "_pristine", None)
        if pristine is None or self._values() == pristine:
            return ""
        return f"«{self.TITLE_TEXT}» (изменённые поля)"

    def guard_leave(self, then) -> None:
        def save() -> bool:
            self.action_save()
            return self not in self.app.screen_stack  # saved and closed

        def forget() -> None:
            self._pristine = self._values()

        ask_unsaved(self.app, self.unsaved(), save, forget, then)

    def action_cancel(self) -> None:
        self.guard_leave(lambda: self.dismiss(None))

    def action_save(self) -> None:  # pragma: no cover - overridden
        self.dismiss(None)


def _date_text(d: Optional[date]) -> str:
    return d.strftime("%d.%m.%Y") if d else ""


def parse_date(text: str) -> Optional[date]:
    text = (text or "").strip()
    if not text:
        return None
    for fmt in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            pass
    raise ValueError(f"дата «{text}» не в формате ДД.ММ.ГГГГ")


class ParticipantModal(_Form):
    """Edit a participant, or add a missing one (participant=None). Returns a dict of fields."""

    def __init__(self, participant: Optional[Participant], categories: list[tuple[str, str]],
                 rooms: list[str], *, apply: Apply = None) -> None:
        super().__init__(apply=apply)
        self.p = participant
        self.categories = categories
        self.rooms = rooms
        self.TITLE_TEXT = ("Участник: " + participant.short_fio) if participant else \
            "Новый участник (нет в загруженном списке)"

    def fields(self) -> ComposeResult:
        p = self.p
        yield self.row("Фамилия", Input(compact=True, value=p.surname if p else "", id="f-surname"))
        yield self.row("Имя", Input(compact=True, value=p.name if p else "", id="f-name"))
        yield self.row("Отчество", Input(compact=True, value=p.patronymic if p else "", id="f-patronymic"))
        yield self.row("Класс", Input(compact=True, value=p.grade if p else "", id="f-grade", placeholder="9А"))
        yield self.row("Дата рождения", Input(compact=True, value=_date_text(p.birth_date) if p else "", id="f-birth",
                                             placeholder="ДД.ММ.ГГГГ"))
        yield self.row("Пол", Select(compact=True, options=[("М", "М"), ("Ж", "Ж")], value=(p.sex if p and p.sex else Select.NULL),
                                     id="f-sex", prompt="—"))
        yield self.row("Документ: серия", Input(compact=True, value=p.doc_series if p else "", id="f-series"))
        yield self.row("Документ: номер", Input(compact=True, value=p.doc_number if p else "", id="f-number"))
        unset = bool(p and p.category_unset)  # «Резерв = 22» without a category: no silent «Общая»
        yield self.row("Категория (ОВЗ)" + (" — не выбрана!" if unset else ""),
                       Select(self.categories, compact=True,
                              value=Select.BLANK if unset else (p.category if p else "general"),
                              allow_blank=unset, id="f-category"))
        room_opts = [("без аудитории", "")] + [(r, r) for r in self.rooms]
        value = p.room if p and p.room in self.rooms else ""
        yield self.row("Аудитория", Select(room_opts, compact=True, value=value, allow_blank=False, id="f-room"))
        if p and p.added_locally:
            yield Static("Добавлен в школе (нет в загруженном файле)", classes="org-note")

    def on_mount(self) -> None:
        self.query_one("#f-surname", Input).focus()

    def action_save(self) -> None:
        def val(i: str) -> str:
            return self.query_one(f"#{i}", Input).value.strip()

        try:
            birth = parse_date(val("f-birth"))
        except ValueError as e:
            self.show_error(f"Дата рождения: {e}.")
            return
        sex = self.query_one("#f-sex", Select).value
        self.submit({
            "surname": val("f-surname"), "name": val("f-name"), "patronymic": val("f-patronymic"),
            "grade": val("f-grade"), "birth_date": birth,
            "sex": sex if sex in ("М", "Ж") else "",
            "doc_series": val("f-series"), "doc_number": val("f-number"),
            "room": str(self.query_one("#f-room", Select).value),
            **({} if self.query_one("#f-category", Select).value is Select.BLANK
               else {"category": str(self.query_one("#f-category", Select).value)}),
        })


class FilterModal(_Form):
    TITLE_TEXT = "Отбор участников"

    def __init__(self, current: RosterFilter, rooms: list[str], grades: list[str]) -> None:
        super().__init__()
        self.current = current
        self.rooms = rooms
        self.grades = grades

    def fields(self) -> ComposeResult:
        c = self.current
        any_ = ("все", "*")
        rooms = [any_, ("без аудитории", NO_ROOM)] + [(r, r) for r in self.rooms]
        yield self.row("Аудитория", Select(rooms, compact=True, value=c.room if c.room is not None else "*",
                                           allow_blank=False, id="flt-room"))
        grades = [any_] + [(g, g) for g in self.grades]
        yield self.row("Класс", Select(grades, compact=True, value=c.grade if c.grade is not None else "*",
                                       allow_blank=False, id="flt-grade"))
        ovz = [any_, ("только с ОВЗ (Резерв 22)", "yes"), ("без ОВЗ", "no")]
        yield self.row("ОВЗ", Select(ovz, compact=True, value={None: "*", True: "yes", False: "no"}[c.ovz],
                                     allow_blank=False, id="flt-ovz"))
        att = [any_] + [(a.label if a is not Attendance.UNKNOWN else "не отмечены", a.value)
                        for a in Attendance]
        yield self.row("Явка", Select(att, compact=True, value=c.attendance.value if c.attendance else "*",
                                      allow_blank=False, id="flt-att"))

    def on_mount(self) -> None:
        self.query_one("#flt-room", Select).focus()

    def action_save(self) -> None:
        def v(i):
            x = self.query_one(f"#{i}", Select).value
            return None if x == "*" else x

        ovz = v("flt-ovz")
        att = v("flt-att")
        self.dismiss(RosterFilter(text=self.current.text, room=v("flt-room"), grade=v("flt-grade"),
                                  ovz=None if ovz is None else ovz == "yes",
                                  attendance=Attendance(att) if att else None))


class MoveModal(ModalScreen):
    """Pick a room (OptionList, Enter). Returns the room number, "" for «без аудитории»."""

    BINDINGS = [Binding("escape", "cancel", "Отмена", id="modal-cancel")]

    def __init__(self, title: str, options: list[tuple[str, str, bool]]) -> None:
        super().__init__()
        self.title_text = title
        self.options = options  # (room, label, enabled)

    def compose(self) -> ComposeResult:
        with Vertical(classes="org-modal"):
            yield Static(self.title_text, classes="org-modal-title")
            yield OptionList(*[Option(label, id=room or "-", disabled=not ok)
                               for room, label, ok in self.options], id="move-rooms")
            yield Static("Стрелки и Enter — выбрать · Esc — отмена", classes="org-modal-hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        oid = event.option.id or "-"
        self.dismiss("" if oid == "-" else oid)

    def action_cancel(self) -> None:
        self.dismiss(None)


class RoomModal(_Form):
    """Create (room=None) or edit a room. Returns a dict."""

    def __init__(self, room: Optional[Room], staff: list[StaffMember], *, apply: Apply = None) -> None:
        super().__init__(apply=apply)
        self.room = room
        self.staff = staff
        self.TITLE_TEXT = f"Аудитория {room.number}" if room else "Новая аудитория"

    def fields(self) -> ComposeResult:
        r = self.room
        yield self.row("Номер", Input(compact=True, value=r.number if r else "", id="r-number", max_length=10))
        yield self.row("Вместимость", Input(compact=True, value=str(r.capacity) if r else "30", id="r-capacity",
                                            type="integer"))
        yield self.row("", Check("доступна для участников с ОВЗ (1 этаж, пандус)",
                                 value=bool(r and r.accessible), compact=True, id="r-accessible"))

        def pick(role: Role, current: str, wid: str):
            opts = [("не назначен", "")] + [(s.fio, s.id) for s in self.staff if s.role is role]
            ids = {v for _, v in opts}
            return Select(opts, compact=True, value=current if current in ids else "", allow_blank=False, id=wid)

        yield self.row("Собеседник", pick(Role.INTERLOCUTOR, r.interlocutor if r else "", "r-inter"))
        yield self.row("Эксперт", pick(Role.EXPERT, r.expert if r else "", "r-expert"))
        yield self.row("Примечание", Input(compact=True, value=r.note if r else "", id="r-note"))

    def on_mount(self) -> None:
        self.query_one("#r-number" if self.room is None else "#r-capacity", Input).focus()

    def action_save(self) -> None:
        cap_text = self.query_one("#r-capacity", Input).value.strip()
        try:
            cap = int(cap_text)
        except ValueError:
            self.show_error("Вместимость: целое число от 1 до 500.")
            return
        self.submit({
            "number": self.query_one("#r-number", Input).value.strip(),
            "capacity": cap,
            "accessible": self.query_one("#r-accessible", Check).value,
            "interlocutor": str(self.query_one("#r-inter", Select).value),
            "expert": str(self.query_one("#r-expert", Select).value),
            "note": self.query_one("#r-note", Input).value.strip(),
        })


class ScheduleModal(_Form):
    TITLE_TEXT = "Расписание аудиторий"

    def __init__(self, start: str, limit: str, minutes: int, *, apply: Apply = None) -> None:
        super().__init__(apply=apply)
        self.values = (start, limit, minutes)

    def fields(self) -> ComposeResult:
        start, limit, minutes = self.values
        yield self.row("Начало (ЧЧ:ММ)", Input(compact=True, value=start, id="s-start", max_length=5))
        yield self.row("Закончить до", Input(compact=True, value=limit, id="s-limit", max_length=5,
                                            placeholder="пусто — без предела"))
        yield self.row("Минут на участника", Input(compact=True, value=str(minutes), id="s-minutes", type="integer",
                                                  max_length=2))
        yield Static("Участникам с ОВЗ добавляется время их категории (+30 мин).", classes="org-note")

    def on_mount(self) -> None:
        self.query_one("#s-start", Input).focus()

    def action_save(self) -> None:
        self.submit({k: self.query_one(f"#s-{k}", Input).value.strip() for k in ("start", "limit", "minutes")})


class StaffModal(_Form):
    def __init__(self, member: Optional[StaffMember], rooms: list[str], *, apply: Apply = None) -> None:
        super().__init__(apply=apply)
        self.member = member
        self.rooms = rooms
        self.TITLE_TEXT = f"Сотрудник: {member.fio}" if member else "Новый сотрудник"

    def fields(self) -> ComposeResult:
        m = self.member
        yield self.row("ФИО", Input(compact=True, value=m.fio if m else "", id="st-fio"))
        yield self.row("Роль", Select(compact=True, options=[(r.label, r.value) for r in Role],
                                      value=m.role.value if m else Role.INTERLOCUTOR.value,
                                      allow_blank=False, id="st-role"))
        opts = [("не назначена", "")] + [(r, r) for r in self.rooms]
        yield self.row("Аудитория", Select(opts, compact=True, value=m.room if m and m.room in self.rooms else "",
                                           allow_blank=False, id="st-room"))

    def on_mount(self) -> None:
        self.query_one("#st-fio", Input).focus()

    def action_save(self) -> None:
        fio = self.query_one("#st-fio", Input).value.strip()
        if not fio:
            self.show_error("Укажите ФИО.")
            return
        self.submit({"fio": fio, "role": Role(self.query_one("#st-role", Select).value),
                      "room": str(self.query_one("#st-room", Select).value)})


def toggle_absent(screen, p: Participant, done) -> None:
    """«Н» on / off for `p` from a screen of lists (F2, a room's timetable). «Н» on someone with
    a protocol or ИС-02 times asks first; `done(new)` gets the participant as saved."""
    store = screen.app.store

    def mark(despite: bool = False) -> None:
        ok, new = screen.attempt(roster_svc.toggle_absent, store, p.guid, despite=despite)
        if ok:
            screen.say(f"{new.short_fio}: " + ("отмечена неявка «Н»" if new.absent
                                               else "отметка «Н» снята"), "ok")
            done(new)

    conflicts = [] if p.absent else roster_svc.absent_conflicts(store, p.guid)
    if not conflicts:
        mark()
        return
    question = (f"{p.short_fio}: {'; '.join(conflicts)}.\n\nВсё равно отметить неявку «Н»? "
                "Протокол и время останутся; «Проверка перед выгрузкой» (F8) покажет это "
                "противоречие, пока его не исправят.")
    screen.app.push_screen(Confirm(question, "Enter — отметить «Н»", "Esc — не отмечать"),
                           lambda yes: mark(despite=True) if yes else None)

