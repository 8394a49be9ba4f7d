"""Any JSON value as one line of text: how every event view shows tag, context and frame values."""

from __future__ import annotations

import json
from typing import Any

from dexter_tui.services.json_depth import INLINE_MAX_DEPTH, clip_depth

#: (key, value) rows of a context group, a header list or a query string
KeyValues = list[tuple[str, str]]


def as_text(value: Any) -> str:
    """Strings as they are, other values as compact JSON (`str()` when not serializable)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(clip_depth(value, INLINE_MAX_DEPTH), ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        return "…"
