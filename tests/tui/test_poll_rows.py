"""A live poll touches only the rows that changed: unchanged issues keep their row objects (and
cached lines), a changed issue's row shows its new figures, and only rows whose age text moved
on are drawn again."""

from __future__ import annotations

import gc

from rich.text import Text
from textual.app import App, ComposeResult

from dexter_tui.tui.issue_rows import IssueRow, issue_row, rows_aged
from dexter_tui.tui.screens.issues import IssuesScreen
from dexter_tui.tui.widgets.fast_table import Column, FastTable, Row
from tests.conftest import SEED_NOW
from tests.tui.conftest import settle

SIZE = (120, 36)


def _screen(app) -> IssuesScreen:
    screen = app.screen
    assert isinstance(screen, IssuesScreen)
    return screen


def _row_text(screen: IssuesScreen, key: str) -> str:
    table = screen.table
    y = table.visible_keys().index(key) + 1 - table.scroll_offset.y
    return table.render_line(y).text


async def test_a_poll_that_changes_nothing_keeps_every_row_object(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _screen(app)
        table = screen.table
        before = {key: table.get_row(key) for key in table.visible_keys()}
        listed = {key: screen.feed.listed(key) for key in before}
        screen.poll()
        await settle(pilot)
        assert table.visible_keys() == list(before)
        assert all(table.get_row(key) is row for key, row in before.items())
        assert all(screen.feed.listed(key)._packed is listed[key]._packed for key in before)
        assert not table.new_keys


async def test_a_changed_issue_shows_its_new_count_and_the_others_keep_their_rows(
    make_app, seeded_store, seeded_world
) -> None:
    from dexter_tui.demo.ingest import ingest_event

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _screen(app)
        table = screen.table
        project = seeded_world.projects["billing-worker"]
        event = {
            "event_id": "a" * 32,
            "timestamp": SEED_NOW - 30,
            "level": "error",
            "exception": {"values": [{"type": "PollProbe", "value": "counted twice"}]},
        }
        _, group_id = ingest_event(seeded_store, project.project_id, event)
        key = str(group_id)
        screen.poll()
        await settle(pilot)
        assert key in table.new_keys
        order = screen.feed.order  # rebuilt by the tick: out of the collector's sight after it
        assert not any(o is order for o in gc.get_objects())
        assert table.move_cursor_to_key(key)  # scrolled above the rows on screen: bring it in
        await pilot.pause()
        assert "PollProbe" in _row_text(screen, key)
        events_before = screen.feed.listed(key).count
        others = {k: table.get_row(k) for k in table.visible_keys() if k != key}

        ingest_event(seeded_store, project.project_id, event | {"event_id": "b" * 32})
        screen.poll()
        await settle(pilot)
        assert screen.feed.listed(key).count == events_before + 1
        line = _row_text(screen, key)
        assert "PollProbe" in line
        assert f" {events_before + 1} " in line  # EVENTS, on screen
        assert all(table.get_row(k) is row for k, row in others.items())


class _Ages(App[None]):
    def __init__(self, rows: list[Row]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield FastTable([Column("title", "TITLE", width=20)], id="table")

    def on_mount(self) -> None:
        self.query_one(FastTable).set_rows(self.rows)


async def test_redraw_rows_draws_again_only_the_rows_picked() -> None:
    texts = {"a": "one", "b": "two"}

    def row(key: str) -> Row:
        return Row(key=key, cells=lambda: {"title": Text(texts[key])})

    app = _Ages([row("a"), row("b")])
    async with app.run_test(size=(40, 8)):
        table = app.query_one(FastTable)
        assert "one" in table.render_line(1).text
        assert "two" in table.render_line(2).text
        texts.update(a="uno", b="dos")
        table.redraw_rows(lambda r: r.key == "a")
        assert "uno" in table.render_line(1).text
        assert "two" in table.render_line(2).text  # not picked: its cached line stays
        table.redraw()
        assert "dos" in table.render_line(2).text


def _no_priority(_issue: object) -> None:
    raise AssertionError("ages never need the priority score")


def test_a_row_has_aged_only_when_its_age_text_moved_on() -> None:
    from dexter_tui.sentry.models import Issue
    from dexter_tui.services.listed_issues import IssueMap

    seen = 1_795_000_000.0
    issues = IssueMap("24h", [Issue(id="1", first_seen=None, last_seen=seen)])
    clock = [seen]
    row = issue_row(issues.listed("1"), "24h", lambda: clock[0], _no_priority)
    assert isinstance(row, IssueRow)
    assert row.aged(seen + 59, seen + 61)  # 59s → 1m
    assert not row.aged(seen + 61, seen + 119)  # 1m all along
    assert row.aged(seen + 3599, seen + 3600)  # 59m → 1h
    assert rows_aged(None, seen)(row)  # never brought up to date: drawn again
    fixed = issue_row(issues.listed("1"), "24h", seen + 10, _no_priority)
    assert not fixed.aged(seen, seen + 86400)  # ages as of a fixed time never move
