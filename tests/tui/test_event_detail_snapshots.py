"""Snapshots of the event detail screen on the frozen seeded demo: every tab, the comment editor,
a loading pane and a failed pane."""

from __future__ import annotations

import re

import pytest

from tests.tui.conftest import settle

WIDE = (120, 36)


def stable_permalink(pilot) -> None:
    """The demo's permalink carries its random loopback port; snapshots show a fixed one."""
    screen = pilot.app.screen
    permalink = screen.issue.permalink or ""
    screen.issue.permalink = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:8000", permalink)
    screen.refresh_header()


def _open(*keys: str, tab: str | None = None):
    """Open the first issue of the list, optionally show a tab, then press keys."""

    async def run(pilot) -> None:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        stable_permalink(pilot)
        if tab is not None:
            pilot.app.screen.show_tab(tab)
            await settle(pilot)
        if keys:
            await pilot.press(*keys)
            await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    return run


@pytest.mark.parametrize(
    "tab", ["stack", "breadcrumbs", "tags", "context", "request", "comments", "raw", "hashes"]
)
def test_tab(snap_compare, make_app, tab: str) -> None:
    opened = _open(tab=tab)

    async def run(pilot) -> None:
        await opened(pilot)
        if tab == "tags":  # the SDK gives some events a random trace id on each seed
            table = pilot.app.screen.pane("tags").table
            table.set_filter(lambda row: row.data.key != "trace")
            await pilot.pause()

    assert snap_compare(make_app(), terminal_size=WIDE, run_before=run)


def test_stack_full_with_variables(snap_compare, make_app) -> None:
    # the library frame's variables hold object addresses (differ per run): expand an app frame
    run = _open("f", "j", "enter", tab="stack")
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=run)


def test_stack_80x24(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_open(tab="stack"))


def test_raw_search(snap_compare, make_app) -> None:
    run = _open("slash", *"breadcrumbs", "enter", tab="raw")
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=run)


def test_breadcrumbs_filtered(snap_compare, make_app) -> None:
    run = _open("slash", *"category:query", "enter", tab="breadcrumbs")
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=run)


def test_pii_masked_context(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=_open("m", tab="context"))


def test_comment_editor(snap_compare, make_app) -> None:
    async def run(pilot) -> None:
        await _open(tab="comments")(pilot)
        await pilot.press("c", *"Looks like the SKU cache is stale.", "enter", *"[b]not bold[/b]")
        pilot.app.screen.query_one("#comment-text").cursor_blink = False
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=WIDE, run_before=run)


def test_event_list(snap_compare, make_app) -> None:
    assert snap_compare(make_app(), terminal_size=WIDE, run_before=_open("E"))


def test_loading_pane(snap_compare, make_app, seeded_app, request) -> None:
    # the tags request is held open until the picture is taken, however slow the machine is
    request.addfinalizer(lambda: setattr(seeded_app.state.options, "latency_ms", 0))

    async def run(pilot) -> None:
        pilot.app.animation_level = "none"  # the spinner's first frame, not a moving one
        await _open()(pilot)
        seeded_app.state.options.latency_ms = 600_000
        pilot.app.screen.show_tab("tags")  # the tags request is now in flight
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=WIDE, run_before=run)


def test_failed_pane(snap_compare, make_app, seeded_app) -> None:
    async def run(pilot) -> None:
        await settle(pilot)
        seeded_app.state.faults.malformed_json = 2  # the issue detail and the event
        await pilot.press("enter")
        await settle(pilot)
        stable_permalink(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(make_app(), terminal_size=WIDE, run_before=run)
