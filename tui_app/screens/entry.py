"""F4: typing protocols ИС-03 into the specialized form ИС-04, one stack per room.

Keys for a whole protocol of the general scheme (the next participant of the stack is
already chosen, the variant prefilled with the previous one): Enter (variant) + 13 digits
(each valid digit fills a criterion and moves on) + Enter (save) = 15 keys.

The stack is what is left of the room: saved protocols and «Н» are skipped, the header says
«осталось N», and after a protocol picked out of order the stack goes on where it was.
Nothing typed is thrown away without asking (screens/base.py: guard_leave).
"""
from __future__ import annotations

from typing import Callable, Optional

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from rich.markup import escape

from ..domain.models import Attendance, Participant, Protocol, ProtocolStatus
from ..errors import ShtabError, user_message
from ..notes import Level
from ..services.data import scheme_for
from ..services.entry import (
    PASS2_TABLE,
    EntryState,
    expert_of_room,
    left_to_type,
    load_protocol,
    next_in_stack,
    remaining,
    room_list,
    rooms_with_participants,
)
from ..services.history import history_lines
from ..services.picker import find, list_number
from ..services.protocols import ProtocolRejected, save_protocol
from ..widgets.criteria_grid import CriteriaGrid
from ..widgets.participant_picker import pick
from ..widgets.status_line import StatusLine
from .base import BaseScreen, failure_text

# one sign per state in the room's list (readable without colour)
MARKS = {"present": "✔", "early": "Д", "removed": "У"}
NAME_WIDTH = 14


def _not_taken(dropped: int) -> str:
    """What the typist is told of the keys typed after an Enter that found nobody or several
    (dropped: they must not land on anyone); "" when none were typed."""
    if not dropped:
        return ""
    return "Набранное после Enter не принято: сначала выберите участника, затем наберите протокол."


class HistoryScreen(ModalScreen[None]):
    """Who changed what and when in one protocol (from the audit log)."""

    BINDINGS = [Binding("escape,f2", "close", "Закрыть", id="history-close"),
                Binding("enter", "close", "Закрыть", show=False)]

    def __init__(self, title: str, lines: list[str]) -> None:
        super().__init__()
        self._title = title
        self._lines = lines

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="history-box"):
            yield Static(f"[b]История изменений — {escape(self._title)}[/b]", id="history-title")
            yield Static("\n".join(self._lines) or "Изменений ещё не было: протокол не сохранялся.",
                         id="history-lines", markup=False)
            yield Static("Esc — закрыть", id="history-hint")

    def action_close(self) -> None:
        self.dismiss(None)


class EntryScreen(BaseScreen):
    HELP_TITLE = "Ввод протоколов ИС-03"
    HELP = """\
**Ввод протоколов ИС-03** в специализированную форму ИС-04 — стопкой по аудитории.

1. Выберите участника: наберите **номер в списке аудитории**, **фамилию** (можно с
   инициалами или именем: «иванова е») или **код участника**, Enter. Если подходят
   несколько (однофамильцы) — выберите из короткого списка (класс, аудитория, код).
2. Курсор встаёт на **вариант** (подставлен вариант предыдущего протокола): Enter — к
   баллам; другая цифра — новый номер. Tab — к полям «эксперт» (по умолчанию эксперт
   аудитории) и «схема» (1 — в аудитории, 2 — по аудиозаписи).
3. **Баллы** — по одной цифре, в порядке бланка (Ч1 … Р4). Верная цифра заполняет критерий
   и переводит курсор дальше; невозможная цифра не принимается, внизу виден допустимый
   диапазон. Критерии, которые категория участника с ОВЗ не оценивает, пропускаются (×).
   Промежуточные итоги, итог и «зачёт/незачёт» пересчитываются на каждой клавише.
4. **Enter** — сохранить. «Сохранено» появляется только после записи на диск; затем сразу
   открывается следующий участник стопки.

Полный протокол: Enter + 13 цифр + Enter = 15 клавиш.

**Стопка** — это то, что осталось в аудитории: сохранённые протоколы и «Н» пропускаются,
вверху — «осталось N». Участник, выбранный не по порядку (**[[pick]]**), не сбивает стопку:
после его сохранения ввод продолжается с того места, где был.

В списке слева: ✔ — протокол сохранён, Н — не явился, Д — не завершил по объективным
причинам, У — удалён; затем код участника.

- **←/→** — по критериям, **Backspace** — стереть предыдущий балл, **Delete** — текущий
- Уйти с несохранёнными баллами (Esc, F10, другой участник, другая аудитория) программа
  не даст молча: спросит «сохранить / не сохранять / вернуться».

Второй ввод **со сверкой** (двойной ввод): балл, не совпавший с первым вводом, останавливает
ввод с сигналом — **F2** верен первый, **F3** верен второй (первый ввод исправляется),
**F4** ввести заново. Цифры, набранные после расхождения, не принимаются.
"""
    BINDINGS = BaseScreen.BINDINGS + [
        Binding("f2", "history", "История", id="history",
                tooltip="кто и когда менял этот протокол"),
        Binding("f3", "status", "Отметка", id="status",
                tooltip="оценён → не завершил по объективным причинам → удалён"),
        Binding("f4,ctrl+f", "focus_pick", "Участник", id="pick",
                tooltip="выбрать другого участника (Esc — вернуться к текущему)"),
        Binding("f5", "next_room", "Аудитория", id="next-room", tooltip="следующая аудитория"),
    ]

    def __init__(self, participant: Optional[str] = None, field: Optional[str] = None,
                 table: Optional[str] = None, halt: bool = False) -> None:
        super().__init__()
        self.initial = participant
        self.initial_field = field
        self.table = table
        self.blind = table == PASS2_TABLE
        self.halt = halt and self.blind  # stop at the first digit differing from the first pass
        self.halts = 0
        self.state: Optional[EntryState] = None
        self.rooms: list[str] = []
        self.room: str = ""
        self.stack: list[Participant] = []
        self.offered: Optional[str] = None  # the stack's own place (a guid); None = not yet
        self.last_variant = ""
        self.last_expert = ""
        self.last_scheme = 1
        self.saves = 0
        self._saved_note = ""
        self._sticky: tuple[str, Level] = ("", Level.INFO)

    # -- layout --------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="entry-body"):
            with Vertical(id="entry-left"):
                yield Static(id="entry-room")
                yield Static(id="entry-pick")
                yield OptionList(id="entry-list")
            with Vertical(id="entry-right"):
                yield Static(id="entry-who")
                yield CriteriaGrid(id="entry-grid")
                with Horizontal(classes="entry-row"):
                    yield Label("Эксперт", classes="entry-label")
                    yield Input(id="entry-expert", classes="entry-long")
                    yield Label(" Схема", classes="entry-label")
                    yield Input("1", id="entry-scheme", restrict=r"[12]?", max_length=1,
                                classes="entry-tiny")
                yield Static(id="entry-status")
                yield StatusLine(id="entry-msg")
        yield Footer()

    def on_mount(self) -> None:
        store = self.app.store
        self.scheme = scheme_for(store)
        self.title = ("ИС-03 · второй ввод (со сверкой)" if self.halt else
                      "ИС-03 · второй ввод (вслепую)" if self.blind else "ИС-03 · ввод протоколов")
        self.rooms = rooms_with_participants(store)
        target = store.participant(self.initial) if self.initial else None
        if target is not None and target.room:
            self._set_room(target.room)
            self.choose(target, field=self.initial_field)
            return
        if self.rooms:
            self._set_room(self.rooms[0])
        else:
            self.say("Участники ещё не распределены по аудиториям (F3 на главном экране).",
                     Level.WARNING)
        self._start_pick()

    # -- rooms and the list ----------------------------------------------------
    def _set_room(self, room: str) -> None:
        self.room = room
        self.stack = room_list(self.app.store, room)
        self._fill_list()

    def _show_room(self, done: dict) -> None:
        store = self.app.store
        exp = expert_of_room(store, next((r for r in store.rooms() if r.number == self.room), None))
        left = len(remaining(self.stack, done))
        tail = f"осталось {left}/{len(self.stack)}" if left else "всё внесено"
        self.query_one("#entry-room", Static).update(
            f"[b]Ауд. {escape(self.room)}[/b] · {tail}\n"
            f"[dim]Эксперт: {escape(exp or '—')}[/dim]")

    def _done(self) -> dict:
        store = self.app.store
        if self.table:
            return {p.participant: p for p in store.all(Protocol, self.table)}
        return store.protocols()

    def _fill_list(self, highlight: Optional[str] = None) -> None:
        done = self._done()
        self._show_room(done)
        ol = self.query_one("#entry-list", OptionList)
        ol.clear_options()
        for p in self.stack:
            no = list_number(p, self.stack)
            if p.attendance is Attendance.ABSENT:
                mark = "Н"
            elif p.guid in done:
                mark = MARKS[done[p.guid].status.value]
            else:
                mark = " "
            name = p.short_fio
            if len(name) > NAME_WIDTH:
                name = name[:NAME_WIDTH - 1] + "…"
            ol.add_option(Option(f"{no:>2} {mark} {name:<{NAME_WIDTH}} {p.code}", id=p.guid))
        target = highlight or (self.state.participant.guid if self.state else None)
        if target in {p.guid for p in self.stack}:
            ol.highlighted = ol.get_option_index(target)

    def action_next_room(self) -> None:
        if not self.rooms:
            return

        def go() -> None:
            i = self.rooms.index(self.room) if self.room in self.rooms else -1
            self._drop_state()
            self._set_room(self.rooms[(i + 1) % len(self.rooms)])
            self.offered = None
            self._start_pick()

        self._leave_protocol(go)

    def action_focus_pick(self) -> None:
        self._start_pick()

    def _start_pick(self) -> None:
        grid = self.query_one(CriteriaGrid)
        grid.start_pick()
        grid.focus()
        self._show_pick()

    def _drop_state(self) -> None:
        self.state = None
        self.query_one("#entry-who", Static).update("")
        self.query_one(CriteriaGrid).set_state(None)
        self._show_status()

    # -- leaving a protocol ------------------------------------------------------
    def unsaved(self) -> str:
        st = self.state
        if st is None or not st.changed:
            return ""
        return f"протокол {st.participant.short_fio} (введённые баллы не сохранены)"

    def save_unsaved(self) -> bool:
        return self._save_current() is not None

    def discard_unsaved(self) -> None:
        if self.state is not None:
            self.state.baseline = self.state.protocol()  # forgotten: nothing to ask any more

    def _leave_protocol(self, then: Callable[[], None]) -> None:
        """Leave the open protocol for another one: ask first when something typed is unsaved."""
        if self.unsaved():
            self.query_one(CriteriaGrid).cancel_pending()
        self.guard_leave(then)

    # -- choosing a participant ------------------------------------------------
    def on_input_changed(self, event: Input.Changed) -> None:
        iid = event.input.id
        if self.state is None:
            return
        if iid == "entry-expert":
            self.state.expert = event.value
        elif iid == "entry-scheme" and event.value in ("1", "2"):
            self.state.scheme_no = int(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        iid = event.input.id
        event.stop()
        if iid in ("entry-expert", "entry-scheme"):
            if self.state is not None:
                self.query_one(CriteriaGrid).focus()

    def _find(self, text: str):
        return find(self.app.store.participants(), text, room_list=self.stack)

    def on_criteria_grid_pick_changed(self, event: CriteriaGrid.PickChanged) -> None:
        self._show_pick()
        found = self._find(event.text)
        if found:
            first = found.people[0]
            if first.room != self.room and first.room:
                self._set_room(first.room)
            self._fill_list(highlight=first.guid)
        if found.hint:
            self.say(f"«{event.text}»: {found.hint}.", Level.WARNING)

    def on_criteria_grid_pick_submit(self, event: CriteriaGrid.PickSubmit) -> None:
        self._pick_submit(event.text)

    def _show_pick(self) -> None:
        grid = self.query_one(CriteriaGrid)
        box = self.query_one("#entry-pick", Static)
        if grid.pick_mode:
            box.update(f"[reverse]№, фамилия или код: {escape(grid.pick_text)}▏[/reverse]")
        else:
            box.update(f"[dim]{self.app.get_key_display(self._binding('pick'))} — другой участник[/dim]")

    def _binding(self, binding_id: str) -> Binding:
        return next(a.binding for a in self.active_bindings.values() if a.binding.id == binding_id)

    def _pick_submit(self, text: str) -> None:
        text = text.strip()
        grid = self.query_one(CriteriaGrid)
        if not text:
            ol = self.query_one("#entry-list", OptionList)
            p = None
            if ol.highlighted is not None:
                guid = ol.get_option_at_index(ol.highlighted).id
                p = next((x for x in self.stack if x.guid == guid), None)
            if p is None:
                grid.cancel_pending()
                self.app.bell()
                self.say("Наберите номер в списке аудитории, фамилию или код участника.", Level.ERROR)
                return
            self.request(p)
            return
        found = self._find(text)
        if not found:
            dropped = grid.cancel_pending()
            self.app.bell()
            self.say(" ".join(filter(None, (
                found.not_found(f"ни в аудитории {self.room}, ни в списке школы"),
                _not_taken(dropped)))), Level.ERROR)
            return
        hint = f" ({found.hint})" if found.hint else ""
        if found.one is not None:
            if hint:
                self._saved_note = f"«{text}» → {found.one.short_fio}{hint}."
            self.request(found.one)
            return
        # keys typed after an ambiguous Enter, before the list was seen, must not land on
        # anyone (a «2» meant as the variant would choose a namesake): dropped, and said
        dropped = grid.cancel_pending()
        epoch = grid.epoch

        def chosen(p: Optional[Participant]) -> None:
            if p is None:
                self._start_pick()
                self.say(f"«{text}»: участник не выбран.", Level.WARNING)
            else:
                self.request(p)

        # the keys typed after the choice go to the grid in their order (widgets/typeahead.py)
        pick(self.app, found, chosen, self.stack, sink=lambda keys: grid.feed(keys, epoch),
             note=_not_taken(dropped))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        p = next((p for p in self.stack if p.guid == event.option.id), None)
        if p is not None:
            self.request(p)

    def request(self, p: Participant) -> None:
        """The user picked `p`: open it (asking first about an unsaved protocol)."""
        if self.state is not None and self.state.participant.guid == p.guid:
            if self.state.changed:  # the one open, typed and not saved: go on with it
                grid = self.query_one(CriteriaGrid)
                grid.set_state(self.state)  # (replays the keys typed after the Enter)
                self._show_pick()
                grid.focus()
                return
            self.choose(p)
            return
        self._leave_protocol(lambda: self.choose(p))

    def choose(self, p: Participant, field: Optional[str] = None, from_stack: bool = False) -> None:
        store = self.app.store
        grid = self.query_one(CriteriaGrid)
        if p.attendance is Attendance.ABSENT:
            grid.cancel_pending()
            self.say(f"{p.short_fio} отмечен «Н» (не явился): протокол не вносится.", Level.WARNING)
            self.app.bell()
            return
        if p.room and p.room != self.room:
            self._set_room(p.room)
        if from_stack:
            self.offered = p.guid
        room = next((r for r in store.rooms() if r.number == p.room), None)
        expert = expert_of_room(store, room) or self.last_expert
        proto = load_protocol(store, p.guid, self.table)
        self.state = EntryState.start(self.scheme, p, proto, variant=self.last_variant,
                                      expert=expert,
                                      scheme_no=room.scheme if room else self.last_scheme)
        st = self.state
        if self.halt:
            from ..services.double_entry import halt_reference

            st.halt_ref = halt_reference(store, p.guid)
        self.query_one("#entry-expert", Input).value = st.expert
        self.query_one("#entry-scheme", Input).value = str(st.scheme_no)
        cat = st.category
        no = list_number(p, self.stack) if p in self.stack else "—"
        from ..services.calendar import rules_for
        from ..services.protocols import category_refusal

        note_rcoi = rules_for(store).category_note(cat)
        extra = " · [b]уточните в РЦОИ[/b]" if note_rcoi else ""
        self.query_one("#entry-who", Static).update(
            f"[b]{escape(p.fio)}[/b]\nкласс {escape(p.grade or '—')} · ауд. {escape(p.room)} · № {no}"
            f" · код {escape(p.code or '—')} · {escape(cat.short or cat.name)}"
            f"{' (ОВЗ)' if p.is_ovz else ''}{extra}")
        self._show_status()
        self._fill_list()
        note, self._saved_note = self._saved_note, ""
        level = Level.OK if note else Level.INFO
        if st.existing:
            note = (note + " " if note else "") + "Протокол уже сохранён: исправления попадут в журнал (F2)."
        refusal = category_refusal(p)
        if refusal:  # never silently «Общая» (issue 17): back to choosing, keys typed dropped
            self.state = None
            grid.cancel_pending()
            grid.set_state(None)
            self._show_pick()
            self.say(refusal, Level.WARNING)
            return
        self._sticky = (note, level)
        self.say(note, level)
        if field and field not in ("expert", "scheme"):
            st.go(field)
        grid.set_state(st)  # last: replays keys typed while this participant was being opened
        self._show_pick()
        if field in ("expert", "scheme"):
            self.query_one(f"#entry-{field}", Input).focus()
        elif self.focused is not grid:
            grid.focus()

    # -- the grid --------------------------------------------------------------
    def on_criteria_grid_typed(self, event: CriteriaGrid.Typed) -> None:
        if not event.accepted:
            self.app.bell()
            self.say(event.message, Level.ERROR)
        elif self.state and self.state.cursor is None and self.state.status is ProtocolStatus.PRESENT:
            self.say("Все критерии заполнены: Enter — сохранить.")
        else:
            self.say(*self._sticky)  # «Сохранено: …» of the previous protocol stays in view

    def on_criteria_grid_mismatch(self, event: CriteriaGrid.Mismatch) -> None:
        """The pass stops at the differing digit: which one is right?"""
        from .mismatch import AGAIN, FIRST, SECOND, MismatchDialog

        st = self.state
        if st is None:
            self.query_one(CriteriaGrid).resume()
            return
        self.halts += 1
        code, first, second = event.code, event.first, event.second
        self.say(f"Расхождение: {code} — первый ввод {first}, введено {second}.", Level.ERROR)

        def decided(which: Optional[str]) -> None:
            grid = self.query_one(CriteriaGrid)
            if which == FIRST:
                st.resolve_mismatch(code, first)
                note = f"{code} = {first}: верен первый ввод."
            elif which == SECOND:
                from ..services.double_entry import correct_first

                try:
                    correct_first(self.app.store, st.participant.guid, code, second)
                except (ProtocolRejected, ShtabError, LookupError, OSError) as e:
                    st.resolve_mismatch(code, None)
                    grid.resume()
                    self.say(f"Первый ввод не исправлен: {escape(user_message(e) or str(e))}", Level.ERROR)
                    return
                st.resolve_mismatch(code, second)
                note = f"{code} = {second}: верен второй ввод, первый ввод исправлен (F2 — история)."
            else:
                st.resolve_mismatch(code, None)
                note = f"{code}: введите балл заново."
            dropped = grid.resume() + dlg.swallowed
            if dropped:
                note += f" Нажатия после расхождения ({dropped}) не приняты: продолжайте с {st.current or 'Enter'}."
            self.say(note, Level.WARNING if which == AGAIN or dropped else Level.INFO)
            self._sticky = ("", Level.INFO)

        dlg = MismatchDialog(st.participant.short_fio, code, first, second)
        self.app.push_screen(dlg, decided)

    def on_criteria_grid_submit(self, event: CriteriaGrid.Submit) -> None:
        self.save()

    def action_status(self) -> None:
        if self.state is None:
            return
        self.state.cycle_status()
        self._show_status()
        self.query_one(CriteriaGrid).refresh()
        if self.state.status is not ProtocolStatus.PRESENT:
            self.say(f"Отметка: {self.state.status.label}. Баллы не выставляются; Enter — сохранить.")
        else:
            self.say("")

    def _show_status(self) -> None:
        st = self.state
        txt = "" if st is None or st.status is ProtocolStatus.PRESENT else f"[b]► {st.status.label}[/b]"
        self.query_one("#entry-status", Static).update(txt)

    def _save_current(self):
        """Save the open protocol; its result, or None when refused (the screen says why)."""
        st = self.state
        grid = self.query_one(CriteriaGrid)
        if st is None:
            grid.cancel_pending()
            return None
        try:
            res = save_protocol(self.app.store, st.protocol(), self.table)
        except ProtocolRejected as e:
            self._not_saved("; ".join(x.split(": ", 1)[-1] for x in e.problems))
            return None
        except (ShtabError, OSError) as e:  # the disk refused: the typed protocol stays here
            self._not_saved(failure_text(e), keep_place=True)
            return None
        st.saved_as()
        self.saves += 1
        self.last_variant = st.variant
        self.last_expert = st.expert
        self.last_scheme = st.scheme_no
        return res

    def _not_saved(self, why: str, keep_place: bool = False) -> None:
        grid = self.query_one(CriteriaGrid)
        grid.cancel_pending()
        self.app.bell()
        if self.state is not None and not keep_place:
            self.state.to_first_missing()
        grid.refresh()
        self.say(f"Не сохранено: {why}", Level.ERROR)

    def save(self) -> None:
        st = self.state
        res = self._save_current()
        if res is None:
            return
        p = st.participant
        grid = self.query_one(CriteriaGrid)
        result = st.status.label if st.status is not ProtocolStatus.PRESENT else f"{res.total} б., {res.result_label}"
        nxt = self._next_after(p)
        tail = ""
        if nxt is None:
            tail = f" Аудитория {self.room}: все протоколы внесены. F5 — следующая аудитория."
        self._saved_note = f"Сохранено: {p.short_fio} — {result}.{tail}"
        if nxt is not None:
            self.choose(nxt, from_stack=True)
        else:
            self.offered = None
            self.state = None
            self.query_one("#entry-who", Static).update("")
            self._fill_list(highlight=p.guid)
            self.say(self._saved_note, Level.OK)
            self._saved_note = ""
            grid.set_state(None)  # pick mode; replays keys typed after the Enter
            grid.focus()
            self._show_pick()

    def _next_after(self, saved: Participant) -> Optional[Participant]:
        """Where the stack goes after `saved`: on from there when it was the stack's own place,
        back to that place after a participant picked out of order."""
        done = self._done()
        back = self.app.store.participant(self.offered) if self.offered else None
        if back is None or back.guid == saved.guid:
            return next_in_stack(self.stack, saved.guid, done)
        if back.room != self.room:
            self._set_room(back.room)
        if left_to_type(back, done):
            return back
        return next_in_stack(self.stack, back.guid, done)

    # -- history ---------------------------------------------------------------
    def action_history(self) -> None:
        if self.state is None:
            self.say("Сначала выберите участника.", Level.WARNING)
            return
        p = self.state.participant
        self.app.push_screen(HistoryScreen(p.short_fio, history_lines(self.app.store, p.guid, self.table)))
