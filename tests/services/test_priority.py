"""The priority score ranks what is on fire first and every part stays explainable."""

from __future__ import annotations

import pytest

from dexter_tui.services.priority import PriorityInputs, score


def _inputs(**kw) -> PriorityInputs:
    base = {
        "level": "error",
        "buckets": [1] * 24,
        "users": 1,
        "seconds_since_last_seen": 7200.0,
        "substatus": "ongoing",
    }
    base.update(kw)
    return PriorityInputs(**base)


def test_rising_issue_outranks_flat_issue_with_same_volume() -> None:
    flat = score(_inputs(buckets=[5] * 24))
    rising = score(_inputs(buckets=[1] * 12 + [9] * 12))
    assert flat.trend == 0
    assert rising.trend > 0
    assert rising.total > flat.total
    assert rising.recent_events == 108
    assert rising.previous_events == 12
    assert rising.ratio == pytest.approx(9.0)


def test_parts_add_up_and_stay_within_bounds() -> None:
    worst = score(
        _inputs(
            level="fatal",
            buckets=[0] * 12 + [10_000] * 12,
            users=10**9,
            seconds_since_last_seen=1.0,
            substatus="regressed",
        )
    )
    parts = (worst.level, worst.trend, worst.volume, worst.users, worst.recency, worst.state)
    assert worst.total == pytest.approx(sum(parts))
    assert worst.total == pytest.approx(100.0)
    idle = score(_inputs(level="debug", buckets=[0] * 24, users=0, seconds_since_last_seen=1e7))
    assert idle.total == 0.0
    assert idle.ratio is None


@pytest.mark.parametrize(
    ("level", "higher"), [("fatal", "error"), ("error", "warning"), ("warning", "info")]
)
def test_level_orders_scores(level: str, higher: str) -> None:
    assert score(_inputs(level=level)).total > score(_inputs(level=higher)).total


def test_recency_and_regression_add_points() -> None:
    base = score(_inputs(seconds_since_last_seen=10 * 86400))
    assert score(_inputs(seconds_since_last_seen=60)).total - base.total == pytest.approx(10)
    assert score(_inputs(seconds_since_last_seen=20 * 3600)).total - base.total == pytest.approx(5)
    regressed = score(_inputs(seconds_since_last_seen=10 * 86400, substatus="regressed"))
    assert regressed.total - base.total == pytest.approx(5)
