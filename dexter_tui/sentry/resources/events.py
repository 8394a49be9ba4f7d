"""An issue's events (list, latest/oldest/recommended/by id), a project's event, its hashes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from dexter_tui.sentry import models  # `models.Event`: the event models are built on first use
from dexter_tui.sentry.decoding import parse_list, parse_off_loop
from dexter_tui.sentry.pagination import Page
from dexter_tui.sentry.resources.issue_routes import IssueRoutes
from dexter_tui.sentry.urls import API, pairs, q

if TYPE_CHECKING:
    from dexter_tui.sentry.event_models import Event, IssueHash
    from dexter_tui.sentry.staged_event import StagedEvent


class EventsApi(IssueRoutes):
    """Read events; stepping newer/older is one request each (`nextEventID`/`previousEventID`)."""

    async def list_issue_events(
        self,
        org: str,
        issue_id: str | int,
        *,
        cursor: str | None = None,
        full: bool = False,
        query: str | None = None,
        environments: Iterable[str] | None = None,
        stats_period: str | None = None,
        start: str | None = None,
        end: str | None = None,
        per_page: int | None = None,
    ) -> Page[Event]:
        """One page of an issue's events, newest first (simple events unless `full`)."""
        params = pairs(
            full="true" if full else None,
            query=query,
            environment=list(environments or []),
            statsPeriod=stats_period,
            start=start,
            end=end,
            per_page=per_page,
            cursor=cursor,
        )
        response = await self._issue_call("GET", org, issue_id, "events/", params=params)
        return Page.from_headers(parse_list(response, models.Event), response.headers)

    async def get_issue_event(
        self,
        org: str,
        issue_id: str | int,
        event_id: str = "latest",
        *,
        environments: Iterable[str] | None = None,
    ) -> Event:
        """`latest`, `oldest`, `recommended` or an event id; with next/previous event ids."""
        params = pairs(environment=list(environments or []))
        response = await self._issue_call(
            "GET", org, issue_id, f"events/{q(event_id)}/", params=params
        )
        return await parse_off_loop(response, models.Event)  # events can be megabytes

    async def get_issue_event_staged(
        self, org: str, issue_id: str | int, event_id: str = "latest"
    ) -> StagedEvent:
        """`get_issue_event` read in two steps: the event without its breadcrumbs first
        (`.first`), the whole of it from `.complete()` (see `staged_event`)."""
        from dexter_tui.sentry.staged_event import read_staged_off_loop  # builds the models

        response = await self._issue_call("GET", org, issue_id, f"events/{q(event_id)}/")
        return await read_staged_off_loop(response)

    async def get_project_event(self, org: str, project: str, event_id: str) -> Event:
        return await self._get(
            f"{API}/projects/{q(org)}/{q(project)}/events/{q(event_id)}/", models.Event, org=org
        )

    async def list_issue_hashes(
        self, org: str, issue_id: str | int, *, cursor: str | None = None, full: bool = False
    ) -> Page[IssueHash]:
        params = pairs(full="true" if full else "false", cursor=cursor)
        response = await self._issue_call("GET", org, issue_id, "hashes/", params=params)
        return Page.from_headers(parse_list(response, models.IssueHash), response.headers)
