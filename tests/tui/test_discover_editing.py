"""Discover's `/` edits the search query and adds to it (issue 15, item 5).

`/` ("Edit query" in the footer) focused the fields with all their text selected: typing
replaced the field list, and Sentry then refused the sort (its field was gone).
"""

from __future__ import annotations

from dexter_tui.services.discover import DEFAULT_FIELDS
from tests.tui.conftest import settle
from tests.tui.screen_text import screen_lines, screen_text
from tests.tui.test_discover_view import _open

SIZE = (120, 36)


def _row(app, label: str) -> str:
    return next(line for line in screen_lines(app) if line.lstrip().startswith(label))


async def test_slash_types_into_the_query_and_keeps_the_fields(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        assert "/ Edit query" in screen_lines(app)[-1]
        await pilot.press("slash", *"level:error", "enter")
        await settle(pilot)
        assert "level:error" in _row(app, "query")
        assert ", ".join(DEFAULT_FIELDS) in _row(app, "fields")
        assert "Sentry refused" not in screen_text(app)
        assert screen.query_spec.query == "level:error"
        assert screen.query_spec.fields == DEFAULT_FIELDS

        await pilot.press("slash", *" is:unresolved", "enter")  # adds to the query, at its end
        await settle(pilot)
        assert "level:error is:unresolved" in _row(app, "query")
        assert screen.query_spec.query == "level:error is:unresolved"
        assert "Sentry refused" not in screen_text(app)
