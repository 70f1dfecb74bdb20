"""F2 «Участники»: the roster review, type-to-search, filters, editing, absentees «Н»,
multi-select and moving to a room."""
from __future__ import annotations

from typing import Optional

from rich.markup import escape
from rich.text import Text
from textual.geometry import Size
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from ..domain.layout import HINT as LATIN_HINT
from ..domain.layout import LATIN_KEYS
from ..domain.models import Participant
from ..services import distribute as dist
from ..services import roster as svc
from ..services.data import scheme_for
from ..services.rooms import room_infos
from ..widgets.status_line import StatusLine
from .base import BaseScreen
from .dialogs import Confirm
from .organizer_modals import FilterModal, MoveModal, ParticipantModal, toggle_absent

COLUMNS = tuple((key, label) for key, label, _ in svc.COLUMNS)  # the row model: services/roster
WIDTHS = {key: width for key, _, width in svc.COLUMNS}
SEARCH_CHARS = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюя-") | {c.casefold() for c in LATIN_KEYS}


class RosterTable(DataTable):
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

    def set_rows(self, rows) -> list:
        """clear() + add_rows() in one pass: add_row() updates the cursor and counters per
        row, which dominates a rebuild of 2,500 rows. Falls back to the public API if the
        DataTable internals differ (textual is pinned)."""
        rows = list(rows)
        self.clear()
        try:
            from textual.widgets._data_table import Row, RowKey

            col_keys = [c.key for c in self.ordered_columns]
            locations, data, table_rows = self._row_locations, self._data, self.rows
            keys = []
            for i, cells in enumerate(rows):
                key = RowKey(None)
                locations[key] = i
                data[key] = dict(zip(col_keys, cells))
                table_rows[key] = Row(key, 1, None, False)
                keys.append(key)
            self._new_rows.update(keys)
            self._require_update_dimensions = True
            self._update_count += 1
        except (ImportError, AttributeError, TypeError):
            self.clear()
            return self.add_rows(rows)
        self.cursor_coordinate = self.cursor_coordinate
        if keys and self.show_cursor and self.cursor_type != "none":
            self._highlight_cursor()
        self.check_idle()
        self.refresh()
        return keys

    def _update_dimensions(self, new_rows) -> None:
        """DataTable measures every cell of every new row to size auto-width columns; ours
        are all fixed-width and one line high, so only the virtual size is needed. This
        makes rebuilding 2,500 rows several times faster (bench/roster.py)."""
        if any(c.auto_width for c in self.columns.values()):
            super()._update_dimensions(new_rows)
            return
        width = sum(c.get_render_width(self) for c in self.columns.values())
        header = self.header_height if self.show_header else 0
        self.virtual_size = Size(width + self._row_label_column_width,
                                 self._total_row_height + header)


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
        self._all: list[Participant] = []
        self._keys: dict[str, str] = {}
        self._shown: list[Participant] = []
        self._shown_query = ""
        self._row_keys: dict[str, object] = {}
        self._short: dict[str, str] = {}
        self._pending = None
        self.filter_applies = 0  # how many times the table was rebuilt (tests, bench)
        self.fio_width = svc.MIN_FIO_WIDTH

    # -- layout -------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="roster-status")
        table = RosterTable(id="roster-table", cursor_type="row", zebra_stripes=True)
        yield table
        yield Static(id="roster-detail")
        yield StatusLine(id="org-msg")
        yield Footer(compact=True, classes="org-footer")

    def on_mount(self) -> None:
        table = self.query_one(RosterTable)
        self.fio_width = svc.fio_width(self.app.size.width)
        for key, label in COLUMNS:
            table.add_column(label, key=key, width=self.fio_width if key == "fio" else WIDTHS[key])
        self.reload()
        table.focus()

    def on_screen_resume(self) -> None:
        self.reload()

    # -- data ---------------------------------------------------------------------------
    def reload(self) -> None:
        store = self.app.store
        self._all = store.participants()
        self._keys = {p.guid: svc.search_key(p) for p in self._all}
        sch = scheme_for(store)
        self._cat = {c.id: (c.short or c.name) for c in sch.categories}
        self._default_cat = sch.default_category
        self.selected &= set(self._keys)
        self._shown_query = None  # force a full refilter
        self.apply_filter()

    def _row(self, p: Participant) -> tuple:
        cells = svc.row_cells(p, selected=p.guid in self.selected, width=self.fio_width,
                              categories=self._cat, default_category=self._default_cat)
        if p.absent:  # «Н» stands out
            return (*cells[:-1], Text(cells[-1], style="bold red"))
        return cells

    def apply_filter(self) -> None:
        """Rebuild the table for the current filter. Typing more letters narrows the previous
        result instead of scanning every participant again."""
        self._pending = None
        flt = self.flt
        q = svc.normalize_query(flt.text)
        prev = self._shown_query
        if prev is not None and q.startswith(prev) and self._shown is not None and prev != q:
            source = self._shown
        else:
            source = self._all
        keys = self._keys
        shown = [p for p in source if flt.matches(p, keys[p.guid])]
        self._shown = shown
        self._shown_query = q
        table = self.query_one(RosterTable)
        current = self.current_guid()
        row_keys = table.set_rows(self._row(p) for p in shown)
        self._row_keys = {p.guid: k for p, k in zip(shown, row_keys)}
        self.filter_applies += 1
        if current in self._row_keys:
            table.move_cursor(row=table.get_row_index(self._row_keys[current]))
        self.update_status()

    def schedule_filter(self) -> None:
        """Coalesce fast typing: rebuild once the keys stop for a moment."""
        if self._pending is not None:
            self._pending.stop()
        self._pending = self.set_timer(0.03, self.apply_filter)
        self.update_status()

    def update_status(self) -> None:
        total = len(self._all)
        shown = len(self._shown)
        absent = sum(p.absent for p in self._all)
        parts = [f"всего {total}", f"показано {shown}"]
        if self.selected:
            parts.append(f"отмечено {len(self.selected)}")
        parts.append(f"«Н»: {absent}")
        if self.flt.active:
            parts.append(f"отбор: {self.flt.describe()} (Ctrl+R — сброс)")
        search = f"Поиск: [b]{escape(self.flt.text)}[/b]▏" if self.flt.text else "Поиск: наберите фамилию"
        if self.flt.latin:
            search += f" → [b]{escape(svc.normalize_query(self.flt.text))}[/b] ({LATIN_HINT})"
        reviewed = "[green]список проверен[/]" if svc.is_reviewed(self.app.store) else \
            "[yellow]не проверен (F9)[/]"
        self.query_one("#roster-status", Static).update(
            f"{search}  ·  " + " · ".join(parts) + f"  ·  {reviewed}")
        self.update_detail()

    def update_detail(self) -> None:
        p = self.current()
        box = self.query_one("#roster-detail", Static)
        if p is None:
            box.update("Нет участников по условиям поиска." if self._all else
                       "Список пуст: загрузите список участников.")
            return
        bits = [f"[b]{p.fio}[/b]", p.grade or "класс не указан"]
        if p.birth_date:
            bits.append(f"{p.birth_date:%d.%m.%Y}")
        if p.doc_number:
            bits.append(f"док. {p.doc_series} {p.doc_number}".replace("  ", " "))
        if p.is_ovz:
            bits.append("ОВЗ: Резерв 22, категория НЕ ВЫБРАНА" if p.category_unset
                        else f"ОВЗ: {self._cat.get(p.category, 'Резерв 22, категория не указана')}")
        if p.ovz_basis:
            bits.append(f"{p.ovz_basis} № {p.ovz_doc_number or '—'}"
                        + (f" от {p.ovz_doc_date:%d.%m.%Y}" if p.ovz_doc_date else ""))
        if p.conditions:
            bits.append("условия: " + ", ".join(p.conditions))
        if p.remote:
            bits.append("дистанционно")
        if p.added_locally:
            bits.append("добавлен в школе")
        box.update(" · ".join(bits))

    # -- cursor -------------------------------------------------------------------------
    def current(self) -> Optional[Participant]:
        table = self.query_one(RosterTable)
        if not self._shown or table.row_count == 0:
            return None
        row = table.cursor_row
        if row is None or not 0 <= row < len(self._shown):
            return None
        return self._shown[row]

    def current_guid(self) -> Optional[str]:
        p = self.current()
        return p.guid if p else None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.update_detail()

    def _refresh_row(self, p: Participant) -> None:
        """Put a changed participant back into the lists and its row, without a rebuild."""
        for lst in (self._all, self._shown):
            for i, q in enumerate(lst):
                if q.guid == p.guid:
                    lst[i] = p
        self._keys[p.guid] = svc.search_key(p)
        key = self._row_keys.get(p.guid)
        if key is not None:
            table = self.query_one(RosterTable)
            for (col, _), value in zip(COLUMNS, self._row(p)):
                table.update_cell(key, col, value)
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
        if table.cursor_row < table.row_count - 1:
            table.move_cursor(row=table.cursor_row + 1)

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

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def action_edit(self) -> None:
        p = self.current()
        if p is None:
            return
        store = self.app.store
        modal = ParticipantModal(p, svc.category_choices(store), [r.number for r in store.rooms()])

        def done(result) -> None:
            if not result:
                return
            changes = {k: v for k, v in result.items() if getattr(p, k) != v}
            if not changes:
                return
            try:
                new = svc.edit_participant(store, p.guid, **changes)
            except svc.RosterError as e:
                self.say(str(e), "error")
                return
            self.say(f"Сохранено: {new.short_fio}", "ok")
            warning = svc.placement_warning(store, new)
            if warning:
                self.say(warning, "warning")
            self.reload()

        self.app.push_screen(modal, done)

    def action_add(self) -> None:
        store = self.app.store
        modal = ParticipantModal(None, svc.category_choices(store), [r.number for r in store.rooms()])

        def done(result) -> None:
            if not result:
                return
            try:
                new = svc.add_participant(store, **result)
            except svc.RosterError as e:
                self.say(str(e), "error")
                return
            self.say(f"Добавлен: {new.short_fio}", "ok")
            self.flt = svc.RosterFilter()
            self.reload()
            if new.guid in self._row_keys:
                table = self.query_one(RosterTable)
                table.move_cursor(row=table.get_row_index(self._row_keys[new.guid]))

        self.app.push_screen(modal, done)

    def action_filter(self) -> None:
        store = self.app.store
        modal = FilterModal(self.flt, [r.number for r in store.rooms()], svc.grades(self._all))

        def done(result) -> None:
            if result is None:
                return
            self.flt = result
            self._shown_query = None
            self.apply_filter()

        self.app.push_screen(modal, done)

    def action_move(self) -> None:
        guids = [p.guid for p in self._all if p.guid in self.selected]
        if not guids:
            p = self.current()
            if p is None:
                return
            guids = [p.guid]
        store = self.app.store
        moving = [p for p in self._all if p.guid in guids]
        need_access = any(p.is_ovz for p in moving)
        ends = {t.room: t.end for t in dist.timetables(store, self._all)}
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
        ovz = sum(p.is_ovz for p in self._all)
        q = (f"Отметить список проверенным?\n\nУчастников: {len(self._all)}, из них с ОВЗ "
             f"(Резерв = 22): {ovz}. Проверьте категории участников с ОВЗ (F4 → ОВЗ).")

        def done(ok) -> None:
            if ok:
                svc.mark_reviewed(store, True)
                self.say("Список отмечен как проверенный", "ok")
                self.update_status()

        self.app.push_screen(Confirm(q, "Enter — список проверен", "Esc — ещё нет"), done)
