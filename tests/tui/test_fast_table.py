"""`FastTable` driven through the pilot: cursor keys, marks, keyed replace, paging, literal cells.

Assertions are on the widget's state, its messages and the text of the strips it renders.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.message import Message

from dexter_tui.tui.safe_text import safe_text
from dexter_tui.tui.widgets.fast_table import Column, FastTable, Row

COLUMNS = [
    Column("level", "LVL", width=3),
    Column("short_id", "SHORT-ID", width=9),
    Column("title", "TITLE", min_width=12, ratio=3),
    Column("culprit", "CULPRIT", min_width=10, ratio=1, hide_below=110),
    Column("events", "EVENTS", width=6, align="right"),
]
SIZES = [(80, 24), (120, 36)]


def make_row(index: int, *, title: str | None = None, dim: bool = False) -> Row:
    return Row(
        key=f"k{index}",
        cells={
            "level": Text("ERR" if index % 3 else "WRN"),
            "short_id": Text(f"API-{index}"),
            "title": safe_text(title if title is not None else f"Issue number {index}"),
            "culprit": Text(f"app.module{index % 5}"),
            "events": Text(str(index * 10)),
        },
        dim=dim,
        sort_values={"events": index * 10},
    )


def make_rows(indexes: Iterable[int]) -> list[Row]:
    return [make_row(i) for i in indexes]


class TableApp(App[None]):
    """Hosts one table and records the messages it sends."""

    def __init__(
        self, rows: list[Row], setup: Callable[[FastTable], None] | None = None, **table_kw: Any
    ) -> None:
        super().__init__()
        self.initial_rows = rows
        self.setup = setup
        self.table_kw = table_kw
        self.messages: list[Message] = []

    def compose(self) -> ComposeResult:
        yield FastTable(COLUMNS, id="table", **self.table_kw)

    def on_mount(self) -> None:
        table = self.query_one(FastTable)
        table.set_rows(self.initial_rows)
        table.focus()
        if self.setup is not None:
            self.setup(table)

    def on_fast_table_cursor_moved(self, message: FastTable.CursorMoved) -> None:
        self.messages.append(message)

    def on_fast_table_row_activated(self, message: FastTable.RowActivated) -> None:
        self.messages.append(message)

    def on_fast_table_near_end(self, message: FastTable.NearEnd) -> None:
        self.messages.append(message)

    def on_fast_table_marks_changed(self, message: FastTable.MarksChanged) -> None:
        self.messages.append(message)

    def on_fast_table_header_selected(self, message: FastTable.HeaderSelected) -> None:
        self.messages.append(message)

    def of(self, kind: type[Message]) -> list[Any]:
        return [m for m in self.messages if isinstance(m, kind)]


def screen_text(table: FastTable) -> list[str]:
    return [table.render_line(y).text for y in range(table.scrollable_content_region.height)]


def row_line(table: FastTable, key: str) -> str:
    """Rendered text of the row ``key`` (which must be on screen)."""
    index = table.visible_keys().index(key)
    y = index + 1 - table.scroll_offset.y
    assert 1 <= y < table.scrollable_content_region.height, f"{key} is not on screen"
    return table.render_line(y).text


def cursor_on_screen(table: FastTable) -> bool:
    y = table.cursor_index + 1 - table.scroll_offset.y
    return 1 <= y < table.scrollable_content_region.height


# -- bindings and cursor ---------------------------------------------------------------------------


def test_bindings_have_ids_and_avoid_reserved_keys() -> None:
    reserved = {"ctrl+a", "ctrl+b", "ctrl+h", "ctrl+i", "ctrl+j", "ctrl+m"}
    ids = set()
    for binding in FastTable.BINDINGS:
        assert isinstance(binding, Binding)
        assert binding.id
        assert binding.id.startswith("fast_table.")
        ids.add(binding.id)
        assert not set(binding.key.split(",")) & reserved
    assert len(ids) == len(FastTable.BINDINGS)
    assert {"fast_table.cursor_down", "fast_table.cursor_up", "fast_table.activate"} <= ids


@pytest.mark.parametrize("size", SIZES)
async def test_cursor_keys(size: tuple[int, int]) -> None:
    app = TableApp(make_rows(range(200)))
    async with app.run_test(size=size) as pilot:
        table = app.query_one(FastTable)
        page = table.scrollable_content_region.height - 1
        assert table.cursor_key == "k0"
        await pilot.press("j", "down", "j")
        assert table.cursor_index == 3
        await pilot.press("k", "up")
        assert table.cursor_index == 1
        await pilot.press("G")
        assert table.cursor_key == "k199"
        assert cursor_on_screen(table)
        assert "Issue number 199" in row_line(table, "k199")
        await pilot.press("g")
        assert (table.cursor_index, table.scroll_offset.y) == (0, 0)
        await pilot.press("pagedown")
        assert table.cursor_index == page
        assert cursor_on_screen(table)
        await pilot.press("pageup")
        assert table.cursor_index == 0
        await pilot.press("ctrl+d")
        assert table.cursor_index == page // 2
        await pilot.press("ctrl+d", "ctrl+u")
        assert table.cursor_index == page // 2
        await pilot.press("end", "down")  # clamps at the last row
        assert table.cursor_key == "k199"
        await pilot.press("home", "up")
        assert table.cursor_key == "k0"
        moved = [m.key for m in app.of(FastTable.CursorMoved)]
        assert moved[:4] == ["k0", "k1", "k2", "k3"]
        assert moved[-1] == "k0"
        assert screen_text(table)[1].startswith("▌")  # the cursor row carries a glyph


async def test_enter_activates_cursor_row() -> None:
    app = TableApp(make_rows(range(10)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("j", "j", "enter")
        assert [m.key for m in app.of(FastTable.RowActivated)] == ["k2"]


async def test_click_moves_cursor_and_header_click_reports_column() -> None:
    app = TableApp(make_rows(range(10)))
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(FastTable)
        await pilot.click(FastTable, offset=(10, 4))
        assert table.cursor_key == "k3"
        await pilot.click(FastTable, offset=(74, 0))
        assert [m.column_key for m in app.of(FastTable.HeaderSelected)] == ["events"]


# -- marks -----------------------------------------------------------------------------------------


async def test_mark_api_and_selection_rule() -> None:
    app = TableApp(make_rows(range(30)))
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(FastTable)
        assert table.selected_keys() == ["k0"]  # nothing marked: the cursor row
        assert table.toggle_mark() is True
        await pilot.press("j", "j", "j")
        assert table.mark_range() == 4  # anchor k0 .. cursor k3
        assert table.marked_keys == ("k0", "k1", "k2", "k3")
        assert table.selected_keys() == ["k0", "k1", "k2", "k3"]
        assert table.toggle_mark("k1") is False
        assert table.marked_count == 3
        table.unmark("k2")
        table.mark("k20", "k21")
        assert table.marked_keys == ("k0", "k3", "k20", "k21")
        await pilot.pause()
        assert row_line(table, "k3").startswith("▌✓")
        assert row_line(table, "k0")[:2] == " ✓"
        assert row_line(table, "k1")[:2] == "  "
        table.clear_marks()
        assert table.marked_count == 0
        table.mark_all_visible()
        assert table.marked_count == 30
        await pilot.pause()
        counts = [m.count for m in app.of(FastTable.MarksChanged)]
        assert counts == [1, 4, 3, 2, 4, 0, 30]


async def test_marks_survive_replace_sort_and_filter() -> None:
    app = TableApp(make_rows(range(50)))
    async with app.run_test(size=(120, 36)) as pilot:
        table = app.query_one(FastTable)
        table.mark("k1", "k2", "k40")
        table.set_rows(make_rows(reversed(range(60))))  # refreshed data, new order
        assert table.marked_keys == ("k1", "k2", "k40")
        table.sort_by("events", reverse=True)
        assert table.visible_keys()[:2] == ["k59", "k58"]
        assert table.marked_keys == ("k1", "k2", "k40")
        table.set_filter(lambda row: row.key != "k2")
        assert table.marked_count == 3
        assert table.visible_marked_count == 2
        table.mark_all_visible()
        assert table.marked_count == 60  # k2 stays marked while hidden
        table.clear_marks()
        table.mark("k2")
        table.set_filter(None)
        await pilot.pause()
        assert table.is_marked("k2")
        table.move_cursor_to_key("k2")
        await pilot.pause()
        assert row_line(table, "k2").startswith("▌✓")


async def test_marks_outlive_their_rows_until_pruned() -> None:
    app = TableApp(make_rows(range(5)))
    async with app.run_test(size=(80, 24)):
        table = app.query_one(FastTable)
        table.mark("k1", "k4")
        table.set_rows(make_rows(range(3)))
        assert table.marked_keys == ("k1", "k4")
        assert table.prune_marks() == ["k4"]
        assert table.marked_keys == ("k1",)


# -- keyed replace ---------------------------------------------------------------------------------


async def test_set_rows_keeps_cursor_on_its_key_and_screen_line() -> None:
    app = TableApp(make_rows(range(100)))
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(FastTable)
        table.move_cursor_to_key("k50")
        await pilot.pause()
        screen_line = table.cursor_index - table.scroll_offset.y
        moved_before = len(app.of(FastTable.CursorMoved))
        added = table.set_rows(make_rows([1000, 1001, 1002, *range(100)]))
        await pilot.pause()
        assert added == {"k1000", "k1001", "k1002"}
        assert table.cursor_key == "k50"
        assert table.cursor_index == 53
        assert table.cursor_index - table.scroll_offset.y == screen_line
        assert table.new_keys == {"k1000", "k1001", "k1002"}
        assert len(app.of(FastTable.CursorMoved)) == moved_before  # same key: no message
        table.clear_new("k1000")
        assert table.new_keys == {"k1001", "k1002"}


async def test_first_fill_marks_nothing_new_and_removed_cursor_key_clamps() -> None:
    app = TableApp(make_rows(range(10)))
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(FastTable)
        assert table.new_keys == frozenset()
        table.move_cursor_to_key("k9")
        table.set_rows(make_rows(range(5)))
        await pilot.pause()
        assert table.cursor_key == "k4"
        assert app.of(FastTable.CursorMoved)[-1].key == "k4"


async def test_duplicate_keys_keep_first_position_and_last_row() -> None:
    app = TableApp([*make_rows(range(3)), make_row(1, title="newer"), *make_rows([3])])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        table = app.query_one(FastTable)
        assert table.visible_keys() == ["k0", "k1", "k2", "k3"]
        assert "newer" in row_line(table, "k1")


async def test_append_rows_adds_pages_and_updates_known_keys() -> None:
    app = TableApp(make_rows(range(5)))
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(FastTable)
        table.append_rows([make_row(3, title="updated"), *make_rows(range(5, 8))])
        await pilot.pause()
        assert table.visible_keys() == [f"k{i}" for i in range(8)]
        assert "updated" in row_line(table, "k3")
        assert table.row_count == 8


# -- sort, filter, empty ---------------------------------------------------------------------------


async def test_sort_indicator_and_order() -> None:
    app = TableApp(make_rows([3, 1, 2]))
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(FastTable)
        table.sort_by("events", reverse=True)
        await pilot.pause()
        assert table.visible_keys() == ["k3", "k2", "k1"]
        assert table.cursor_key == "k3"  # stayed on its key
        assert screen_text(table)[0].rstrip().endswith(" ▼EVENT")  # arrow kept in a narrow column
        table.sort_by("events")
        await pilot.pause()
        assert table.visible_keys() == ["k1", "k2", "k3"]
        assert screen_text(table)[0].rstrip().endswith(" ▲EVENT")
        table.sort_by(None)
        table.set_sort_indicator("title", reverse=True)  # server-sorted: no local reorder
        await pilot.pause()
        assert table.visible_keys() == ["k3", "k1", "k2"]
        assert "TITLE ▼" in screen_text(table)[0]


async def test_filter_and_empty_messages() -> None:
    app = TableApp([], empty_text="no issues")
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(FastTable)
        assert table.cursor_key is None
        assert "no issues" in screen_text(table)[1]
        table.set_rows(make_rows(range(5)))
        table.set_filter(lambda row: False)
        await pilot.pause()
        assert "no rows match the filter" in screen_text(table)[1]
        assert table.filter_active
        table.set_filter(lambda row: row.key in {"k2", "k3"})
        await pilot.pause()
        assert table.visible_keys() == ["k2", "k3"]
        assert table.row_count == 5


# -- paging ----------------------------------------------------------------------------------------


async def test_near_end_and_loading_row() -> None:
    app = TableApp(make_rows(range(100)))
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(FastTable)
        table.has_more = True
        await pilot.pause()
        assert app.of(FastTable.NearEnd) == []  # the end is far away
        await pilot.press("G")
        assert len(app.of(FastTable.NearEnd)) == 1
        await pilot.press("k", "j", "k")
        assert len(app.of(FastTable.NearEnd)) == 1  # once per row count
        assert screen_text(table)[-1].strip() == "loading…"
        table.append_rows(make_rows(range(100, 150)))
        await pilot.pause()
        assert len(app.of(FastTable.NearEnd)) == 1  # cursor is 50 rows from the new end
        await pilot.press("G")
        assert len(app.of(FastTable.NearEnd)) == 2
        table.has_more = False
        await pilot.pause()
        assert "loading…" not in "".join(screen_text(table))


async def test_short_list_with_more_asks_at_once() -> None:
    app = TableApp(make_rows(range(5)))
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(FastTable)
        table.has_more = True
        await pilot.pause()
        assert len(app.of(FastTable.NearEnd)) == 1
        assert screen_text(table)[6].strip() == "loading…"


# -- untrusted text and row styles -----------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_markup_and_escapes_shown_literally(size: tuple[int, int]) -> None:
    rows = [
        make_row(0, title="[bold red]x[/] and [link=http://evil]y[/link]"),
        make_row(1, title="\x1b[31mred\x1b[0m \x1b]8;;http://evil\x07z\x1b]8;;\x07"),
        # A cell that skipped safe_text still cannot reach the terminal with a raw escape.
        Row("raw", {"title": Text("\x1b[2Jboom\nnext")}),
    ]
    app = TableApp(rows)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        table = app.query_one(FastTable)
        first, second, raw = (row_line(table, key) for key in ("k0", "k1", "raw"))
        assert "[bold red]x[/] and [link=http://evil]y[/link]" in first
        assert "␛[31mred␛[0m ␛]8;;http://evil␇z␛]8;;␇" in second
        assert "␛[2Jboom⏎next" in raw
        for y in range(1, 4):
            strip = table.render_line(y)
            for segment in strip:
                assert "\x1b" not in segment.text
                assert "\n" not in segment.text
                assert not (segment.style and segment.style.link)
        await pilot.press("G")  # the cursor row is drawn bold; look at k0 without it
        title_segments = [s for s in table.render_line(1) if "[bold red]" in s.text]
        assert title_segments
        assert not title_segments[0].style.bold


async def test_row_styles_use_attributes_not_only_colour() -> None:
    app = TableApp(make_rows(range(4)))
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(FastTable)
        table.set_rows([*make_rows(range(4)), make_row(9), make_row(10, dim=True)])
        table.highlight("k2")
        await pilot.pause()

        def style_of(key: str) -> Any:
            y = table.visible_keys().index(key) + 1
            return next(s.style for s in table.render_line(y) if "Issue" in s.text)

        assert style_of("k9").bold  # new
        assert style_of("k2").bold  # highlighted
        assert style_of("k10").dim  # e.g. resolved
        assert not style_of("k1").bold
        assert not style_of("k1").dim
        table.clear_highlights()
        await pilot.pause()
        assert not style_of("k2").bold


# -- snapshots -------------------------------------------------------------------------------------


def setup_snapshot(table: FastTable) -> None:
    rows = make_rows(range(20))
    rows[5] = make_row(5, title="[bold red]not markup[/] \x1b[31mnot red")
    rows[7] = make_row(7, dim=True)
    table.set_rows(rows)  # k17..k19 arrive as new
    table.highlight("k9")
    table.mark("k2", "k3", "k6")
    table.has_more = True
    table.set_sort_indicator("events", reverse=True)
    table.move_cursor_to_key("k3")


@pytest.mark.parametrize("size", SIZES, ids=["80x24", "120x36"])
def test_snapshot(snap_compare: Any, size: tuple[int, int]) -> None:
    app = TableApp(make_rows(range(17)), setup=setup_snapshot)
    assert snap_compare(app, terminal_size=size)


# -- cost follows the screen -----------------------------------------------------------------------


async def test_only_rows_on_screen_are_drawn() -> None:
    drawn: list[int] = []

    def lazy_row(index: int) -> Row:
        def cells() -> dict[str, Text]:
            drawn.append(index)
            return {"title": Text(f"lazy {index}")}

        return Row(f"k{index}", cells)

    app = TableApp([lazy_row(i) for i in range(100_000)])
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(FastTable)
        await pilot.pause()
        assert set(drawn) <= set(range(23))
        drawn.clear()
        await pilot.press("j")
        assert set(drawn) <= {0, 1}  # the two rows whose cursor state changed
        await pilot.press("G")
        assert table.cursor_key == "k99999"
        assert max(drawn) == 99_999
        assert len(set(drawn)) <= 25


async def test_rows_given_before_mount() -> None:
    table = FastTable(COLUMNS, id="early")
    table.set_rows(make_rows(range(30)))
    table.has_more = True
    table.mark("k1")

    class EarlyApp(App[None]):
        def compose(self) -> ComposeResult:
            yield table

    async with EarlyApp().run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert table.cursor_key == "k0"
        assert screen_text(table)[2].startswith(" ✓")


async def test_scrolling_the_view_to_the_end_asks_for_more() -> None:
    app = TableApp(make_rows(range(200)))
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(FastTable)
        table.has_more = True
        await pilot.pause()
        assert app.of(FastTable.NearEnd) == []
        table.scroll_to(y=table.max_scroll_y, animate=False)  # mouse wheel: cursor stays put
        await pilot.pause()
        assert table.cursor_key == "k0"
        assert len(app.of(FastTable.NearEnd)) == 1


async def test_set_columns_relays_out() -> None:
    app = TableApp(make_rows(range(3)))
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.query_one(FastTable)
        table.set_columns([Column("events", "N", width=4, align="right"), COLUMNS[2]])
        await pilot.pause()
        header, first = screen_text(table)[:2]
        assert header.startswith(" ✓    N TITLE")
        assert first.startswith("▌     0 Issue number 0")


async def test_a_filtered_table_draws_what_a_table_of_its_rows_draws_scrollbar_too() -> None:
    """A filter key changes the row count without a relayout; the screen (the scrollbar's
    thumb included, scrolled or not) must still be what a table holding just those rows shows."""
    from tests.tui.screen_text import screen_lines

    for kept, scroll in ((range(0, 600, 3), 0), (range(0, 600, 7), 0), (range(0, 600, 2), 40)):
        wanted = {f"k{i}" for i in kept}
        filtered = TableApp(make_rows(range(600)))
        direct = TableApp(make_rows(kept))
        pictures = []
        for app, narrow in ((filtered, True), (direct, False)):
            async with app.run_test(size=(80, 24)) as pilot:
                table = app.query_one(FastTable)
                await pilot.pause()
                if narrow:
                    table.set_filter(lambda row, wanted=wanted: row.key in wanted)
                    await pilot.pause()
                table.scroll_to(y=scroll, animate=False)
                table.move_cursor(scroll + 2)
                await pilot.pause()
                pictures.append(screen_lines(app))
        assert pictures[0] == pictures[1], kept
