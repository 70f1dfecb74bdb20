"""F4: typing protocols ИС-03 into the specialized form ИС-04, one stack per room.

Keys for a whole protocol of the general scheme (the next participant of the stack is
already chosen, the variant prefilled with the previous one): Enter (variant) + 13 digits
(each valid digit fills a criterion and moves on) + Enter (save) = 15 keys.
"""
from __future__ import annotations

from typing import Optional

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from rich.markup import escape

from ..domain.models import Attendance, Participant, ProtocolStatus
from ..errors import ShtabError, user_message
from ..services.data import scheme_for
from ..services.entry import (
    PASS2_TABLE,
    EntryState,
    expert_of_room,
    list_number,
    load_protocol,
    next_in_stack,
    pick,
    room_list,
    rooms_with_participants,
)
from ..services.protocols import ProtocolRejected, save_protocol
from ..widgets.criteria_grid import CriteriaGrid
from .base import BaseScreen

FIELD_NAMES = {"variant": "вариант", "scheme": "схема", "expert": "эксперт", "status": "отметка"}


class HistoryScreen(ModalScreen[None]):
    """Who changed what and when in one protocol (from the audit log)."""

    BINDINGS = [Binding("escape", "close", "Закрыть"), Binding("f2", "close", "Закрыть"),
                Binding("enter", "close", "Закрыть", show=False)]

    def __init__(self, title: str, lines: list[str]) -> None:
        super().__init__()
        self._title = title
        self._lines = lines

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="history-box"):
            yield Static(f"[b]История изменений — {self._title}[/b]", id="history-title")
            yield Static("\n".join(self._lines) or "Изменений ещё не было: протокол не сохранялся.",
                         id="history-lines", markup=False)
            yield Static("Esc — закрыть", id="history-hint")

    def action_close(self) -> None:
        self.dismiss(None)


def history_lines(store, guid: str, table: Optional[str] = None) -> list[str]:
    entity = "protocol" if table is None else table
    out = []
    for e in store.audit.for_key(guid):
        if e.entity != entity:
            continue
        fld = e.field.removeprefix("scores.")
        fld = FIELD_NAMES.get(fld, fld)
        show = lambda v: "—" if v in (None, "", {}) else str(v)  # noqa: E731
        out.append(f"{e.at.replace('T', ' ')}  {e.who}: {fld} {show(e.old)} → {show(e.new)}")
    return out


class EntryScreen(BaseScreen):
    HELP_TITLE = "Ввод протоколов ИС-03"
    HELP = """\
**Ввод протоколов ИС-03** в специализированную форму ИС-04 — стопкой по аудитории.

1. Выберите участника: наберите **номер в списке аудитории** или **начало фамилии**, Enter.
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

- **←/→** — по критериям, **Backspace** — стереть предыдущий балл, **Delete** — текущий
- **F3** — отметка: оценён → не завершил по объективным причинам → удалён
- **F2** — история изменений этого протокола (кто и когда менял баллы)
- **F5** — следующая аудитория
- **Ctrl+F** — выбрать другого участника (Esc — вернуться к текущему)

Второй ввод **со сверкой** (двойной ввод): балл, не совпавший с первым вводом, останавливает
ввод с сигналом — **F2** верен первый, **F3** верен второй (первый ввод исправляется),
**F4** ввести заново. Цифры, набранные после расхождения, не принимаются.
"""
    BINDINGS = BaseScreen.BINDINGS + [
        Binding("f2", "history", "История", id="history"),
        Binding("f3", "status", "Отметка", id="status"),
        Binding("f5", "next_room", "Аудитория", id="next_room"),
        Binding("ctrl+f", "focus_pick", "Участник", id="pick"),
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
        self.last_variant = ""
        self.last_expert = ""
        self.last_scheme = 1
        self.saves = 0
        self._saved_note = ""
        self._sticky = ""

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
                yield Static(id="entry-msg")
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
            self._msg("Участники ещё не распределены по аудиториям (F3 на главном экране).", "warning")
        self._start_pick()

    # -- rooms and the list ----------------------------------------------------
    def _set_room(self, room: str) -> None:
        self.room = room
        self.stack = room_list(self.app.store, room)
        exp = expert_of_room(self.app.store, next((r for r in self.app.store.rooms() if r.number == room), None))
        self.query_one("#entry-room", Static).update(
            f"[b]Аудитория {room}[/b] · {len(self.stack)} чел.\n[dim]Эксперт: {exp or '—'}[/dim]")
        self._fill_list()

    def _done(self) -> dict:
        store = self.app.store
        if self.table:
            from ..domain.models import Protocol
            return {p.participant: p for p in store.all(Protocol, self.table)}
        return store.protocols()

    def _fill_list(self, highlight: Optional[str] = None) -> None:
        done = self._done()
        ol = self.query_one("#entry-list", OptionList)
        ol.clear_options()
        for p in self.stack:
            no = list_number(p, self.stack)
            if p.attendance is Attendance.ABSENT:
                mark = "Н"
            elif p.guid in done:
                st = done[p.guid].status
                mark = {"present": "✔", "early": "доср", "removed": "удал"}[st.value]
            else:
                mark = ""
            name = p.short_fio
            if len(name) > 19:
                name = name[:18] + "…"
            ol.add_option(Option(f"{no:>3} {name:<19} {mark}", id=p.guid))
        target = highlight or (self.state.participant.guid if self.state else None)
        if target:
            try:
                ol.highlighted = ol.get_option_index(target)
            except Exception:  # noqa: BLE001 - not in this room
                pass

    def action_next_room(self) -> None:
        if not self.rooms:
            return
        i = self.rooms.index(self.room) if self.room in self.rooms else -1
        self._set_room(self.rooms[(i + 1) % len(self.rooms)])
        self._start_pick()

    def action_focus_pick(self) -> None:
        self._start_pick()

    def _start_pick(self) -> None:
        grid = self.query_one(CriteriaGrid)
        grid.start_pick()
        grid.focus()
        self._show_pick()

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

    def on_criteria_grid_pick_changed(self, event: CriteriaGrid.PickChanged) -> None:
        self._show_pick()
        found = pick(self.stack, event.text, self.app.store.participants())
        if found:
            if found[0].room != self.room and found[0].room:
                self._set_room(found[0].room)
            self._fill_list(highlight=found[0].guid)

    def on_criteria_grid_pick_submit(self, event: CriteriaGrid.PickSubmit) -> None:
        self._pick_submit(event.text)

    def _show_pick(self) -> None:
        grid = self.query_one(CriteriaGrid)
        box = self.query_one("#entry-pick", Static)
        if grid.pick_mode:
            box.update(f"[reverse]№ или фамилия: {escape(grid.pick_text)}▏[/reverse]")
        else:
            box.update("[dim]Ctrl+F — другой участник[/dim]")

    def _pick_submit(self, text: str) -> None:
        text = text.strip()
        ol = self.query_one("#entry-list", OptionList)
        found = pick(self.stack, text, self.app.store.participants()) if text else []
        if not found and not text and ol.highlighted is not None:
            guid = ol.get_option_at_index(ol.highlighted).id
            found = [p for p in self.stack if p.guid == guid]
        if not found:
            self.query_one(CriteriaGrid).cancel_pending()
            self._msg(f"В аудитории {self.room} нет участника «{text}»: наберите номер в списке "
                      "или начало фамилии.", "error")
            self.app.bell()
            return
        self.choose(found[0])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        p = next((p for p in self.stack if p.guid == event.option.id), None)
        if p is not None:
            self.choose(p)

    def choose(self, p: Participant, field: Optional[str] = None) -> None:
        store = self.app.store
        grid = self.query_one(CriteriaGrid)
        if p.attendance is Attendance.ABSENT:
            grid.cancel_pending()
            self._msg(f"{p.short_fio} отмечен «Н» (не явился): протокол не вносится.", "warning")
            self.app.bell()
            return
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
            f"[b]{p.fio}[/b]\nкласс {p.grade or '—'} · ауд. {p.room} · № {no} · "
            f"{cat.short or cat.name}{' (ОВЗ)' if p.is_ovz else ''}{extra}")
        self._show_status()
        self._fill_list()
        note, self._saved_note = self._saved_note, ""
        if st.existing:
            note = (note + " " if note else "") + "Протокол уже сохранён: исправления попадут в журнал (F2)."
        refusal = category_refusal(p)
        if refusal:  # never silently «Общая» (issue 17)
            self._msg(refusal, "warning")
            return
        self._msg(note)
        self._sticky = note
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
            self._msg(event.message, "error")
        elif self.state and self.state.cursor is None and self.state.status is ProtocolStatus.PRESENT:
            self._msg("Все критерии заполнены: Enter — сохранить.")
        else:
            self._msg(self._sticky)  # «Сохранено: …» of the previous protocol stays in view

    def on_criteria_grid_mismatch(self, event: CriteriaGrid.Mismatch) -> None:
        """The pass stops at the differing digit: which one is right?"""
        from .mismatch import AGAIN, FIRST, SECOND, MismatchDialog

        st = self.state
        if st is None:
            self.query_one(CriteriaGrid).resume()
            return
        self.halts += 1
        code, first, second = event.code, event.first, event.second
        self._msg(f"Расхождение: {code} — первый ввод {first}, введено {second}.", "error")

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
                    self._msg(f"Первый ввод не исправлен: {escape(user_message(e) or str(e))}", "error")
                    return
                st.resolve_mismatch(code, second)
                note = f"{code} = {second}: верен второй ввод, первый ввод исправлен (F2 — история)."
            else:
                st.resolve_mismatch(code, None)
                note = f"{code}: введите балл заново."
            dropped = grid.resume() + dlg.swallowed
            if dropped:
                note += f" Нажатия после расхождения ({dropped}) не приняты: продолжайте с {st.current or 'Enter'}."
            self._msg(note, "warning" if which == AGAIN or dropped else "")
            self._sticky = ""

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
            self._msg(f"Отметка: {self.state.status.label}. Баллы не выставляются; Enter — сохранить.")
        else:
            self._msg("")

    def _show_status(self) -> None:
        st = self.state
        txt = "" if st is None or st.status is ProtocolStatus.PRESENT else f"[b yellow]{st.status.label}[/b yellow]"
        self.query_one("#entry-status", Static).update(txt)

    def save(self) -> None:
        st = self.state
        grid = self.query_one(CriteriaGrid)
        if st is None:
            grid.cancel_pending()
            return
        store = self.app.store
        try:
            res = save_protocol(store, st.protocol(), self.table)
        except ProtocolRejected as e:
            grid.cancel_pending()
            self.app.bell()
            st.to_first_missing()
            self.query_one(CriteriaGrid).refresh()
            self._msg("Не сохранено: " + "; ".join(x.split(": ", 1)[-1] for x in e.problems), "error")
            return
        except (ShtabError, OSError) as e:  # the disk refused: the typed protocol stays here
            grid.cancel_pending()
            self.app.bell()
            self._msg("Не сохранено: " + escape(user_message(e) or str(e)), "error")
            return
        self.saves += 1
        p = st.participant
        self.last_variant = st.variant
        self.last_expert = st.expert
        self.last_scheme = st.scheme_no
        result = st.status.label if st.status is not ProtocolStatus.PRESENT else f"{res.total} б., {res.result_label}"
        nxt = next_in_stack(self.stack, p.guid)
        tail = "" if nxt is not None else f" Аудитория {self.room} закончилась: F5 — следующая."
        self._saved_note = f"[green]Сохранено:[/green] {p.short_fio} — {result}.{tail}"
        if nxt is not None:
            self.choose(nxt)
        else:
            self.state = None
            self.query_one("#entry-who", Static).update("")
            self._fill_list(highlight=p.guid)
            self._msg(self._saved_note)
            self._saved_note = ""
            grid.set_state(None)  # pick mode; replays keys typed after the Enter
            grid.focus()
            self._show_pick()

    # -- history ---------------------------------------------------------------
    def action_history(self) -> None:
        if self.state is None:
            self._msg("Сначала выберите участника.", "warning")
            return
        p = self.state.participant
        self.app.push_screen(HistoryScreen(p.short_fio, history_lines(self.app.store, p.guid, self.table)))

    # -- messages --------------------------------------------------------------
    def _msg(self, text: str, kind: str = "") -> None:
        style = {"error": "red", "warning": "yellow"}.get(kind)
        markup = f"[{style}]{text}[/{style}]" if style and text else text
        if markup != getattr(self, "_last_msg", None):  # an unchanged line costs no re-layout
            self._last_msg = markup
            self.query_one("#entry-msg", Static).update(markup)
