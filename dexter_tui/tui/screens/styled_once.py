"""A new screen is styled once, as its widgets mount, not again when it is first shown.

Why: Textual restyles a screen's whole tree on every `ScreenResume`, the first one included, and a
pushed screen's first resume comes after its widgets were mounted, i.e. styled. On the event
screen that second pass over its ~50 widgets (and their component classes) was ~15 ms before the
first frame. Later resumes (back from a screen above, after a theme change) still restyle.
"""

from __future__ import annotations

from textual import events


class StyledOnce:
    """Mixed into a `Screen` ahead of it: its first resume skips the restyle."""

    _resumed_before = False

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # Textual calls each class's handler along the MRO: this one runs before Screen's
        if not self._resumed_before:
            self._resumed_before = True
            event.refresh_styles = False
