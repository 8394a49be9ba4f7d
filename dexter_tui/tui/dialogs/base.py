"""The base of every centred dialog: one box with one look, styled here once.

Why: nine dialogs each repeated "centre me, thick accent border, surface background"; now a
dialog says only what differs (its width, a warning or error border, its inner widgets).
"""

from __future__ import annotations

from textual.screen import ModalScreen, ScreenResultType


class Dialog(ModalScreen[ScreenResultType]):
    """A centred modal whose first child (a `Vertical` or `VerticalScroll`) is the box."""

    DEFAULT_CSS = """
    Dialog { align: center middle; }
    Dialog > Vertical, Dialog > VerticalScroll {
        height: auto; border: thick $accent; background: $surface; padding: 0 1;
    }
    """
