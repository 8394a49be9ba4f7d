"""Identifiers keep their distinguishing end on screen (issue 15, item 8).

At 80×24 short ids read `BILLING-WORKER…` and releases `checkout-api@2…`: every issue of a
project and every release of a service then look alike. A too-long identifier is cut in the
middle (`checkout-…@2.15.0-rc1`), never at its end.
"""

from __future__ import annotations

import re

import pytest
from rich.text import Text
from textual.containers import VerticalScroll

from dexter_tui.tui.dialogs.event_list import EventListDialog
from dexter_tui.tui.screens.analytics import AnalyticsScreen, breakdown_text
from dexter_tui.tui.screens.releases import ReleasesScreen
from dexter_tui.tui.widgets.table_cells import (
    LineBuilder,
    append_cell,
    identifier_text,
    middle_ellipsis,
)
from tests.tui.conftest import settle
from tests.tui.screen_text import screen_lines, screen_text
from tests.tui.test_event_detail import _issue_with_events, _open

SIZES = [(80, 24), (120, 36), (200, 50)]


def _tail(identifier: str) -> str:
    """The part that tells it apart: a release's version, a short id's counter."""
    for mark in "@-":
        if mark in identifier:
            return identifier[identifier.rindex(mark) :]
    return identifier[-3:]


def _shown_intact(identifier: str, text: str) -> bool:
    """`identifier` is on screen whole, or cut in the middle with its end kept."""
    if identifier in text:
        return True
    tail = _tail(identifier)
    head = re.escape(identifier[:2])
    return re.search(rf"{head}[^\s…]*…[^\s…]*{re.escape(tail)}(\s|$)", text, re.M) is not None


def test_middle_ellipsis_keeps_the_version_and_the_counter() -> None:
    assert middle_ellipsis("checkout-api@2.15.0-rc1", 21) == "checkout-…@2.15.0-rc1"
    assert middle_ellipsis("BILLING-WORKER-8", 14) == "BILLING-WOR…-8"
    assert middle_ellipsis("BILLING-WORKER-8", 16) == "BILLING-WORKER-8"
    assert middle_ellipsis("a1b2c3d4e5f60718293a", 10) == "a1b…18293a"  # no mark: both ends
    assert middle_ellipsis("checkout-api@2.15.0-rc1", 1) == "…"


def test_a_table_cell_cuts_an_identifier_in_the_middle() -> None:
    from rich.console import Console

    line = LineBuilder()
    append_cell(line, identifier_text("checkout-api@2.15.0-rc1"), 15, "left", Console())
    assert "".join(s.text for s in line.finish()) == "che…@2.15.0-rc1"
    line = LineBuilder()
    append_cell(line, Text("a plain title that is long"), 10, "left", Console())
    assert "".join(s.text for s in line.finish()) == "a plain t…"  # titles: cut at the end


def test_breakdown_labels_keep_the_version() -> None:
    from dexter_tui.services.analytics import Breakdown

    breakdown = Breakdown(
        name="release",
        values=[("checkout-api@2.15.0-rc1", 40), ("checkout-api@2.15.0-rc2", 30)],
        total=70,
    )
    text = breakdown_text(breakdown, "Release", 28).plain
    assert "@2.15.0-rc1" in text
    assert "@2.15.0-rc2" in text


@pytest.mark.parametrize("size", SIZES)
async def test_issue_list_short_ids_keep_their_end(make_app, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        screen = app.issues_screen
        text = screen_text(app)
        shown = 0
        for key in screen.table.visible_keys()[: size[1] - 8]:
            short_id = screen.feed.issues[key].short_id
            if short_id in text or _shown_intact(short_id, text):
                shown += 1
            assert not re.search(rf"{re.escape(short_id[:-2])}[^\s]*…", text), short_id
        assert shown >= 5


async def test_event_list_releases_keep_their_version(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        await _open(pilot, _issue_with_events(app))
        await pilot.press("E")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, EventListDialog)
        text = screen_text(app)
        releases = {
            row.get_cells()["release"].plain
            for key in dialog.table.visible_keys()[:20]
            if (row := dialog.table.get_row(key)) is not None
        } - {""}
        assert releases
        for release in releases:
            assert _shown_intact(release, text), (release, text)


@pytest.mark.parametrize("size", SIZES)
async def test_analytics_short_ids_and_releases_keep_their_end(make_app, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AnalyticsScreen)
        text = screen_text(app)
        top = screen.query_one("#top-events")
        for key in top.visible_keys()[:5]:
            assert _shown_intact(top.get_row(key).data.short_id, text)
        screen.query_one(VerticalScroll).scroll_end(animate=False)
        await settle(pilot)
        text = screen_text(app)
        assert "Release" in text
        releases = re.findall(r"[a-z-]+@\d[\w.+-]*", "\n".join(screen_lines(app)))
        assert not re.search(r"[a-z-]+@\d[\w.]*…", text), text
        assert releases or "…@" in text


@pytest.mark.parametrize("size", SIZES)
async def test_releases_keep_their_version(make_app, size) -> None:
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReleasesScreen)
        text = screen_text(app)
        versions = [screen.table.get_row(k).data.version for k in screen.table.visible_keys()]
        for version in versions[: size[1] - 8]:
            assert _shown_intact(version, text), (version, text)
