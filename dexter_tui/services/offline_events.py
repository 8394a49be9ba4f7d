"""The event detail's reads with the offline cache behind them.

Why: an on-call person opens an issue exactly when Sentry is struggling. What was viewed before
(the issue and its events) is written to the cache when it arrives, and read back when Sentry does
not answer — at once, without waiting for retries, once the session already knows it is offline.
Only reads: comments and other writes never touch the cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dexter_tui.sentry.models import Activity, Event, Issue, IssueHash, TagDetail
from dexter_tui.services.events import EventNavigator
from dexter_tui.services.events.navigation import FirstLook
from dexter_tui.services.issue_detail import IssueDetail
from dexter_tui.services.offline import OfflineSession, utc_stamp


@dataclass
class CachingEventNavigator(EventNavigator):
    """`EventNavigator` that keeps viewed events and falls back to them when Sentry is away."""

    session: OfflineSession | None = None
    cached_at: float | None = None  # set while the event shown came from the cache
    #: write a fresh event to the cache in `save_pending` (once it is drawn), not in `load`:
    #: dumping and packing a 1 MB event took ~130 ms before its stack could be shown
    defer_save: bool = False
    _unsaved: tuple[Event, str] | None = None

    async def load(
        self, which: str, *, position: int | None = None, first_look: FirstLook | None = None
    ) -> Event:
        session = self.session
        if session is None:
            return await super().load(which, position=position, first_look=first_look)
        if session.offline:
            cached = await self._from_cache(session, which, position)
            if cached is not None:
                return cached
        try:
            event = await super().load(which, position=position, first_look=first_look)
        except Exception as error:
            if not session.failed(error):
                raise
            cached = await self._from_cache(session, which, position)
            if cached is None:
                raise
            return cached
        self.cached_at = None
        session.answered()
        if self.defer_save:
            self._unsaved = (event, which)
        else:
            await session.save_event(self.issue_id, event, which)
        return event

    async def save_pending(self) -> None:
        pending, self._unsaved = self._unsaved, None
        if pending is not None and self.session is not None:
            await self.session.save_event(self.issue_id, *pending)

    async def _from_cache(
        self, session: OfflineSession, which: str, position: int | None
    ) -> Event | None:
        ref, pos = self.target(which)
        found = await session.cached_event(ref, self.issue_id)
        if found is None:
            return None
        self.event, self.body_bytes = found.value, 0  # no body: its size is not known
        self.position = position if position is not None else pos
        self.cached_at = found.fetched_at
        return found.value

    def describe(self) -> str:
        text = super().describe()
        if self.cached_at is None or self.session is None:
            return text
        return f"{text} · cached event from {utc_stamp(self.cached_at, self.session.clock())}"


class CachingIssueDetail(IssueDetail):
    """`IssueDetail` whose issue comes from the cache when Sentry is away; every read tells the
    session whether Sentry answered."""

    def __init__(self, client: Any, org: str, issue_id: str, session: OfflineSession) -> None:
        super().__init__(client, org, issue_id)
        self.session = session
        self.cached_at: float | None = None

    async def issue(self) -> Issue:
        session = self.session
        if session.offline:
            found = await session.cached_issue(self.issue_id)
            if found is not None:
                self.cached_at = found.fetched_at
                return found.value
        try:
            issue = await super().issue()
        except Exception as error:
            if not session.failed(error):
                raise
            found = await session.cached_issue(self.issue_id)
            if found is None:
                raise
            self.cached_at = found.fetched_at
            return found.value
        self.cached_at = None
        session.answered()
        await session.save_issue(issue)
        return issue

    async def _tracked(self, read: Any) -> Any:
        try:
            result = await read
        except Exception as error:
            self.session.failed(error)
            raise
        self.session.answered()
        return result

    async def tags(self) -> list[TagDetail]:
        return await self._tracked(super().tags())

    async def activity(self) -> list[Activity]:
        return await self._tracked(super().activity())

    async def hashes(self) -> list[IssueHash]:
        return await self._tracked(super().hashes())
