"""The breadcrumb line (k9s style): the places behind this one, then where you are."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from dexter_tui.tui.safe_text import safe_text


class Breadcrumb(Static):
    """`issues: is:unresolved › API-1A2 · tags › issues: … environment:"prod"` — shown only when
    there is a place to go back to (`esc`, `q`, `ctrl+o`)."""

    DEFAULT_CSS = """
    Breadcrumb { height: 1; padding: 0 1; background: $panel; color: $text-muted; display: none; }
    Breadcrumb.-trail { display: block; }
    """

    def show_trail(self, labels: list[str]) -> None:
        text = Text()
        for i, label in enumerate(labels):
            last = i == len(labels) - 1
            if i:
                text.append(" › ", style="dim")
            part = safe_text(label)
            if last:
                part.stylize("bold")
            text.append_text(part)
        if len(labels) > 1:
            text.append("   esc/ctrl+o back", style="dim italic")
        self.set_class(len(labels) > 1, "-trail")
        self.update(text)
