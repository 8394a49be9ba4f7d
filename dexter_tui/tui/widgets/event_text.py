"""Text from an event, made inert (markup and escapes shown literally) and optionally PII-masked.

Every event pane builds its cells through `shown`, so the `m` toggle and the literal-text rule
hold in one place; text that can be huge (comments, messages, bodies) goes through `clipped`, so a
5 MB value costs what `TEXT_CAP` characters cost.
"""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.widgets import Static

from dexter_tui.services.events import mask_pii
from dexter_tui.services.sanitize import clip
from dexter_tui.tui.safe_text import clean_str, safe_text


def shown_str(value: Any, mask: bool, *, multiline: bool = False) -> str:
    text = clean_str(value, multiline=multiline)
    return mask_pii(text) if mask else text


def shown(
    value: Any,
    mask: bool,
    style: str | Style = "",
    *,
    multiline: bool = False,
    no_wrap: bool = True,
) -> Text:
    """`safe_text` of the value, with emails/IPs/cards/tokens masked when `mask` is on."""
    text = shown_str(value, mask, multiline=multiline)
    return safe_text(text, style, multiline=multiline, no_wrap=no_wrap)


#: the "show all" hint where the text has no key of its own: the Raw tab holds every byte
IN_RAW = " in the Raw tab"


def long_str(value: Any) -> str:
    """`value` as the text a long-text block clips ("" for None)."""
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)  # as `clean_str` does


def clipped(
    value: Any,
    mask: bool,
    style: str | Style = "",
    *,
    multiline: bool = False,
    no_wrap: bool = True,
    hint: str = "",
) -> Text:
    """`shown` of at most `TEXT_CAP` characters (O(cap) whatever the size), and, when more was
    left out, the note "… N more characters — show all" (`hint` names the key, if any)."""
    part = clip(long_str(value))
    text = shown(part.text, mask, style, multiline=multiline, no_wrap=no_wrap)
    if part.hidden:
        text.append("\n" if multiline or not no_wrap else " ")
        text.append(f"{part.note}{hint}", "italic reverse")
    return text


class LongTextBlock(Static, can_focus=True):
    """A block of event text with one long part (a log message, an unknown entry): drawn clipped
    at `TEXT_CAP`; `enter` shows all of it in a line view that draws a screen at a time."""

    DEFAULT_CSS = "LongTextBlock:focus { background: $boost; }"

    BINDINGS = [Binding("enter", "show_all", "Show all", show=False, id="event.text.show_all")]

    def __init__(
        self, renderable: Text, *, title: str, full: Any, mask: bool, classes: str = ""
    ) -> None:
        super().__init__(renderable, classes=classes)
        self.title_text = title
        self.full = full
        self.mask = mask

    @property
    def is_clipped(self) -> bool:
        return bool(clip(long_str(self.full)).hidden)

    def action_show_all(self) -> None:
        if not self.is_clipped:
            return
        from dexter_tui.tui.dialogs.full_text import FullTextScreen  # the dialog uses this module

        self.app.push_screen(FullTextScreen(self.title_text, long_str(self.full), mask=self.mask))
