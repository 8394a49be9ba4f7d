"""Breadcrumbs as shown: oldest first, each timed relative to the event, and their filter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dexter_tui.sentry.models import Event
from dexter_tui.services.events.text import as_text


@dataclass
class CrumbView:
    offset: float | None  # seconds relative to the event (negative: before it)
    category: str
    level: str
    type: str
    message: str
    data: str

    def haystack(self) -> str:
        return f"{self.category} {self.level} {self.type} {self.message} {self.data}".casefold()


def breadcrumb_views(event: Event) -> list[CrumbView]:
    """Oldest first, each with its time relative to the event."""
    at = event.date_created
    views = []
    for crumb in event.breadcrumbs:
        offset = None
        if at is not None and crumb.timestamp is not None:
            offset = (crumb.timestamp - at).total_seconds()
        views.append(
            CrumbView(
                offset=offset,
                category=crumb.category or "",
                level=crumb.level or "",
                type=crumb.type or "default",
                message=crumb.message or "",
                data=as_text(crumb.data) if crumb.data else "",
            )
        )
    return views


def format_offset(seconds: float | None) -> str:
    """-0.25s, -12.0s, -3m04s, -2h05m (relative to the event)."""
    if seconds is None:
        return "?"
    sign = "-" if seconds < 0 else "+"
    s = abs(seconds)
    if s < 60:
        return f"{sign}{s:.2f}s" if s < 10 else f"{sign}{s:.1f}s"
    if s < 3600:
        return f"{sign}{int(s // 60)}m{int(s % 60):02d}s"
    return f"{sign}{int(s // 3600)}h{int(s % 3600 // 60):02d}m"


def filter_crumbs(crumbs: Sequence[CrumbView], text: str) -> list[CrumbView]:
    """`category:NAME` (or `cat:`) and `level:NAME` narrow by field; other words match anywhere."""
    categories: list[str] = []
    levels: list[str] = []
    words: list[str] = []
    for token in text.split():
        key, sep, value = token.partition(":")
        if sep and key.casefold() in ("category", "cat") and value:
            categories.append(value.casefold())
        elif sep and key.casefold() == "level" and value:
            levels.append(value.casefold())
        else:
            words.append(token.casefold())
    out = []
    for crumb in crumbs:
        if categories and not any(c in crumb.category.casefold() for c in categories):
            continue
        if levels and crumb.level.casefold() not in levels:
            continue
        hay = crumb.haystack()
        if all(w in hay for w in words):
            out.append(crumb)
    return out
