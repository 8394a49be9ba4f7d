"""Saved views through the app: `:save`, `:view NAME`, `:views`, the palette, and a restart."""

from __future__ import annotations

import stat

import pytest
from textual.content import Content

from dexter_tui.tui.dialogs.pick import PickDialog
from dexter_tui.tui.dialogs.save_view import SaveViewDialog
from dexter_tui.tui.screens.issues import IssuesScreen
from tests.tui.conftest import settle

SIZE = (120, 36)


@pytest.fixture
def config_home(tmp_path, monkeypatch):
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home / "dexter-tui"


async def test_saved_view_survives_a_restart(make_app, config_home) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for command in (
            "query is:unresolved level:error",
            "period 24h",
            "sort freq",
            "env production",
        ):
            app.run_command(command)
            await settle(pilot)
        saved_query = app.issues_screen.feed.query
        app.run_command("save")  # no name: the dialog asks
        await settle(pilot)
        assert isinstance(app.screen, SaveViewDialog)
        await pilot.press(*"prod errors", "enter")
        await settle(pilot)
    path = config_home / "views.json"
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600

    app = make_app()  # a restart
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "View: prod errors" in titles
        assert app.issues_screen.feed.query != saved_query
        app.run_command("view Prod Errors")
        await settle(pilot)
        assert isinstance(app.screen, IssuesScreen)
        q = app.issues_screen.feed.query
        assert (q.query, q.sort, q.period, q.environments) == (
            saved_query.query,
            saved_query.sort,
            saved_query.period,
            saved_query.environments,
        )


async def test_views_picker_without_server_searches(make_app, config_home, seeded_app) -> None:
    """An older Sentry without saved searches (the demo told to answer 404 for the route)."""
    seeded_app.state.faults.configure({"missing_routes": ["/api/0/organizations/acme/searches/"]})
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.run_command("save unresolved")
        app.run_command("views")
        await settle(pilot)
        assert isinstance(app.screen, PickDialog)
        assert "no saved searches endpoint" in app.screen.title_text  # degraded, said so
        assert len(app.screen.labels) == 1
        await pilot.press("escape")
        app.run_command("view nope")
        app.run_command("unsave unresolved")
        await settle(pilot)
        assert not (config_home / "views.json").read_text().count('"name"')


async def test_view_names_are_data_in_the_palette(make_app, config_home) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.run_command("save [bold red]x[/] \x1b[31m")
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        title = next(t for t in titles if t.startswith("View: "))
        assert Content.from_markup(title).plain == "View: [bold red]x[/] ␛[31m"
