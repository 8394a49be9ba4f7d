"""Live polling as a small state machine, with no timers of its own.

The screen owns the timer; this decides *when* the next tick is due and what the header should
say (`cadence()`). One tick is one request (the first page of the current query), and the next
tick is scheduled only after the previous one finished (never overlapping). After a 429 the next
tick waits for Sentry's `X-Sentry-Rate-Limit-Reset`; after a 500 the interval doubles, capped at
2× the poll interval. When the server does not answer at all (network error, a proxy's 502-504)
the feed is *offline*: a tick every `PROBE_INTERVAL` seconds sends only a cheap probe
(`SentryClient.ping`), and the first probe that gets an answer brings the full poll back — so
recovery takes seconds, not a backoff. Whatever happens, the last good data stays on screen,
marked stale.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dexter_tui.sentry.errors import (
    AuthError,
    NetworkError,
    RateLimited,
    ScopeError,
    SentryError,
    ServerError,
)

#: The longest wait between ticks after errors, as a multiple of the poll interval.
BACKOFF_FACTOR = 2.0
#: Seconds between probes while the server does not answer.
PROBE_INTERVAL = 5.0
#: What a proxy answers while Sentry behind it is down: as good as no answer.
GATEWAY_STATUSES = frozenset({502, 503, 504})


def is_offline(error: BaseException) -> bool:
    """No answer from Sentry at all (as opposed to Sentry answering with an error)."""
    if isinstance(error, NetworkError | OSError):
        return True
    return isinstance(error, ServerError) and error.status in GATEWAY_STATUSES


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
    offline: bool = False  # no answer at all: ticks probe until one gets through
    retry_in: float | None = None  # the delay chosen after the last failure

    @property
    def max_backoff(self) -> float:
        return BACKOFF_FACTOR * self.interval

    def cadence(self) -> str:
        """What the header says about timing: "every 30s", "retrying every 60s", ..."""
        if self.state is LiveState.ERROR:
            return "stopped"
        if self.state is LiveState.STALE and self.offline:
            return f"offline · probing every {int(self.retry_in or PROBE_INTERVAL)}s"
        if self.state is LiveState.STALE and self.retry_in is not None:
            return f"retrying every {int(self.retry_in)}s"
        return f"every {int(self.interval)}s"

    def succeeded(self, now: float) -> float:
        """Record a good tick; returns the delay until the next one."""
        self.last_success = now
        self.failures = 0
        self.last_error = ""
        self.offline = False
        self.retry_in = None
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
        self.offline = False
        if isinstance(error, RateLimited) and error.reset_at is not None:
            delay = max(self.interval, error.reset_at - now + 1.0)
        elif not isinstance(error, SentryError | OSError):
            self.state = LiveState.ERROR
            return None
        elif is_offline(error):
            self.offline = True
            delay = min(PROBE_INTERVAL, self.interval)
        else:
            delay = min(self.max_backoff, self.interval * 2 ** min(self.failures - 1, 10))
        self.retry_in = delay
        return delay

    def toggle_pause(self) -> bool:
        self.paused = not self.paused
        if self.paused:
            self.state = LiveState.PAUSED
        elif self.state is LiveState.PAUSED:
            self.state = LiveState.LIVE if self.failures == 0 else LiveState.STALE
        return self.paused

    def age(self, now: float) -> float | None:
        return None if self.last_success is None else max(0.0, now - self.last_success)
