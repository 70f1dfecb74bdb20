"""A table drawn line by line (Textual's Line API: `ScrollView` + `render_line`).

It shows a sequence of rows of any type through a `cells(row)` function and draws only the
rows on screen, so giving it a new list (a search narrowing 36,000 participants, a sort) costs
nothing until a row is drawn: no cell of a hidden row is ever formatted or measured. This is
what the roster (F2), the form ИС-04, the entry list and the timetable use for their big lists
instead of `DataTable`, which measures and stores every cell of every row on each rebuild.

- a row cursor (↑/↓, PgUp/PgDn, Ctrl+Home/Ctrl+End, Enter), messages `RowHighlighted` and
  `RowSelected`, each with the row index and the row itself;
- row keys: `key(row)` gives a row its identity, `index_of(key)` finds it in the current list;
- fixed-width columns, the first `frozen` of them always on screen (a name column that never
  scrolls away); horizontal jumps by column: ←/→ one column, Ctrl+←/Ctrl+→ a screenful,
  Home/End to the first/last columns.

Only public Textual API is used (ScrollView, Strip, LRUCache, component classes).
"""
from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import Any, Callable, Generic, Optional, Sequence, TypeVar, Union

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

T = TypeVar("T")
Cell = Union[str, Text]
PAD = 1  # blank cells on each side of a column


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int
    align: str = "left"  # "left", "right" or "center"

    @property
    def span(self) -> int:
        """Cells the column takes on screen, padding included."""
        return self.width + 2 * PAD


def _fit(text: str, width: int, align: str) -> str:
    """The text in exactly `width` cells: cut with «…» when too long, padded as aligned."""
    n = cell_len(text)
    if n > width:
        return set_cell_size(text, width - 1) + "…" if width > 1 else set_cell_size(text, width)
    if n == width:
        return text
    if align == "right":
        return " " * (width - n) + text
    if align == "center":
        left = (width - n) // 2
        return " " * left + text + " " * (width - n - left)
    return text + " " * (width - n)


class LineTable(ScrollView, Generic[T], can_focus=True):
    """A table over a sequence of rows, drawing only the visible ones."""

    COMPONENT_CLASSES = {
        "line-table--header",
        "line-table--cursor",
        "line-table--even-row",
        "line-table--frozen",
    }
    DEFAULT_CSS = """
    LineTable {
        background: $surface;
        color: $foreground;
        height: 1fr;
        & > .line-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .line-table--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .line-table--even-row {
            background: $surface-lighten-1 50%;
        }
        &:dark > .line-table--even-row {
            background: $surface-darken-1 40%;
        }
        & > .line-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .line-table--header {
                background-tint: $foreground 5%;
            }
            & > .line-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
    }
    """
    BINDINGS = [
        Binding("enter", "select_cursor", "Выбрать", show=False),
        Binding("up", "cursor_up", show=False),
        Binding("down", "cursor_down", show=False),
        Binding("pageup", "page_up", show=False),
        Binding("pagedown", "page_down", show=False),
        Binding("ctrl+home", "first_row", show=False),
        Binding("ctrl+end", "last_row", show=False),
        Binding("left", "column_left", show=False),
        Binding("right", "column_right", show=False),
        Binding("ctrl+left", "page_left", show=False),
        Binding("ctrl+right", "page_right", show=False),
        Binding("home", "first_column", show=False),
        Binding("end", "last_column", show=False),
    ]

    class RowHighlighted(Message):
        """The cursor moved to another row."""

        def __init__(self, table: "LineTable", row: int, item: Any) -> None:
            super().__init__()
            self.table = table
            self.row = row
            self.item = item

        @property
        def control(self) -> "LineTable":
            return self.table

    class RowSelected(RowHighlighted):
        """Enter (or a click) on a row."""

    def __init__(self, columns: Sequence[Column] = (), *, cells: Callable[[T], Sequence[Cell]],
                 key: Optional[Callable[[T], str]] = None, frozen: int = 0, zebra: bool = True,
                 show_header: bool = True, name: str | None = None, id: str | None = None,
                 classes: str | None = None, disabled: bool = False) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._cells = cells
        self._key = key
        self.zebra = zebra
        self.show_header = show_header
        self._rows: Sequence[T] = ()
        self._cursor = 0
        self._index: Optional[dict[str, int]] = None
        # index -> {(row style, width, scroll x): line}; only rows drawn are here
        self._segments: LRUCache[int, dict[tuple, Strip]] = LRUCache(1024)
        self._head: Optional[tuple[tuple, Strip]] = None
        self._frame: tuple = ()
        self.columns: tuple[Column, ...] = ()
        self.frozen = max(0, frozen)  # leading columns that never scroll (as many as there are)
        self._starts: list[int] = [0]
        self.set_columns(columns)

    # -- data ----------------------------------------------------------------------------
    def set_columns(self, columns: Sequence[Column], *, frozen: Optional[int] = None) -> None:
        self.columns = tuple(columns)
        if frozen is not None:
            self.frozen = max(0, frozen)
        starts = [0]
        for c in self.columns[self.frozen:]:
            starts.append(starts[-1] + c.span)
        self._starts = starts  # offsets of the scrolling columns; the last = their width
        self._head = None
        self._segments.clear()
        self._update_virtual_size()
        self.refresh()

    def set_rows(self, rows: Sequence[T], cursor: Optional[int] = None) -> None:
        """Show another list (kept by reference: do not change it in place afterwards, give a
        new one). The cursor stays on the same index (clamped) unless `cursor` is given."""
        self._rows = rows
        self._index = None
        self._segments.clear()
        if cursor is not None:
            self._cursor = cursor
        self._cursor = max(0, min(self._cursor, len(rows) - 1))
        self._update_virtual_size()
        self._scroll_to_cursor()
        self.refresh()

    @property
    def rows(self) -> Sequence[T]:
        return self._rows

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def frozen_width(self) -> int:
        return sum(c.span for c in self.columns[: self.frozen])

    @property
    def header_height(self) -> int:
        return 1 if self.show_header else 0

    def get_row_at(self, index: int) -> tuple[Cell, ...]:
        """The cells of the row at `index` as drawn."""
        return tuple(self._cells(self._rows[index]))

    def key_at(self, index: int) -> Optional[str]:
        return self._key(self._rows[index]) if self._key and 0 <= index < len(self._rows) else None

    def index_of(self, key: str) -> Optional[int]:
        """The index of the row with this key in the current list (None if it is not there)."""
        if self._key is None:
            return None
        if self._index is None:
            self._index = {self._key(r): i for i, r in enumerate(self._rows)}
        return self._index.get(key)

    def refresh_row(self, index: int) -> None:
        """Draw one row again (its content changed)."""
        self._segments.discard(index)
        self.refresh_line(index + self.header_height)

    def refresh_rows(self) -> None:
        """Draw every row again (e.g. marks changed on many rows)."""
        self._segments.clear()
        self.refresh()

    # -- cursor ----------------------------------------------------------------------------
    @property
    def cursor_row(self) -> int:
        return self._cursor

    def current(self) -> Optional[T]:
        if 0 <= self._cursor < len(self._rows):
            return self._rows[self._cursor]
        return None

    def move_cursor(self, row: int, *, scroll: bool = True) -> None:
        """Put the cursor on a row (clamped) and say so with RowHighlighted."""
        if not self._rows:
            self._cursor = 0
            return
        row = max(0, min(row, len(self._rows) - 1))
        old, self._cursor = self._cursor, row
        if old != row:
            self.refresh_row(old)
            self.refresh_row(row)
        if scroll:
            self._scroll_to_cursor()
        if old != row:
            self.post_message(self.RowHighlighted(self, row, self._rows[row]))

    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - self.header_height)

    def _scroll_to_cursor(self) -> None:
        if not self.size.height:
            return
        top, page = int(self.scroll_y), self._page
        if self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False)
        elif self._cursor >= top + page:
            self.scroll_to(y=self._cursor - page + 1, animate=False)

    def on_resize(self, event: events.Resize) -> None:
        self._scroll_to_cursor()

    def action_cursor_up(self) -> None:
        self.move_cursor(self._cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(self._cursor + 1)

    def action_page_up(self) -> None:
        self.move_cursor(self._cursor - self._page)

    def action_page_down(self) -> None:
        self.move_cursor(self._cursor + self._page)

    def action_first_row(self) -> None:
        self.move_cursor(0)

    def action_last_row(self) -> None:
        self.move_cursor(len(self._rows) - 1)

    def action_select_cursor(self) -> None:
        item = self.current()
        if item is not None:
            self.post_message(self.RowSelected(self, self._cursor, item))

    def on_click(self, event: events.Click) -> None:
        row = int(self.scroll_y) + event.y - self.header_height
        if event.y >= self.header_height and 0 <= row < len(self._rows):
            self.move_cursor(row)
            if event.chain >= 2:
                self.action_select_cursor()

    # -- horizontal jumps --------------------------------------------------------------
    @property
    def _avail(self) -> int:
        """Cells left for the scrolling columns beside the frozen ones."""
        return max(1, self.scrollable_content_region.width - self.frozen_width)

    def _scroll_x_to(self, x: int) -> None:
        self.scroll_to(x=max(0, min(x, int(self.max_scroll_x))), animate=False)

    def action_column_right(self) -> None:
        x = int(self.scroll_x)
        nxt = next((s for s in self._starts[:-1] if s > x), None)
        if nxt is not None:
            self._scroll_x_to(nxt)

    def action_column_left(self) -> None:
        x = int(self.scroll_x)
        prev = [s for s in self._starts[:-1] if s < x]
        self._scroll_x_to(prev[-1] if prev else 0)

    def action_page_right(self) -> None:
        """The first column cut at the right edge becomes the first one shown."""
        x, right = int(self.scroll_x), int(self.scroll_x) + self._avail
        starts = self._starts
        i = bisect_right(starts, x) - 1
        while i + 1 < len(starts) and starts[i + 1] <= right:
            i += 1
        target = starts[min(i, len(starts) - 2)] if len(starts) > 1 else 0
        self._scroll_x_to(target if target > x else x + self._avail)

    def action_page_left(self) -> None:
        """The columns just left of the first one shown fill the screen, ending there."""
        x = int(self.scroll_x)
        target = next((s for s in self._starts if x - s <= self._avail), 0)
        self._scroll_x_to(target if target < x else x - self._avail)

    def action_first_column(self) -> None:
        self._scroll_x_to(0)

    def action_last_column(self) -> None:
        self._scroll_x_to(int(self.max_scroll_x))

    # -- drawing -------------------------------------------------------------------------
    def _update_virtual_size(self) -> None:
        """The virtual size follows the rows. Assigning it lays the whole screen out again;
        while the scrollbars stay as they are (shown or hidden) only they are told, and the
        table repaints itself: a search narrowing the list costs no layout."""
        size = Size(self.frozen_width + self._starts[-1], len(self._rows) + self.header_height)
        old = self.virtual_size
        if size == old:
            return
        view = self.scrollable_content_region
        same_bars = (bool(view.height) and size.width == old.width
                     and (size.height > view.height) == (old.height > view.height)
                     and (size.height > view.height) == self.show_vertical_scrollbar)
        if not same_bars:
            self.virtual_size = size
            return
        self.set_reactive(LineTable.virtual_size, size)
        if self.show_vertical_scrollbar:
            self.vertical_scrollbar.window_virtual_size = size.height
        top = max(0, min(int(self.scroll_y), size.height - view.height))
        if top != int(self.scroll_y):
            self.scroll_to(y=top, animate=False)
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._segments.clear()
        self._head = None

    def _cell_segments(self, cols: Sequence[Column], cells: Sequence[Cell],
                       style: Style) -> list[Segment]:
        """The cells as segments, each exactly its column's width plus padding, in `style`
        (a cell's own style, e.g. a red «Н», goes on top)."""
        out: list[Segment] = []
        pad = " " * PAD
        console = self.app.console
        plain: list[str] = []  # plain cells next to each other become one segment
        for col, cell in zip(cols, cells):
            if isinstance(cell, Text):
                if plain:
                    out.append(Segment("".join(plain), style))
                    plain = []
                text = cell.copy()
                text.truncate(col.width, overflow="ellipsis")
                gap = col.width - text.cell_len
                left = gap if col.align == "right" else gap // 2 if col.align == "center" else 0
                out.append(Segment(pad + " " * left, style))
                out.extend(Segment(seg.text, style + seg.style if seg.style else style)
                           for seg in text.render(console, end="") if seg.text)
                out.append(Segment(" " * (gap - left) + pad, style))
            else:
                plain.append(pad + _fit(str(cell), col.width, col.align) + pad)
        if plain:
            out.append(Segment("".join(plain), style))
        return out

    def _parts(self, cells: Sequence[Cell], style: Style) -> tuple[list[Segment], list[Segment]]:
        f = self.frozen
        return (self._cell_segments(self.columns[:f], cells[:f], style),
                self._cell_segments(self.columns[f:], cells[f:], style))

    def _line(self, parts: tuple[list[Segment], list[Segment]], style: Style, width: int,
              x: int) -> Strip:
        """One screen line: the frozen columns, then the scrolling ones from `x`, padded."""
        frozen, rest = parts
        fw, rw = self.frozen_width, self._starts[-1]
        avail = max(0, width - fw)
        if x == 0 and rw <= avail:
            segments = frozen + rest
        else:
            segments = frozen + list(Strip(rest, rw).crop(x, x + avail))
        used = fw + min(avail, max(0, rw - x))
        if used < width:
            segments.append(Segment(" " * (width - used), style))
        return Strip(segments, width)

    def _row_strip(self, index: int, style: Style, width: int, x: int) -> Strip:
        key = (style, width, x)
        by_look = self._segments.get(index)
        if by_look is None:
            by_look = {}
            self._segments.set(index, by_look)
        strip = by_look.get(key)
        if strip is None:
            cells = tuple(self._cells(self._rows[index]))
            strip = by_look[key] = self._line(self._parts(cells, style), style, width, x)
        return strip

    def _header_strip(self, style: Style, width: int, x: int) -> Strip:
        key = (style, width, x)
        if self._head is None or self._head[0] != key:
            parts = self._parts([c.label for c in self.columns], style)
            self._head = (key, self._line(parts, style, width, x))
        return self._head[1]

    def render_lines(self, crop: Region) -> list[Strip]:
        # what every line of this frame shares, looked up once (style lookups walk the DOM)
        base = self.rich_style
        get = self.get_component_rich_style
        self._frame = (base, base + get("line-table--header"), base + get("line-table--even-row"),
                       get("line-table--cursor"), self.scrollable_content_region.width,
                       int(self.scroll_x), int(self.scroll_y))
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        base, header, even, cursor, width, x, top = self._frame
        if y < self.header_height:
            return self._header_strip(header, width, x)
        index = top + y - self.header_height
        if index >= len(self._rows):
            return Strip.blank(width, base)
        style = even if self.zebra and index % 2 == 0 else base
        if index == self._cursor:
            style = style + cursor
        return self._row_strip(index, style, width, x)
