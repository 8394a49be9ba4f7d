"""What a person reads: the composed screen (modals over what they cover) as text."""

from __future__ import annotations

import io

from rich.console import Console
from textual.app import App


def screen_lines(app: App) -> list[str]:
    """The screen as drawn, one string per terminal row (exact columns, trailing blanks cut)."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console.print(update)
    return [line.rstrip() for line in console.export_text().splitlines()]


def screen_text(app: App) -> str:
    """`screen_lines` joined with newlines."""
    return "\n".join(screen_lines(app))
