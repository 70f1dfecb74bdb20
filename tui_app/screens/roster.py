"""F2 «Участники»: the roster review, type-to-search, filters, editing, absentees «Н»,
multi-select and moving to a room."""
from __future__ import annotations

from typing import Optional, Sequence

from bisect import bisect_left

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.markup import escape
from textual.widgets import Footer, Header

from ..domain.layout import HINT as LATIN_HINT
from ..domain.layout import LATIN_KEYS
from ..domain.models import Participant
from ..services import distribute as dist
from ..services import roster as svc
from ..services.data import scheme_for
from ..services.rooms import room_infos
from ..widgets.status_line import StatusLine
from .base import BaseScreen
from ..widgets.info_line import InfoLine
from ..widgets.line_table import Column, LineTable
from .dialogs import Confirm
from .organizer_modals import FilterModal, MoveModal, ParticipantModal, toggle_absent

COLUMNS = tuple((key, label) for key, label, _ in svc.COLUMNS)  # the row model: services/roster
WIDTHS = {key: width for key, _, width in svc.COLUMNS}
SEARCH_CHARS = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюя-") | {c.casefold() for c in LATIN_KEYS}


class RosterTable(LineTable):
    """The roster table; its keys act on the row under the cursor (or the selected rows)."""

    BINDINGS = [
        Binding("space", "screen.toggle_select", "Выбор", key_display="Пробел", id="select",
                tooltip="отметить строку (для перевода нескольких сразу)"),
        Binding("f8", "screen.toggle_absent", "«Н»", id="absent",
                tooltip="неявка «Н» (повторно — снять)"),
        Binding("f6", "screen.move", "Перевести", id="move",
                tooltip="в другую аудиторию: отмеченных или текущего"),
        Binding("f4", "screen.filter", "Отбор", id="filter",
                tooltip="по аудитории, классу, ОВЗ, явке"),
        Binding("f5", "screen.reset_filter", "Сброс", id="filter-reset", tooltip="сбросить отбор"),
        Binding("ctrl+r", "screen.reset_filter", "Сброс", show=False, id="filter-reset"),
        Binding("insert", "screen.add", "Новый", key_display="Ins", id="add",
                tooltip="добавить участника, которого нет в загруженном списке"),
        Binding("ctrl+n", "screen.add", "Новый", show=False, id="add"),
        Binding("f9", "screen.reviewed", "Проверен", id="reviewed",
                tooltip="«Список проверен» — отметка в списке дел"),
    ]


class RosterScreen(BaseScreen):
    HELP_TITLE = "Участники (F2)"
    HELP = """\
**Список участников** — проверка списка накануне и отметки в день собеседования.

- **Набирайте фамилию** — список сужается с каждой буквой (раскладка любая для кириллицы:
  печатайте по-русски). **Backspace** стирает букву, **Esc** очищает поиск.
- **Enter** — открыть участника: ФИО, класс, документ, **категория ОВЗ** (от неё зависят
  критерии и минимум для зачёта), аудитория.
- **[[absent]]** — отметить неявку «Н» (повторно — снять). Если у участника уже есть
  протокол или время в ИС-02, программа спросит; такое противоречие покажет «Проверка».
- **[[select]]** — отметить строку; **[[move]]** — переместить отмеченных (или текущего) в аудиторию.
- **[[filter]]** — отбор по аудитории, классу, ОВЗ (Резерв = 22), явке; **[[filter-reset]]** — сбросить отбор.
- **[[add]]** — добавить участника, которого нет в загруженном списке.
- **[[reviewed]]** — «Список проверен»: отметка в списке дел главного экрана.
- **[[remote]]** — участник сдаёт **дистанционно** (повторно — очно): он попадает в график
  подключения (F3, `is-shtab forms график`). «22?» в столбце ОВЗ — «Резерв = 22» без
  выбранной категории: баллы не вносятся, пока категория не выбрана (Enter).
- Набранная в латинской раскладке фамилия («Bdfyjd») тоже найдётся — с подсказкой.
"""
    BINDINGS = BaseScreen.BINDINGS + [
        Binding("backspace", "search_back", "Стереть", show=False),
        Binding("f7,ctrl+d", "toggle_remote", "Дистанционно", id="remote", show=False,
                tooltip="дистанционно ↔ очно"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.flt = svc.RosterFilter()
        self.selected: set[str] = set()
        self._index = svc.SearchIndex([])
        self._shown: Sequence[Participant] = []
        self._absent = 0
        self._reviewed = False
        self._filter_due = False
        self.filter_applies = 0  # how many times the table was rebuilt (tests, bench)
        self.fio_width = svc.MIN_FIO_WIDTH

    # -- layout -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        yield InfoLine(id="roster-status")
        yield RosterTable(self._columns(), cells=self._row, key=lambda p: p.guid, id="roster-table")
        yield InfoLine(id="roster-detail")
        yield StatusLine(id="org-msg")
        yield Footer(compact=True, classes="org-footer")

    def _columns(self) -> list[Column]:
        return [Column(key, label, self.fio_width if key == "fio" else WIDTHS[key])
                for key, label in COLUMNS]

    def on_mount(self) -> None:
        table = self.query_one(RosterTable)
        self.fio_width = svc.fio_width(self.app.size.width)
        table.set_columns(self._columns())
        self.reload()
        table.focus()

    def on_screen_resume(self) -> None:
        self.reload()

    # -- data ---------------------------------------------------------------------------
    def reload(self) -> None:
        store = self.app.store
        self._index = svc.SearchIndex(store.participants())
        self._absent = sum(p.absent for p in self.everyone)
        self._reviewed = svc.is_reviewed(store)
        sch = scheme_for(store)
        self._cat = {c.id: (c.short or c.name) for c in sch.categories}
        self._default_cat = sch.default_category
        self.selected &= set(self._index.pos)
        self.apply_filter()

    def _row(self, p: Participant) -> tuple:
        cells = svc.row_cells(p, selected=p.guid in self.selected, width=self.fio_width,
                              categories=self._cat, default_category=self._default_cat)
        if p.absent:  # «Н» stands out
            return (*cells[:-1], Text(cells[-1], style="bold red"))
        return cells

    @property
    def everyone(self) -> list[Participant]:
        """Every participant, in roster order."""
        return self._index.people

    def _index_in(self, rows: Sequence[Participant], guid: Optional[str]) -> Optional[int]:
        """Where a participant is in a result (every result keeps the order of _all)."""
        where = self._index.pos
        pos = where.get(guid) if guid else None
        if pos is None:
            return None
        i = bisect_left(rows, pos, key=lambda p: where[p.guid])
        return i if i < len(rows) and rows[i].guid == guid else None

    def apply_filter(self) -> None:
        """Show the rows of the current filter (only the rows on screen are drawn)."""
        self._filter_due = False
        shown = svc.select(self._index, self.flt)
        table = self.query_one(RosterTable)
        at = self._index_in(shown, self.current_guid())
        self._shown = shown
        table.set_rows(shown, cursor=at)
        self.filter_applies += 1
        self.update_status()

    def schedule_filter(self) -> None:
        """Coalesce fast typing: the filter runs once the keys already queued are handled
        (no timer: a single key is shown at once)."""
        if not self._filter_due:
            self._filter_due = True
            self.call_later(self._filter_if_due)
        self.update_status()

    def _filter_if_due(self) -> None:
        if self._filter_due:
            self.apply_filter()

    def update_status(self) -> None:
        total = len(self.everyone)
        shown = len(self._shown)
        parts = [f"всего {total}", f"показано {shown}"]
        if self.selected:
            parts.append(f"отмечено {len(self.selected)}")
        parts.append(f"«Н»: {self._absent}")
        if self.flt.active:
            parts.append(f"отбор: {self.flt.describe()} (Ctrl+R — сброс)")
        search = f"Поиск: [b]{escape(self.flt.text)}[/b]▏" if self.flt.text else "Поиск: наберите фамилию"
        if self.flt.latin:
            search += f" → [b]{escape(svc.normalize_query(self.flt.text))}[/b] ({LATIN_HINT})"
        reviewed = "[green]список проверен[/]" if self._reviewed else "[yellow]не проверен (F9)[/]"
        self.query_one("#roster-status", InfoLine).show(
            f"{search}  ·  " + " · ".join(parts) + f"  ·  {reviewed}")
        self.update_detail()

    def update_detail(self) -> None:
        p = self.current()
        box = self.query_one("#roster-detail", InfoLine)
        if p is None:
            box.show("Нет участников по условиям поиска." if self.everyone else
                     "Список пуст: загрузите список участников.")
            return
        bits = [f"[b]{escape(p.fio)}[/b]", escape(p.grade) or "класс не указан"]
        if p.birth_date:
            bits.append(f"{p.birth_date:%d.%m.%Y}")
        if p.doc_number:
            bits.append(escape(f"док. {p.doc_series} {p.doc_number}".replace("  ", " ")))
        if p.is_ovz:
            bits.append("ОВЗ: Резерв 22, категория НЕ ВЫБРАНА" if p.category_unset
                        else f"ОВЗ: {escape(self._cat.get(p.category, 'Резерв 22, категория не указана'))}")
        if p.ovz_basis:
            bits.append(escape(f"{p.ovz_basis} № {p.ovz_doc_number or '—'}"
                               + (f" от {p.ovz_doc_date:%d.%m.%Y}" if p.ovz_doc_date else "")))
        if p.conditions:
            bits.append(escape("условия: " + ", ".join(p.conditions)))
        if p.remote:
            bits.append("дистанционно")
        if p.added_locally:
            bits.append("добавлен в школе")
        box.show(" · ".join(bits))

    # -- cursor -------------------------------------------------------------------------
    def current(self) -> Optional[Participant]:
        return self.query_one(RosterTable).current()

    def current_guid(self) -> Optional[str]:
        p = self.current()
        return p.guid if p else None

    def on_line_table_row_highlighted(self, event: LineTable.RowHighlighted) -> None:
        self.update_detail()

    def _refresh_row(self, p: Participant) -> None:
        """Put a changed participant back into the lists and its row, without a rebuild."""
        index = self._index
        if p.guid in index.pos:
            old = index.people[index.pos[p.guid]]
            index.replace(p)
            self._absent += p.absent - old.absent
        at = self._index_in(self._shown, p.guid)
        if at is not None:
            if self._shown is not index.people:
                self._shown[at] = p  # type: ignore[index]  # a result is always our own list
            self.query_one(RosterTable).refresh_row(at)
        self.update_status()

    # -- typing = search ----------------------------------------------------------------
    def on_key(self, event: events.Key) -> None:
        if not isinstance(self.focused, RosterTable):
            return
        ch = event.character
        if ch and ch.casefold() in SEARCH_CHARS and not event.key.startswith("ctrl"):
            event.stop()
            event.prevent_default()
            self.flt = svc.RosterFilter(**{**self.flt.__dict__, "text": self.flt.text + ch})
            self.schedule_filter()

    def action_search_back(self) -> None:
        if self.flt.text:
            self.flt = svc.RosterFilter(**{**self.flt.__dict__, "text": self.flt.text[:-1]})
            self.schedule_filter()

    def action_back(self) -> None:
        if self.flt.text:
            self.flt = svc.RosterFilter(**{**self.flt.__dict__, "text": ""})
            self.apply_filter()
            return
        super().action_back()

    def action_reset_filter(self) -> None:
        self.flt = svc.RosterFilter(text=self.flt.text)
        self.apply_filter()

    # -- actions ------------------------------------------------------------------------
    def action_toggle_select(self) -> None:
        p = self.current()
        if p is None:
            return
        if p.guid in self.selected:
            self.selected.discard(p.guid)
        else:
            self.selected.add(p.guid)
        self._refresh_row(p)
        table = self.query_one(RosterTable)
        table.move_cursor(table.cursor_row + 1)

    def action_toggle_absent(self) -> None:
        p = self.current()
        if p is not None:
            toggle_absent(self, p, self._refresh_row)

    def action_toggle_remote(self) -> None:
        """F7 (Ctrl+D): the participant sits the exam «дистанционно» (seed 002) — or not."""
        p = self.current()
        if p is None:
            return
        ok, new = self.attempt(svc.edit_participant, self.app.store, p.guid, remote=not p.remote)
        if not ok:
            return
        self._refresh_row(new)
        self.say(f"{new.short_fio}: " + ("дистанционно — в графике подключения (F3)"
                                         if new.remote else "очно"))

    def on_line_table_row_selected(self, event: LineTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def action_edit(self) -> None:
        p = self.current()
        if p is None:
            return
        store = self.app.store

        def apply(result) -> Optional[Participant]:  # a refusal shows in the form, as typed
            changes = {k: v for k, v in result.items() if getattr(p, k) != v}
            return svc.edit_participant(store, p.guid, **changes) if changes else None

        def done(new: Optional[Participant]) -> None:
            if new is None:
                return
            self.say(f"Сохранено: {new.short_fio}", "ok")
            warning = svc.placement_warning(store, new)
            if warning:
                self.say(warning, "warning")
            self.reload()

        self.app.push_screen(ParticipantModal(p, svc.category_choices(store),
                                              [r.number for r in store.rooms()], apply=apply), done)

    def action_add(self) -> None:
        store = self.app.store

        def done(new: Optional[Participant]) -> None:
            if new is None:
                return
            self.say(f"Добавлен: {new.short_fio}", "ok")
            self.flt = svc.RosterFilter()
            self.reload()
            at = self._index_in(self._shown, new.guid)
            if at is not None:
                self.query_one(RosterTable).move_cursor(at)

        self.app.push_screen(ParticipantModal(
            None, svc.category_choices(store), [r.number for r in store.rooms()],
            apply=lambda result: svc.add_participant(store, **result)), done)

    def action_filter(self) -> None:
        store = self.app.store
        modal = FilterModal(self.flt, [r.number for r in store.rooms()], svc.grades(self.everyone))

        def done(result) -> None:
            if result is None:
                return
            self.flt = result
            self.apply_filter()

        self.app.push_screen(modal, done)

    def action_move(self) -> None:
        guids = [p.guid for p in self.everyone if p.guid in self.selected]
        if not guids:
            p = self.current()
            if p is None:
                return
            guids = [p.guid]
        store = self.app.store
        moving = [p for p in self.everyone if p.guid in guids]
        need_access = any(p.is_ovz for p in moving)
        ends = {t.room: t.end for t in dist.timetables(store, self.everyone)}
        options = []
        for info in room_infos(store):
            r = info.room
            ok = (not need_access or r.accessible) and info.seated + len(guids) <= r.capacity
            label = (f"{r.number:<6} {info.seated:>3}/{r.capacity:<3} до {ends.get(r.number).strftime('%H:%M') if r.number in ends else '—'}"
                     + ("  доступна (ОВЗ)" if r.accessible else ""))
            if not ok:
                label += "  — нельзя: " + ("не для ОВЗ" if need_access and not r.accessible else "нет мест")
            options.append((r.number, label, ok))
        options.append(("", "без аудитории (снять распределение)", True))
        title = f"Куда переместить {len(guids)} уч.?" if len(guids) > 1 else \
            f"Куда переместить: {moving[0].short_fio}?"

        def done(room) -> None:
            if room is None:
                return
            try:
                moved = dist.move(store, guids, room)
            except dist.DistributeError as e:
                self.say(str(e), "error")
                return
            self.selected.clear()
            self.say(f"Перемещено: {len(moved)} → {room or 'без аудитории'}", "ok")
            self.reload()

        self.app.push_screen(MoveModal(title, options), done)

    def action_reviewed(self) -> None:
        store = self.app.store
        ovz = sum(p.is_ovz for p in self.everyone)
        q = (f"Отметить список проверенным?\n\nУчастников: {len(self.everyone)}, из них с ОВЗ "
             f"(Резерв = 22): {ovz}. Проверьте категории участников с ОВЗ (F4 → ОВЗ).")

        def done(ok) -> None:
            if ok:
                svc.mark_reviewed(store, True)
                self.say("Список отмечен как проверенный", "ok")
                self.update_status()

        self.app.push_screen(Confirm(q, "Enter — список проверен", "Esc — ещё нет"), done)
