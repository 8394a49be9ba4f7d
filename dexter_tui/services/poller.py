"""Live polling as a small state machine, with no timers of its own.

The screen owns the timer; this decides *when* the next tick is due and what the header should
say. One tick is one request (the first page of the current query), and the next tick is
scheduled only after the previous one finished (never overlapping). After a 429 the next tick
waits for Sentry's `X-Sentry-Rate-Limit-Reset`; after 5xx or network errors the interval doubles
per failure up to a cap. Whatever happens, the last good data stays on screen, marked stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dexter_tui.sentry.errors import AuthError, RateLimited, ScopeError, SentryError

MAX_BACKOFF = 600.0  # seconds


class LiveState(StrEnum):
    LOADING = "loading"
    LIVE = "live"
    PAUSED = "paused"
    STALE = "stale"  # the last tick failed; the data shown is older than it should be
    ERROR = "error"  # nothing to retry until the user fixes something (token, scope)


@dataclass
class PollStatus:
    """What the status header shows and what the next tick waits for."""

    interval: float
    state: LiveState = LiveState.LOADING
    last_success: float | None = None
    failures: int = 0
    last_error: str = ""
    paused: bool = False

    def succeeded(self, now: float) -> float:
        """Record a good tick; returns the delay until the next one."""
        self.last_success = now
        self.failures = 0
        self.last_error = ""
        self.state = LiveState.PAUSED if self.paused else LiveState.LIVE
        return self.interval

    def failed(self, error: BaseException, now: float) -> float | None:
        """Record a failed tick; returns the delay until a retry, or None to stop polling."""
        self.failures += 1
        self.last_error = str(error) or type(error).__name__
        if isinstance(error, AuthError | ScopeError):
            self.state = LiveState.ERROR
            return None
        self.state = LiveState.STALE
        if isinstance(error, RateLimited) and error.reset_at is not None:
            return max(self.interval, error.reset_at - now + 1.0)
        if not isinstance(error, SentryError | OSError):
            self.state = LiveState.ERROR
            return None
        return min(MAX_BACKOFF, self.interval * 2 ** min(self.failures, 10))

    def toggle_pause(self) -> bool:
        self.paused = not self.paused
        if self.paused:
            self.state = LiveState.PAUSED
        elif self.state is LiveState.PAUSED:
            self.state = LiveState.LIVE if self.failures == 0 else LiveState.STALE
        return self.paused

    def age(self, now: float) -> float | None:
        return None if self.last_success is None else max(0.0, now - self.last_success)
