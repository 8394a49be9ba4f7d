"""One issue as a stable JSON object: Sentry's own fields plus dexter's priority score.

Why a module: `dexter issues list --json`, `issues show --json` and the offline cache must agree on
the shape scripts rely on; `issue.schema.json` beside this file documents it (and tests check it).
Sentry's fields keep Sentry's names (camelCase) and values, except `count`, `userCount` and
`numComments`, which are integers (Sentry sends `count` as a string). dexter's additions live under
one key, `dexter`, so they can never collide with a field Sentry adds later.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dexter_tui.sentry.models import Issue
from dexter_tui.services.issues import priority_of

SCHEMA_PATH = Path(__file__).with_name("issue.schema.json")
PRIORITY_PARTS = ("level", "trend", "volume", "users", "recency", "state")


def sentry_fields(issue: Issue) -> dict[str, Any]:
    """The issue as Sentry sent it (fields it omitted stay omitted)."""
    return issue.model_dump(mode="json", by_alias=True, exclude_unset=True)


def issue_record(issue: Issue, stats_key: str, now: float) -> dict[str, Any]:
    """Sentry's fields + `dexter.priority` (the transparent 0-100 score and its parts)."""
    record = sentry_fields(issue)
    score = priority_of(issue, stats_key, now)
    parts = {name: round(getattr(score, name), 2) for name in PRIORITY_PARTS}
    record["dexter"] = {
        "priority": {"score": round(score.total, 2), "parts": parts, "statsPeriod": stats_key}
    }
    return record


def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text("utf-8"))
