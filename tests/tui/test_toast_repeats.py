"""The same toast raised again while it is still up: one toast that counts, not a stack.

Why: a key pressed three times in read-only or offline mode, or a poll failing every few seconds,
stacked identical toasts up the right side of the screen until they covered the rows.
"""

from __future__ import annotations

from dexter_tui.tui.screens.issues import IssuesScreen
from tests.tui.conftest import settle
from tests.tui.screen_text import screen_text

SIZE = (120, 36)
REASON = "read-only mode: no changes are sent"


async def test_a_repeated_refusal_is_one_toast_with_a_count(make_app) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, IssuesScreen)
        for _ in range(3):
            await pilot.press("x")
            await settle(pilot)
        live = [n for n in app._notifications if not n.has_expired]
        assert [n.message for n in live] == [f"{REASON} (×3)"]
        text = screen_text(app)
        assert text.count(REASON) == 1
        assert "(×3)" in text


async def test_different_toasts_still_stack(make_app) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        app.notify("something else")
        await pilot.press("x")
        await settle(pilot)
        messages = [n.message for n in app._notifications if not n.has_expired]
        assert messages == ["something else", f"{REASON} (×2)"]
