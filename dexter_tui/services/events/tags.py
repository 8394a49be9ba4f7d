"""The tag table of an issue: top values with their share, the shown event's value marked."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dexter_tui.sentry.models import Event, TagDetail


@dataclass
class TagRowView:
    key: str
    value: str
    count: int
    share: float  # of the tag's total on the issue
    on_event: bool  # this value is the shown event's value
    first_of_key: bool
    event_value: str | None  # the event's value of this key (even when not in the top values)


def tag_rows(details: Sequence[TagDetail], event: Event | None) -> list[TagRowView]:
    """One row per (key, top value); event tags whose key the issue endpoint lacks come last."""
    event_values = {t.key: t.value for t in event.tags} if event else {}
    rows: list[TagRowView] = []
    seen: set[str] = set()
    for detail in sorted(details, key=lambda d: d.key):
        seen.add(detail.key)
        total = detail.total_values or sum(v.count or 0 for v in detail.top_values) or 0
        mine = event_values.get(detail.key)
        values = detail.top_values or []
        if not values:
            values = []
        for n, tv in enumerate(values):
            count = tv.count or 0
            rows.append(
                TagRowView(
                    key=detail.key,
                    value=tv.value or "",
                    count=count,
                    share=count / total if total else 0.0,
                    on_event=mine is not None and tv.value == mine,
                    first_of_key=n == 0,
                    event_value=mine,
                )
            )
        if mine is not None and not any(tv.value == mine for tv in values):
            rows.append(TagRowView(detail.key, mine, 0, 0.0, True, not values, mine))
    for key, value in sorted(event_values.items()):
        if key not in seen and value is not None:
            rows.append(TagRowView(key, value, 0, 0.0, True, True, value))
    return rows


_BLOCKS = " ▏▎▍▌▋▊▉█"


def bar(share: float, width: int) -> str:
    """A horizontal bar of `width` cells filled to `share` (eighth-cell steps)."""
    share = min(max(share, 0.0), 1.0)
    eighths = round(share * width * 8)
    full, part = divmod(eighths, 8)
    text = "█" * full + (_BLOCKS[part] if part and full < width else "")
    return text.ljust(width)


def tag_query(key: str, value: str) -> str:
    """The issue-search term for `key:value` (quoted; quotes and backslashes escaped)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'{key}:"{escaped}"'
