"""A transparent priority score for issues: 0–100, the sum of six visible parts.

On-call engineers distrust opaque rankings, so every part is simple and shown (help, analytics):

- **level**: fatal 30, error 22, warning 10, info 3, debug/other 0;
- **trend**: events in the recent half of the stats window vs the half before it; rising issues
  score up to 25 (a doubling scores 12.5, ×4 or more 25; activity after silence counts as ×4);
- **volume**: events in the window, 5 points per power of ten, at most 15;
- **users**: users affected, 6 points per power of ten, at most 15;
- **recency**: last seen within 1 h scores 10, within 24 h 5, else 0;
- **state**: regressed or escalating +5 (they already bit once).

The parts add up to at most 100.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

LEVEL_POINTS = {"fatal": 30.0, "error": 22.0, "warning": 10.0, "info": 3.0}
TREND_MAX = 25.0
VOLUME_PER_DECADE, VOLUME_MAX = 5.0, 15.0
USERS_PER_DECADE, USERS_MAX = 6.0, 15.0
RECENT_1H, RECENT_24H = 10.0, 5.0
STATE_POINTS = 5.0
HOT_STATES = frozenset({"regressed", "escalating"})


@dataclass(frozen=True)
class PriorityInputs:
    """What the score is computed from; all of it comes with an issue list page."""

    level: str
    buckets: Sequence[int]  # event counts per stats bucket, oldest first
    users: int
    seconds_since_last_seen: float
    substatus: str | None = None


@dataclass(frozen=True)
class PriorityScore:
    """The score and its parts, so the UI can show why an issue ranks where it does."""

    level: float
    trend: float
    volume: float
    users: float
    recency: float
    state: float
    recent_events: int
    previous_events: int

    @property
    def total(self) -> float:
        return self.level + self.trend + self.volume + self.users + self.recency + self.state

    @property
    def ratio(self) -> float | None:
        """Recent/previous event ratio; None when nothing happened before."""
        if self.previous_events == 0:
            return None
        return self.recent_events / self.previous_events


def _decades(value: float) -> float:
    return math.log10(1.0 + max(value, 0.0))


def score(inputs: PriorityInputs) -> PriorityScore:
    """Compute the priority score of one issue."""
    half = len(inputs.buckets) // 2
    previous = int(sum(inputs.buckets[:half]))
    recent = int(sum(inputs.buckets[half:]))
    if recent == 0:
        growth = 0.0
    elif previous == 0:
        growth = 2.0  # counts as ×4: new activity where there was none
    else:
        growth = max(0.0, math.log2(recent / previous))
    trend = min(TREND_MAX, TREND_MAX * growth / 2.0)
    total_events = previous + recent
    since = inputs.seconds_since_last_seen
    recency = RECENT_1H if since <= 3600 else RECENT_24H if since <= 86400 else 0.0
    return PriorityScore(
        level=LEVEL_POINTS.get(inputs.level, 0.0),
        trend=trend,
        volume=min(VOLUME_MAX, VOLUME_PER_DECADE * _decades(total_events)),
        users=min(USERS_MAX, USERS_PER_DECADE * _decades(inputs.users)),
        recency=recency,
        state=STATE_POINTS if inputs.substatus in HOT_STATES else 0.0,
        recent_events=recent,
        previous_events=previous,
    )


EXPLANATION = __doc__ or ""
