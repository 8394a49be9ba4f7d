"""Online, cached or offline: what the TUI shows is worth, and whether changes may be sent.

Why: during an incident Sentry is often slow, rate-limited or down. The TUI then starts from the
offline cache (`services/cache.py`) and keeps everything readable, but a person must always see
how old what they read is, and a change must never be sent (or queued) while Sentry is not
answering. This is the one state machine for that, with no Textual and no timers:

- `ONLINE`: the data shown came from Sentry's last answer;
- `CACHED`: rows came from the cache at start (or after a query change) and the network has not
  answered yet — "cached 3 min ago";
- `OFFLINE`: Sentry did not answer, or answered 5xx/429 — "offline — showing cached data from …";
  changes are refused with that reason until an answer comes.

`OfflineSession` adds the cache itself, read and written in a thread (SQLite is synchronous) and
best effort: a broken cache costs only the cache, never a screen.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from dexter_tui.sentry.errors import NetworkError, RateLimited, SentryError, ServerError
from dexter_tui.sentry.models import Issue, Project
from dexter_tui.services.cache import (
    MAX_LIST_ISSUES,
    Cached,
    CachedList,
    CacheError,
    OfflineCache,
    list_key_for,
)

if TYPE_CHECKING:
    from dexter_tui.sentry.event_models import Event  # built on first use
    from dexter_tui.services.issues import IssueFeed

T = TypeVar("T")

#: events kept under a name as well as their id (what `L`/`O`/`R` and the first open ask for)
NAMED_EVENTS = frozenset({"latest", "oldest", "recommended"})


class Mode(StrEnum):
    ONLINE = "online"
    CACHED = "cached"
    OFFLINE = "offline"


def is_unavailable(error: BaseException) -> bool:
    """Sentry did not answer, or answered that it cannot serve now (5xx, 429).

    A local `OSError` (an export path that cannot be written) is not Sentry's: only connection
    errors and timeouts count (the client wraps its own as `NetworkError`)."""
    if isinstance(error, NetworkError | ServerError | RateLimited | ConnectionError | TimeoutError):
        return True
    return isinstance(error, SentryError) and (error.status or 0) >= 500


def why_unavailable(error: BaseException) -> str:
    """A few words for the refusal: "Sentry is unreachable", "Sentry answers 503"..."""
    if isinstance(error, RateLimited):
        return "Sentry is rate-limiting (429)"
    status = getattr(error, "status", None)
    if isinstance(error, SentryError) and not isinstance(error, NetworkError) and status:
        return f"Sentry answers {status}"
    return "Sentry is unreachable"


def utc_stamp(epoch: float, now: float) -> str:
    """`04:26 UTC` today, `2026-11-17 04:26 UTC` on another day."""
    day = time.strftime("%Y-%m-%d", time.gmtime(epoch))
    if day == time.strftime("%Y-%m-%d", time.gmtime(now)):
        return time.strftime("%H:%M UTC", time.gmtime(epoch))
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(epoch))


def age_words(seconds: float) -> str:
    """`45 s`, `3 min`, `2 h`, `5 d` (whole units, rounded down)."""
    seconds = max(0, int(seconds))
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


@dataclass
class Availability:
    """The state machine. `data_at`: when the issue list on screen was fetched from Sentry."""

    mode: Mode = Mode.ONLINE
    data_at: float | None = None
    since: float | None = None  # when Sentry stopped answering
    reason: str = ""  # why_unavailable() of the last failure
    #: the issue list shows what Sentry answered for its query (not cached rows)
    list_fresh: bool = True
    #: called with (old mode, new mode) after every change of mode
    listeners: list[Callable[[Mode, Mode], None]] = field(default_factory=list)

    @property
    def offline(self) -> bool:
        return self.mode is Mode.OFFLINE

    def _set(self, mode: Mode) -> None:
        old, self.mode = self.mode, mode
        if old is not mode:
            for listener in list(self.listeners):
                listener(old, mode)

    def showing_cache(self, fetched_at: float) -> None:
        """Cached rows are on the issue list (the network has not answered for them yet)."""
        self.data_at = fetched_at
        self.list_fresh = False
        if self.mode is not Mode.OFFLINE:
            self._set(Mode.CACHED)

    def list_answered(self, now: float) -> None:
        """The issue list got Sentry's answer: the cached rows are gone, so is the marker."""
        self.data_at = now
        self.list_fresh = True
        self.answered()

    def answered(self) -> None:
        """Sentry answered a read: changes may be sent again. The "cached" marker stays while
        the list still shows cached rows (their own load is still on its way)."""
        self.since = None
        self.reason = ""
        self._set(Mode.ONLINE if self.list_fresh else Mode.CACHED)

    def failed(self, error: BaseException, now: float) -> bool:
        """A read failed; True when it means Sentry is unavailable (the state is then OFFLINE)."""
        if not is_unavailable(error):
            return False
        self.reason = why_unavailable(error)
        if self.mode is not Mode.OFFLINE:
            self.since = now
        self._set(Mode.OFFLINE)
        return True

    def marker(self, now: float) -> str | None:
        """The header's words, or None when online."""
        if self.mode is Mode.CACHED and self.data_at is not None:
            return f"cached {age_words(now - self.data_at)} ago"
        if self.mode is Mode.OFFLINE:
            if self.data_at is not None:
                return f"offline — showing cached data from {utc_stamp(self.data_at, now)}"
            since = f" since {utc_stamp(self.since, now)}" if self.since is not None else ""
            return f"offline{since} — no cached data"
        return None

    def refusal(self) -> str | None:
        """Why a change cannot be sent now, or None."""
        if self.mode is not Mode.OFFLINE:
            return None
        return (
            f"offline — {self.reason or 'Sentry is unreachable'}: changes are not sent "
            "(nothing is queued); dexter keeps retrying — try again once Sentry answers"
        )


class OfflineSession:
    """The availability state plus the cache (None when it cannot be opened), used async."""

    def __init__(self, cache: OfflineCache | None, clock: Callable[[], float] = time.time):
        self.cache = cache
        self.clock = clock
        self.state = Availability()
        self.cache_errors = 0
        self.projects_saved = False  # the workspace's projects went to the cache once

    @classmethod
    def for_settings(
        cls, settings: Any, *, path: Any = None, clock: Callable[[], float] = time.time
    ) -> OfflineSession:
        """The session of these settings; an unusable cache gives a session without one."""
        try:
            cache: OfflineCache | None = OfflineCache.for_settings(settings, path=path, clock=clock)
        except CacheError:
            cache = None
        return cls(cache, clock)

    # -- state ----------------------------------------------------------------------------------

    @property
    def offline(self) -> bool:
        return self.state.offline

    def answered(self) -> None:
        self.state.answered()

    def list_answered(self) -> None:
        self.state.list_answered(self.clock())

    def failed(self, error: BaseException) -> bool:
        return self.state.failed(error, self.clock())

    def note_cached(self, fetched_at: float) -> None:
        """The issue list on screen came from the cache, fetched from Sentry at `fetched_at`."""
        self.state.showing_cache(fetched_at)

    def marker(self) -> str | None:
        return self.state.marker(self.clock())

    def refusal(self) -> str | None:
        return self.state.refusal()

    # -- the cache, in a thread, best effort ------------------------------------------------------

    async def _run(self, method: str, *args: Any, **kw: Any) -> Any:
        cache = self.cache
        if cache is None:
            return None
        try:
            return await asyncio.to_thread(getattr(cache, method), *args, **kw)
        except (CacheError, ValueError):  # ValueError: an entry pydantic cannot read
            self.cache_errors += 1
            return None

    async def cached_list(self, query: Any) -> CachedList | None:
        return await self._run("issue_list", list_key_for(query))

    async def save_list(self, query: Any, issues: Sequence[Issue], hits: int | None) -> None:
        await self._run("put_issue_list", list_key_for(query), list(issues), hits=hits)

    async def save_feed(self, feed: IssueFeed) -> None:
        """The list's first `MAX_LIST_ISSUES` issues (all the cache keeps), parsed in a thread:
        parsing every loaded issue on the UI thread cost ~8 KB and ~0.1 ms each per poll (a
        100k list: a GB and seconds). One at a time: 1,000 parsed at once were ~9 MB more at
        every poll (the peak)."""
        listed = [feed.listed(i) for i in feed.order[:MAX_LIST_ISSUES]]
        parse = feed.issues.parse
        issues = (parse(x) for x in listed)  # parsed and dumped one at a time, in the thread
        await self._run("put_issue_list", list_key_for(feed.query), issues, hits=feed.hits)

    async def cached_issue(self, ref: str) -> Cached[Issue] | None:
        return await self._run("issue", ref)

    async def save_issue(self, issue: Issue) -> None:
        await self._run("put_issue", issue)

    async def cached_event(self, ref: str, issue_id: str) -> Cached[Event] | None:
        return await self._run("event", ref, issue_id)

    async def save_event(self, issue_id: str, event: Event, which: str | None) -> None:
        named = which if which in NAMED_EVENTS else None
        await self._run("put_event", issue_id, event, which=named)

    async def cached_projects(self) -> list[Project] | None:
        return await self._run("projects")

    async def save_projects(self, projects: Sequence[Project]) -> None:
        await self._run("put_projects", list(projects))

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()
