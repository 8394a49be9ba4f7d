"""Every table keeps a blank cell between its columns at every width (issue 15, item 17).

The report read `CHECKOUT-API-1KeyError`, `Rregressed`, `+5×3.5` and `event 1 of 3108df21…`.
These tests read the terminal cells themselves (not an SVG's text runs: Rich leaves all-blank
runs out of an SVG and starts the next run with a no-break space, so stripping each run glues
neighbours together) at 80×24, 120×36 and 200×50.
"""

from __future__ import annotations

import re

import pytest

from dexter_tui.tui.widgets.fast_table import GUTTER, FastTable
from tests.tui.conftest import settle
from tests.tui.screen_text import screen_lines
from tests.tui.test_event_detail import _issue_with_events, _open

SIZES = [(80, 24), (120, 36), (200, 50)]


def _gaps_problems(app) -> list[str]:
    """Where a drawn table row has something other than a blank in a column gap."""
    lines = screen_lines(app)
    problems = []
    placed = app.screen._compositor.full_map
    tables = [t for t in app.screen.query(FastTable) if t in placed and t.region.height]
    assert tables, "a table is on screen"
    for table in tables:
        region = table.content_region
        shown = region.intersection(placed[table].clip)  # the part not scrolled out of view
        scroll_x = int(table.scroll_offset.x)
        rows = range(shown.y, min(shown.bottom, region.y + 1 + len(table.visible_keys())))
        left = GUTTER
        for column, width in table._layout:
            x = region.x + left - scroll_x  # the gap cell before this column
            left += width + 1
            if not shown.x <= x < shown.right:
                continue
            for y in rows:
                line = lines[y] if y < len(lines) else ""
                cell = line[x] if x < len(line) else " "
                if cell != " ":
                    problems.append(f"{table.id} {column.key} y={y}: {line!r}")
    return problems


@pytest.mark.parametrize("size", SIZES)
async def test_analytics_tables_keep_a_gap_between_columns(make_app, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert _gaps_problems(app) == []
        lines = "\n".join(screen_lines(app))
        assert not re.search(r"\bCHECKOUT-API-\w+[A-Z][a-z]+Error", lines)
        assert "Rregressed" not in lines
        assert "Eescalating" not in lines


@pytest.mark.parametrize("size", SIZES)
async def test_releases_and_alerts_keep_a_gap_between_columns(make_app, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert _gaps_problems(app) == []
        await pilot.press("enter")  # a release's issues
        await settle(pilot)
        assert _gaps_problems(app) == []
        app.run_command("alerts")
        await settle(pilot)
        assert _gaps_problems(app) == []


@pytest.mark.parametrize("size", SIZES)
async def test_event_header_and_event_list_keep_words_apart(make_app, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        screen = await _open(pilot, _issue_with_events(app))
        event_id = screen.event.event_id
        header = next(line for line in screen_lines(app) if "event 1 of" in line)
        assert re.search(rf"event 1 of [\d,]+ +{event_id[:8]}", header), header
        await pilot.press("E")
        await settle(pilot)
        assert _gaps_problems(app) == []
