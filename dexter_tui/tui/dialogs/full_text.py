"""All of a long text (a comment, a message) that the event view shows clipped.

Why: drawing 5 MB through a wrapping `Static` takes seconds on the UI thread. Here the text is
cut into lines once and drawn through the line API a screen at a time, as the raw tab does, so
opening and scrolling cost follows the terminal height, not the text's size.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from dexter_tui.services.sanitize import text_lines
from dexter_tui.tui.dialogs.base import Dialog
from dexter_tui.tui.safe_text import safe_text
from dexter_tui.tui.widgets.event_raw import RawJsonView
from dexter_tui.tui.widgets.event_text import shown_str


class TextLinesView(RawJsonView):
    """The raw tab's line view, without JSON colours."""

    def style_line(self, line: str) -> Text:
        return Text(line, end="", no_wrap=True)


class FullTextScreen(Dialog[None]):
    """`j/k`, `space`/`pageup`, `g/G` scroll; `esc` or `q` closes."""

    DEFAULT_CSS = """
    FullTextScreen > Vertical { width: 95%; height: 90%; }
    FullTextScreen .title { text-style: bold; height: 1; }
    FullTextScreen .hint { color: $text-muted; height: 1; }
    FullTextScreen TextLinesView { height: 1fr; }
    """

    BINDINGS = [
        Binding("escape,q", "close", "Close", id="full_text.close"),
    ]

    def __init__(self, title: str, text: str, *, mask: bool) -> None:
        super().__init__()
        self.title_text = title
        self.lines = text_lines(text)
        self.mask = mask
        self.size_chars = len(text)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(safe_text(self.title_text), classes="title")
            yield TextLinesView(id="full-text")
            yield Static(
                f"{self.size_chars:,} characters · {len(self.lines):,} lines · "
                "j/k space/pageup g/G scroll · esc close",
                classes="hint",
            )

    def on_mount(self) -> None:
        view = self.query_one(TextLinesView)
        view.set_lines(self.lines, mask=self.mask)
        view.focus()

    def visible_text(self) -> str:
        """The lines on screen now, as shown (for tests and screen readers' copy)."""
        view = self.query_one(TextLinesView)
        top = int(view.scroll_y)
        height = view.scrollable_content_region.height
        return "\n".join(shown_str(x, self.mask) for x in self.lines[top : top + height])

    def action_close(self) -> None:
        self.dismiss(None)
