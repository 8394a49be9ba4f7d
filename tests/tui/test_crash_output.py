"""A crash inside the TUI prints no credentials to the terminal.

Why: Textual's own fatal-error screen renders the traceback with every frame's locals; a frame
holding the token (a request's headers, the settings) would print it to the terminal — and to
the scroll-back of a shared tmux or a recorded SSH session — before dexter's redacted crash log.
"""

from __future__ import annotations

import pytest

from tests.tui.conftest import AppMaker


async def test_a_crash_prints_no_token_and_no_locals(
    make_app: AppMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    app = make_app()
    token = app.ctx.settings.token_value()
    assert token

    def boom() -> None:
        headers = {"Authorization": f"Bearer {token}"}  # noqa: F841 - a local the crash must not show
        raise RuntimeError(f"kaput while sending {token}")

    async def run() -> None:
        async with app.run_test() as pilot:
            app.call_later(boom)
            await pilot.pause()
            await pilot.pause()

    with pytest.raises(RuntimeError):
        await run()
    captured = capsys.readouterr()
    printed = captured.out + captured.err
    assert "RuntimeError: kaput while sending" in printed
    assert token not in printed  # neither the local nor the message shows it
    assert "********" in printed
    assert "locals" not in printed  # Textual's panel title for a frame's variables
