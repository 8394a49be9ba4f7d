"""Which event of an issue is shown and how to step to another, one request each.

Navigation follows Sentry's issue-event route (SENTRY_API.md §5.2): `latest`, `oldest`,
`recommended` or an id, each one request; the answer carries `nextEventID` (newer) and
`previousEventID` (older), so stepping is one request too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.models import Event
from dexter_tui.sentry.pagination import Page

NAMED_EVENTS = ("latest", "oldest", "recommended")

#: shown the event without its breadcrumbs while the rest of it is read (`EventNavigator.load`)
FirstLook = Callable[[Event], Awaitable[object]]


class NoMoreEvents(LookupError):
    """There is no newer/older event than the one shown (not an error worth a modal)."""


@dataclass
class EventNavigator:
    """Which event of an issue is shown and how to get to the next one, one request each."""

    client: SentryClient
    org: str
    issue_id: str
    total: int = 0  # events in the issue (for "3 of 1,204")
    event: Event | None = None
    position: int | None = None  # 1 = latest; None when unknown (recommended, by id)
    chosen: str = (
        ""  # how the shown event was picked ("recommended"), said when its position is not known
    )
    requests: int = 0
    #: the size of the shown event's body, 0 when not known (its view models are built in a
    #: thread unless it is small)
    body_bytes: int = 0

    def target(self, which: str) -> tuple[str, int | None]:
        """(event id or name to fetch, position it will have) for latest/oldest/…/newer/older."""
        if which == "latest":
            return "latest", 1
        if which == "oldest":
            return "oldest", self.total or None
        if which == "recommended":
            return "recommended", None
        if which in ("newer", "older"):
            current = self.event
            if current is None:
                return "latest", 1
            nxt = current.next_event_id if which == "newer" else current.previous_event_id
            if not nxt:
                raise NoMoreEvents(
                    "This is the newest event." if which == "newer" else "This is the oldest event."
                )
            step = -1 if which == "newer" else 1
            return nxt, (self.position + step if self.position is not None else None)
        return which, None

    async def load(
        self, which: str, *, position: int | None = None, first_look: FirstLook | None = None
    ) -> Event:
        """The event; `first_look`, when given, is awaited with the event read without its
        breadcrumbs before the rest of a large event is validated (the stack is drawn from it)."""
        event_id, pos = self.target(which)
        self.requests += 1
        size = 0
        if first_look is None:
            event = await self.client.get_issue_event(self.org, self.issue_id, event_id)
        else:
            staged = await self.client.get_issue_event_staged(self.org, self.issue_id, event_id)
            size = len(staged.response.content)
            if not staged.done:
                await first_look(staged.first)
            event = staged.whole or await asyncio.to_thread(staged.complete)
        self.event, self.body_bytes = event, size
        self.chosen = which
        self.position = position if position is not None else pos
        if self.position is not None and self.total and self.position > self.total:
            self.total = self.position
        return event

    async def save_pending(self) -> None:
        """Keep the last loaded event where it is kept (the offline cache's navigator does)."""

    def describe(self) -> str:
        """'event 3 of 1,204' / 'recommended event · 1,204 in all' (its position is unknown)."""
        total = f"{self.total:,}" if self.total else "?"
        if self.position is None:
            name = "recommended event" if self.chosen == "recommended" else "event"
            return f"{name} · {total} in all"
        return f"event {self.position:,} of {total}"

    async def list_events(
        self, cursor: str | None = None, per_page: int = 50, *, query: str | None = None
    ) -> Page[Event]:
        """A page of this issue's events (newest first) for the event list; `query` filters."""
        self.requests += 1
        return await self.client.list_issue_events(
            self.org, self.issue_id, cursor=cursor, per_page=per_page, query=query or None
        )
