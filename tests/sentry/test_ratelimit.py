"""Rate-limit header parsing, the observable state, and the wait computed after a 429."""

from __future__ import annotations

import httpx

from dexter_tui.sentry.ratelimit import (
    RateLimitState,
    backoff_delay,
    parse_rate_limit_headers,
    rate_limit_delay,
)

HEADERS = httpx.Headers(
    {
        "X-Sentry-Rate-Limit-Limit": "40",
        "X-Sentry-Rate-Limit-Remaining": "39",
        "X-Sentry-Rate-Limit-Reset": "1700000001",
        "X-Sentry-Rate-Limit-ConcurrentLimit": "25",
        "X-Sentry-Rate-Limit-ConcurrentRemaining": "24",
    }
)


def test_parse_all_five_headers_case_insensitively() -> None:
    info = parse_rate_limit_headers(HEADERS, endpoint="GET /x", now=5.0)
    assert info is not None
    assert (info.limit, info.remaining, info.reset) == (40, 39, 1700000001.0)
    assert (info.concurrent_limit, info.concurrent_remaining) == (25, 24)
    assert info.endpoint == "GET /x"
    assert info.seconds_to_reset(1700000000.0) == 1.0


def test_absent_headers_are_unknown_not_zero() -> None:
    assert parse_rate_limit_headers(httpx.Headers({"Content-Type": "x"})) is None
    partial = parse_rate_limit_headers(
        httpx.Headers({"X-Sentry-Rate-Limit-Remaining": "junk", "X-Sentry-Rate-Limit-Limit": "5"})
    )
    assert partial is not None
    assert partial.remaining is None
    assert partial.limit == 5


def test_state_notifies_subscribers_and_unsubscribes() -> None:
    state = RateLimitState()
    seen: list[int | None] = []
    unsubscribe = state.subscribe(lambda s: seen.append(s.latest.remaining if s.latest else None))
    state.observe(parse_rate_limit_headers(HEADERS, endpoint="GET /a"))
    state.observe(None)  # nothing known: no change, no event
    assert seen == [39]
    assert state.by_endpoint["GET /a"].limit == 40
    state.set_backoff(123.0)
    assert state.throttled == 1
    unsubscribe()
    state.set_backoff(None)
    assert len(seen) == 2


def test_delay_waits_until_reset_plus_jitter() -> None:
    info = parse_rate_limit_headers(HEADERS)
    delay = rate_limit_delay(info, 0, now=1700000000.0, jitter=0.25, rng=lambda: 1.0)
    assert 1.0 < delay <= 1.0 + 0.25 + 0.05 + 1e-9
    assert rate_limit_delay(info, 0, now=1700000000.0, rng=lambda: 0.0) >= 1.0


def test_delay_without_headers_backs_off_exponentially() -> None:
    first = rate_limit_delay(None, 0, now=0.0, rng=lambda: 1.0)
    third = rate_limit_delay(None, 2, now=0.0, rng=lambda: 1.0)
    assert third == 4 * first
    assert backoff_delay(30, cap=30.0, rng=lambda: 1.0) == 30.0
    assert 0.25 <= backoff_delay(0, base=0.5, rng=lambda: 0.0) <= 0.5


def test_backoff_left_tells_a_429_wait_from_pacing() -> None:
    state = RateLimitState()
    assert state.wait_left(100.0) is None
    state.set_backoff(120.0)
    assert state.wait_left(100.0) == (20.0, True)
    state.set_backoff(None)
    assert state.wait_left(100.0) is None
    state.set_backoff(103.0, throttled=False)
    assert state.wait_left(100.0) == (3.0, False)
    assert state.wait_left(104.0) is None  # the wait is over
