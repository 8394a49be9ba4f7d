"""The fixed choices of dexter, each defined once: issue sorts, stats periods, stack orders, the
confirm policy, and the defaults a fresh issue list starts from.

Config validates against these, services compute with them and the TUI cycles through them, so a
new period or sort is added here and nowhere else. Standard library only: `dexter_tui.config`
reads this at start and must stay light.
"""

from __future__ import annotations

import re

#: the issue list's sorts: Sentry's, plus `priority`, dexter's transparent score sorted locally
SORTS = ("date", "new", "freq", "user", "priority")
SORT_LABELS = {
    "date": "last seen",
    "new": "first seen",
    "freq": "events",
    "user": "users",
    "priority": "priority score",
}
#: sorts Sentry accepts that the list does not cycle through (`default_sort` may still name them)
SENTRY_ONLY_SORTS = ("trends", "inbox", "recommended")

#: stats periods of the issue list and the analytics view
PERIODS = ("1h", "24h", "7d", "14d", "30d")
#: the periods Sentry's hourly (`24h`) stats series fits; the longer ones take the daily (`14d`)
HOURLY_PERIODS = ("1h", "24h")
_PERIOD_RE = re.compile(r"^(\d+)([mhdw])$")
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}

#: the issue list a fresh start shows (config's `default_query`, `default_sort`, `default_period`)
DEFAULT_QUERY = "is:unresolved"
DEFAULT_SORT = "date"
DEFAULT_PERIOD = "14d"
#: where a view's period cycle starts when its period is not one of `PERIODS` (config allows any)
FALLBACK_PERIOD = "24h"

#: event detail frames: as Python prints them (most recent call last) or Sentry's web default
STACK_ORDERS = ("oldest-first", "newest-first")

#: when to ask before acting: every action, bulk ones only, never
CONFIRM_POLICIES = ("always", "bulk", "never")


def stats_key(period: str) -> str:
    """The issue stats series that fits `period`: Sentry offers 24h hourly or 14d daily."""
    return "24h" if is_hourly(period) else "14d"


def is_hourly(period: str) -> bool:
    """Periods of a day or less: charted by the hour, stamped with a time of day."""
    return period in HOURLY_PERIODS


def period_seconds(period: str) -> float:
    """`14d` → seconds (Sentry's statsPeriod syntax)."""
    match = _PERIOD_RE.match(period)
    if not match:
        raise ValueError(f"not a period: {period!r}")
    return int(match.group(1)) * _UNITS[match.group(2)]
