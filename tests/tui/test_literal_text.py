"""Outside text in every message path is shown literally: markup, escapes and bidi controls.

Sentry's 400s echo the query, tag values come from anyone with a DSN, view names and commands
from the user: none of it may be parsed as markup (`[/]` raised MarkupError and ended the app with
status 0) or reach the terminal as an escape sequence (issue 18, item 1).
"""

from __future__ import annotations

import html
import re

import pytest
import sentry_sdk
from textual.command import CommandPalette
from textual.content import Content
from textual.widgets import Input

from dexter_tui.tui.dialogs.confirm import ConfirmDialog
from dexter_tui.tui.dialogs.error_modal import ErrorModal
from dexter_tui.tui.screens.event_detail import EventDetailScreen
from dexter_tui.tui.screens.issues import IssuesScreen
from dexter_tui.tui.widgets.event_tags import TagsPane
from tests.tui.conftest import settle

SIZE = (120, 36)
SVG_TEXT = re.compile(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>')
HOSTILE = "[/]x [bold]b \x1b[31mred\x1b[0m \u202eevil"
SHOWN = "[/]x [bold]b ␛[31mred␛[0m evil"  # bidi override removed, ESC made visible


def toasts(app) -> list[str]:
    return [toast.render().plain for toast in app.screen.query("Toast")]


def screen_text(app) -> str:
    """The screen as lines of plain text, read back from its SVG screenshot."""
    lines: dict[float, list[tuple[float, str]]] = {}
    for x, y, text in SVG_TEXT.findall(app.export_screenshot()):
        lines.setdefault(float(y), []).append((float(x), html.unescape(text)))
    return "\n".join(
        "".join(t for _, t in sorted(parts)).replace("\xa0", " ")
        for _, parts in sorted(lines.items())
    )


@pytest.fixture
def config_home(tmp_path, monkeypatch):
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home


async def test_error_toast_and_modal_show_outside_text_literally(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.report_error(OSError(HOSTILE))  # a transient failure: a toast
        await settle(pilot)
        assert any(SHOWN in t for t in toasts(app))
        app.report_error(LookupError(HOSTILE))  # a configuration problem: a modal
        await settle(pilot)
        assert isinstance(app.screen, ErrorModal)
        assert SHOWN in screen_text(app)
        assert "\x1b[31m" not in app.export_screenshot()
        assert app.is_running


async def test_a_search_sentry_refuses_is_echoed_literally(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"timesSeen:>[/]", "enter")
        await settle(pilot)
        assert app.is_running
        assert isinstance(app.screen, IssuesScreen)
        # `/` keeps the query: the term is added to it (issue 15 item 6)
        assert app.screen.query_one("#query", Input).value == "is:unresolved timesSeen:>[/]"
        assert any("Sentry" in t for t in toasts(app))


async def test_command_line_and_saved_view_messages_are_literal(make_app, config_home) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("colon", *"view [/]", "enter")
        await settle(pilot)
        assert any("No saved view named '[/]'" in t for t in toasts(app))
        app.clear_notifications()
        app.run_command(f"nope {HOSTILE}")
        await settle(pilot)
        assert any(f"Unknown command :nope {SHOWN}" in t for t in toasts(app))
        app.clear_notifications()
        app.run_command(f"save {HOSTILE}")
        await settle(pilot)
        assert any(SHOWN in t for t in toasts(app))
        assert app.is_running


async def test_palette_entries_from_outside_are_literal(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert app.ctx.workspace is not None
        app.ctx.workspace.environments.append(HOSTILE)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert f"Environment: {SHOWN}" in [Content.from_markup(t).plain for t in titles]
        await pilot.press("ctrl+p", *"Environment")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        assert "[/]x [bold]b" in screen_text(app)
        assert app.is_running


async def test_a_tag_value_with_markup_searches_the_list_literally(
    make_app, seeded_server, seeded_world
) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        list_screen = app.screen
        keys = seeded_world.projects["notifications"]
        dsn = f"http://{keys.public_key}@127.0.0.1:{seeded_server.port}/{keys.project_id}"
        client = sentry_sdk.Client(dsn=dsn, default_integrations=False)
        with sentry_sdk.isolation_scope() as scope:
            scope.set_client(client)
            scope.set_tag("planted", "[/]x")
            try:
                raise ValueError("planted tag [/]x")
            except ValueError as error:
                sentry_sdk.capture_exception(error)
            client.flush(timeout=5)
        list_screen.poll()
        await settle(pilot)
        key = next(k for k, i in list_screen.feed.issues.items() if "planted tag" in i.title)
        list_screen.table.move_cursor_to_key(key)
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, EventDetailScreen)
        detail.show_tab("tags")
        await settle(pilot)
        pane = detail.pane("tags")
        assert isinstance(pane, TagsPane)
        row = next(r for r in pane.table.rows() if r.data.value == "[/]x")
        pane.table.move_cursor_to_key(row.key)
        pane.table.focus()
        await pilot.press("enter")
        await settle(pilot)
        assert app.is_running
        assert isinstance(app.screen, IssuesScreen)
        # added to the list's search (issue 15 item 6)
        assert app.screen.query_one("#query", Input).value == 'is:unresolved planted:"[/]x"'


async def test_confirm_question_and_action_log_rows_are_literal(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        screen = app.screen
        key = screen.table.cursor_key
        short = screen.feed.issues[key].short_id
        # a failed change whose reason is Sentry's echo of hostile text
        app.ctx.action_log.record("resolve", {key: "400: [/]x \x1b[2J\u202e"})
        await pilot.press("at")
        await settle(pilot)
        shown = screen_text(app)
        assert f"✗ {short}: 400: [/]x ␛[2J" in shown
        assert "\x1b[2J" not in app.export_screenshot()
        await pilot.press("escape")
        app.push_screen(ConfirmDialog(f"Resolve 1 issue? ({HOSTILE})"))
        await settle(pilot)
        assert SHOWN in screen_text(app)
        assert app.is_running
