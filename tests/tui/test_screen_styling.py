"""A pushed screen is styled once as its widgets mount, not again by its first resume. Counted
through the app's stylesheet."""

from __future__ import annotations

from collections import Counter

from textual.widgets import Static
from textual.widgets._footer import FooterKey

from dexter_tui.tui.screens.event_detail import EventDetailScreen
from dexter_tui.tui.screens.issues import IssuesScreen
from dexter_tui.tui.widgets.stable_footer import StableFooter
from tests.tui.conftest import settle
from tests.tui.screen_text import screen_text

SIZE = (120, 36)


def _count_applies(app) -> Counter[int]:
    applied: Counter[int] = Counter()
    apply = app.stylesheet.apply

    def counting(node, **kw) -> None:  # type: ignore[no-untyped-def]
        applied[id(node)] += 1
        apply(node, **kw)

    app.stylesheet.apply = counting
    return applied


async def test_an_opened_event_screen_is_styled_once(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        issues = app.screen
        assert isinstance(issues, IssuesScreen)
        applied = _count_applies(app)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EventDetailScreen)
        header = screen.query_one("#event-header", Static)
        assert "Stack trace" in screen_text(app)  # the screen a person sees is up
        for widget in (header, screen.query_one(StableFooter), *screen.query(FooterKey)):
            assert applied[id(widget)] == 1, type(widget).__name__
