"""Rate-limit state from `X-Sentry-Rate-Limit-*` headers, and how long to wait before a retry.

Sentry's web API sends no `Retry-After`; `X-Sentry-Rate-Limit-Reset` is an absolute epoch second.
Headers are absent on self-hosted (limiter off): absent means unknown, never zero.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

HEADER_PREFIX = "x-sentry-rate-limit-"


@dataclass(frozen=True)
class RateLimitInfo:
    """What one response said about the caller's budget for its endpoint."""

    limit: int | None = None
    remaining: int | None = None
    reset: float | None = None  # epoch seconds
    concurrent_limit: int | None = None
    concurrent_remaining: int | None = None
    endpoint: str = ""
    observed_at: float = 0.0

    @property
    def known(self) -> bool:
        return self.limit is not None or self.remaining is not None or self.reset is not None

    def seconds_to_reset(self, now: float) -> float | None:
        return None if self.reset is None else max(0.0, self.reset - now)


def _int(headers: Mapping[str, str], name: str) -> int | None:
    raw = headers.get(HEADER_PREFIX + name)
    if raw is None:
        return None
    try:
        return int(float(raw.strip()))
    except ValueError:
        return None


def parse_rate_limit_headers(
    headers: Mapping[str, str], *, endpoint: str = "", now: float | None = None
) -> RateLimitInfo | None:
    """Parse the five headers (case-insensitive mapping, e.g. `httpx.Headers`); None if absent."""
    reset_raw = headers.get(HEADER_PREFIX + "reset")
    reset: float | None = None
    if reset_raw is not None:
        try:
            reset = float(reset_raw.strip())
        except ValueError:
            reset = None
    info = RateLimitInfo(
        limit=_int(headers, "limit"),
        remaining=_int(headers, "remaining"),
        reset=reset,
        concurrent_limit=_int(headers, "concurrentlimit"),
        concurrent_remaining=_int(headers, "concurrentremaining"),
        endpoint=endpoint,
        observed_at=time.time() if now is None else now,
    )
    if not info.known and info.concurrent_limit is None and info.concurrent_remaining is None:
        return None
    return info


Listener = Callable[["RateLimitState"], None]


@dataclass
class RateLimitState:
    """Observable: the client updates it on every response; the status bar subscribes.

    `latest` is the most recent header set seen; `by_endpoint` keeps one per endpoint (Sentry
    limits per caller + endpoint + method); `backoff_until` is set while the client sleeps
    after a 429; `in_flight` counts requests currently sent.
    """

    latest: RateLimitInfo | None = None
    by_endpoint: dict[str, RateLimitInfo] = field(default_factory=dict)
    backoff_until: float | None = None
    backoff_throttled: bool = False  # the wait is a 429's (else: pacing to a spent budget)
    in_flight: int = 0
    throttled: int = 0  # 429s seen
    paced: int = 0  # waits before sending because the known budget was spent
    _listeners: list[Listener] = field(default_factory=list, repr=False)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(state)` on every change; returns a function that unsubscribes."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener(self)

    def observe(self, info: RateLimitInfo | None) -> None:
        if info is None:
            return
        self.latest = info
        if info.endpoint:
            self.by_endpoint[info.endpoint] = info
        self._notify()

    def set_backoff(self, until: float | None, *, throttled: bool = True) -> None:
        self.backoff_until = until
        self.backoff_throttled = until is not None and throttled
        if until is not None and throttled:
            self.throttled += 1
        self._notify()

    def wait_left(self, now: float) -> tuple[float, bool] | None:
        """(seconds until the client sends again, whether a 429 caused it), or None."""
        until = self.backoff_until
        if until is None or until <= now:
            return None
        return until - now, self.backoff_throttled

    def request_started(self) -> None:
        self.in_flight += 1
        self._notify()

    def request_finished(self) -> None:
        self.in_flight = max(0, self.in_flight - 1)
        self._notify()


def backoff_delay(
    attempt: int,
    *,
    base: float = 0.5,
    cap: float = 30.0,
    rng: Callable[[], float] = random.random,
) -> float:
    """Exponential backoff with full jitter: attempt 0 -> up to `base`, doubling to `cap`."""
    ceiling = min(cap, base * (2**attempt))
    return ceiling * (0.5 + 0.5 * rng())


def rate_limit_delay(
    info: RateLimitInfo | None,
    attempt: int,
    *,
    now: float,
    jitter: float = 0.25,
    cap: float = 60.0,
    rng: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait after a 429: until `Reset` plus jitter, else exponential backoff."""
    if info is not None and info.reset is not None:
        wait = info.reset - now
        if wait >= 0:
            return min(cap, wait + jitter * rng() + 0.05)
    return backoff_delay(attempt, base=1.0, cap=cap, rng=rng)
