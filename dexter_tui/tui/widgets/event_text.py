"""Text from an event, made inert (markup and escapes shown literally) and optionally PII-masked.

Every event pane builds its cells through `shown`, so the `m` toggle and the literal-text rule
hold in one place.
"""

from __future__ import annotations

from typing import Any

from rich.style import Style
from rich.text import Text

from dexter_tui.services.events import mask_pii
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
