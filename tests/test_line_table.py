"""The Line-API table (tui_app/widgets/line_table.py): only visible rows are drawn, the row
cursor and its messages, row keys, frozen columns and the horizontal jumps."""
from __future__ import annotations

import pytest
from rich.text import Text
from textual.app import App, ComposeResult

from tui_app.widgets.line_table import Column, LineTable

pytestmark = pytest.mark.asyncio

COLUMNS = [Column("no", "№", 4, "right"), Column("name", "ФИО", 20)] + \
    [Column(f"c{i}", f"К{i}", 4) for i in range(16)]


class Counting:
    """cells() that counts the rows it was asked for."""

    def __init__(self) -> None:
        self.asked: list[int] = []

    def __call__(self, row: int):
        self.asked.append(row)
        return (str(row), f"Участник {row:05d}", *[str(row % 10)] * 15, Text("Н", style="bold red"))


class TableApp(App):
    def __init__(self, rows, frozen: int = 2) -> None:
        super().__init__()
        self.rows = rows
        self.cells = Counting()
        self.frozen = frozen
        self.events: list[tuple[str, int]] = []

    def compose(self) -> ComposeResult:
        yield LineTable(COLUMNS, cells=self.cells, key=lambda r: f"k{r}", frozen=self.frozen)

    def on_mount(self) -> None:
        t = self.query_one(LineTable)
        t.set_rows(self.rows)
        t.focus()

    def on_line_table_row_highlighted(self, event: LineTable.RowHighlighted) -> None:
        self.events.append(("highlighted", event.row))

    def on_line_table_row_selected(self, event: LineTable.RowSelected) -> None:
        self.events.append(("selected", event.row))


def screen_lines(table: LineTable) -> list[str]:
    return [table.render_line(y).text for y in range(table.size.height)]


async def test_only_the_visible_rows_are_drawn():
    app = TableApp(list(range(36000)))
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        t = app.query_one(LineTable)
        assert t.row_count == 36000
        assert set(app.cells.asked) <= set(range(12))  # the first screenful, nothing more
        app.cells.asked.clear()
        t.set_rows(list(range(100, 36000, 3)))  # a new list: still only a screenful
        await pilot.pause()
        assert 0 < len(set(app.cells.asked)) <= 12
        assert set(app.cells.asked) <= set(range(100, 100 + 3 * 12, 3))


async def test_cursor_keys_messages_and_row_keys():
    app = TableApp(list(range(1000)))
    async with app.run_test(size=(60, 12)) as pilot:
        t = app.query_one(LineTable)
        await pilot.press("down", "down")
        assert t.cursor_row == 2 and t.current() == 2
        assert app.events[-1] == ("highlighted", 2)
        await pilot.press("pagedown")
        page = t.scrollable_content_region.height - 1
        assert t.cursor_row == 2 + page
        assert t.scroll_y <= t.cursor_row < t.scroll_y + page  # the cursor stays on screen
        await pilot.press("ctrl+end")
        assert t.cursor_row == 999 and t.scroll_y == t.max_scroll_y
        assert screen_lines(t)[t.cursor_row - int(t.scroll_y) + 1].lstrip().startswith("999")
        await pilot.press("ctrl+home", "enter")
        assert t.cursor_row == 0 and app.events[-1] == ("selected", 0)
        assert t.index_of("k500") == 500 and t.key_at(500) == "k500" and t.index_of("nope") is None
        t.set_rows(list(range(0, 1000, 2)))  # a shorter list: the keys follow it
        assert t.index_of("k500") == 250 and t.index_of("k501") is None
        t.set_rows([], cursor=5)
        assert t.current() is None and t.cursor_row == 0


async def test_frozen_name_column_stays_while_jumping_right():
    app = TableApp(list(range(50)))
    async with app.run_test(size=(60, 12)) as pilot:
        t = app.query_one(LineTable)
        first = screen_lines(t)
        assert first[0].split()[:3] == ["№", "ФИО", "К0"] and "Участник 00000" in first[1]
        await pilot.press("ctrl+right")  # a screenful of columns to the right
        lines = screen_lines(t)
        assert t.scroll_x > 0
        assert lines[0].split()[:2] == ["№", "ФИО"] and "К0" not in lines[0]
        assert "Участник 00000" in lines[1]  # the name never scrolls away
        # the first column shown after the jump is the one that was cut at the right edge
        cut = next(c.label for c in reversed(COLUMNS[2:]) if c.label in first[0].split())
        assert lines[0].split()[2] in (cut, COLUMNS[[c.label for c in COLUMNS].index(cut) + 1].label)
        await pilot.press("end")
        lines = screen_lines(t)
        assert t.scroll_x == t.max_scroll_x and lines[0].split()[-1] == "К15"
        assert "Участник 00000" in lines[1] and lines[1].rstrip().endswith("Н")
        await pilot.press("ctrl+left")
        assert 0 < t.scroll_x < t.max_scroll_x
        await pilot.press("home")
        assert t.scroll_x == 0 and screen_lines(t) == first
        await pilot.press("right")  # one column
        assert t.scroll_x == COLUMNS[2].span
        await pilot.press("left")
        assert t.scroll_x == 0


async def test_cells_are_cut_padded_and_aligned():
    app = TableApp([7], frozen=0)
    async with app.run_test(size=(200, 5)) as pilot:
        await pilot.pause()
        t = app.query_one(LineTable)
        row = t.render_line(1).text
        assert row.startswith("    7  Участник 00007")  # right-aligned number, padded name
        assert len(row) == t.scrollable_content_region.width
        t.set_columns([Column("no", "№", 2), Column("name", "ФИО", 6)])
        assert t.render_line(1).text.startswith(" 7   Участ…")  # cut with «…»
