"""Whether an event is a PostgreSQL deadlock worth the analyzer, and its analysis.

A cheap text pre-check keeps the analyzer off ordinary events.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from dexter_tui.sentry.models import Event
from dexter_tui.services.events.raw import event_json

_DEADLOCK_HINT = re.compile(r"40P01|deadlock", re.IGNORECASE)


def may_be_deadlock(event: Event) -> bool:
    """Cheap pre-check before the analyzer: SQLSTATE 40P01 or 'deadlock' in the usual places."""
    texts = [event.title, event.message or "", event.tag("db.sqlstate") or ""]
    data = event.exception
    if data is not None:
        texts += [f"{v.type} {v.value}" for v in data.values]
    return any(_DEADLOCK_HINT.search(t or "") for t in texts)


def deadlock_analysis(event: Event, raw: Mapping[str, Any] | None = None) -> Any:
    """The analyzer's `Analysis` when the event is a PostgreSQL deadlock, else None."""
    if not may_be_deadlock(event):
        return None
    from dexter_tui.services.deadlock import analyze

    analysis = analyze(dict(raw) if raw is not None else event_json(event))
    return analysis if analysis.is_deadlock else None
