"""The TUI side of the offline cache: rows from the cache at once, the header's marker, refusals.

Why: the shared screens keep one-line hooks; what they do lives here. The session
(`services/offline.OfflineSession`) is on `ctx.offline` when the cache is enabled (`dexter`,
`dexter open`); without it every hook is a no-op, so tests and `dexter demo` behave as before.

- `show_cached_rows` (issue list, before its first request): the cached list of the same query
  is drawn at once, marked "cached 3 min ago"; the network answer replaces it.
- `list_loaded` / `list_failed` (after each load and poll): the list is written to the cache (in
  a thread); a failure that means Sentry is unavailable turns the header to "offline — showing
  cached data from …" — one marker and one toast, not a toast per failed request.
- `load_instead_of_poll`: a poll tick over rows that did not come from Sentry for this query loads
  the list instead of merging into it (how the list recovers after a start without Sentry).
- `refusal`: while offline every change is refused with the reason; nothing is queued.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text

from dexter_tui.sentry.errors import SentryError
from dexter_tui.sentry.models import Issue
from dexter_tui.services.listed_issues import IssueMap
from dexter_tui.services.offline import Mode, OfflineSession, is_unavailable
from dexter_tui.services.poller import LiveState, PollStatus

if TYPE_CHECKING:
    from textual.app import App

    from dexter_tui.services.events import EventNavigator
    from dexter_tui.services.issue_detail import IssueDetail
    from dexter_tui.services.issues import IssueFeed, IssueQuery
    from dexter_tui.tui.context import TuiContext
    from dexter_tui.tui.screens.issues import IssuesScreen

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: seconds the cached rows wait to be painted before the list's request goes out
PAINT_WAIT = 0.1

#: the query each feed last got Sentry's answer for (its rows are cached or stale otherwise)
_fresh: weakref.WeakKeyDictionary[IssueFeed, IssueQuery] = weakref.WeakKeyDictionary()


def enable(ctx: TuiContext, *, path: Path | None = None) -> OfflineSession:
    """Give the app its offline session (the cache scoped to the settings' URL/org/profile)."""
    session = OfflineSession.for_settings(ctx.settings, path=path, clock=ctx.clock)
    ctx.offline = session
    return session


def session_of(ctx: TuiContext) -> OfflineSession | None:
    return getattr(ctx, "offline", None)


# -- the app ------------------------------------------------------------------------------------


def attach(app: App[Any]) -> None:
    """Repaint headers, bindings and cached events when the mode changes; one toast each way."""
    session = session_of(app.ctx)  # type: ignore[attr-defined]
    if session is None:
        return

    def changed(old: Mode, new: Mode) -> None:
        for screen in _screens(app):
            for header in screen.query("StatusHeader"):
                header.refresh()
            screen.refresh_bindings()
            if old is Mode.OFFLINE:
                _reload_cached_event(screen)
        if new is Mode.OFFLINE:
            app.notify(
                f"{session.marker()}.\n{session.state.reason}: changes are refused until it "
                "answers again; dexter keeps retrying.",
                title="Offline",
                severity="warning",
            )
        elif old is Mode.OFFLINE:
            app.notify("Sentry answers again: showing live data.", title="Online")

    session.state.listeners.append(changed)


def _screens(app: App[Any]) -> list[Any]:
    live = getattr(app, "_live_screens", None)
    return list(live() if live is not None else app.screen_stack)


def _reload_cached_event(screen: Any) -> None:
    """Back online: an event shown from the cache is fetched again (same event, same place)."""
    nav = getattr(screen, "nav", None)
    from dexter_tui.services.offline_events import CachingEventNavigator  # the event screen's

    if not isinstance(nav, CachingEventNavigator) or nav.cached_at is None or nav.event is None:
        return
    event_id = nav.event.event_id or nav.event.id
    if event_id:
        screen.load_event(event_id, nav.position)


def quiet(ctx: TuiContext, error: BaseException) -> bool:
    """A read failed because Sentry is unavailable: the app is offline and the header (plus one
    toast at the change) says so — no toast per failed request. Writes still get their toast."""
    session = session_of(ctx)
    if session is None or not is_unavailable(error):
        return False
    if isinstance(error, SentryError) and error.method.upper() in WRITE_METHODS:
        return False
    session.failed(error)
    return True


def refusal(ctx: TuiContext) -> str | None:
    """Why changes cannot be sent now (offline), or None."""
    session = session_of(ctx)
    return session.refusal() if session is not None else None


def freshness(ctx: TuiContext, poll: PollStatus) -> Text | None:
    """The header's freshness part when cached or offline (None: the usual "updated 3s ago")."""
    session = session_of(ctx)
    marker = session.marker() if session is not None else None
    if marker is None or session is None:
        return None
    if session.state.mode is Mode.OFFLINE:
        text = Text(f"✗ {marker}", style="bold reverse")
        text.append(f" · {_retrying(poll)}")
        return text
    from dexter_tui.tui.widgets.status_header import STATE_LOOK

    label, style = STATE_LOOK[poll.state]
    text = Text(label, style=style)
    text.append(" · ")
    text.append(marker, style="bold reverse")
    return text


def _retrying(poll: PollStatus) -> str:
    if poll.state is LiveState.LOADING:
        return "retrying now"
    if poll.paused:
        return "paused"
    if poll.retry_in is not None:
        return f"retrying every {int(poll.retry_in)}s"
    return f"every {int(poll.interval)}s"


# -- the issue list -------------------------------------------------------------------------------


def needs_full_load(screen: IssuesScreen) -> bool:
    """The rows are not Sentry's answer to the current query (cached, or the load failed)."""
    return _fresh.get(screen.feed) != screen.feed.query


def load_instead_of_poll(screen: IssuesScreen) -> bool:
    """A poll tick over rows that are not Sentry's answer to this query loads the list instead
    of merging the first page into them (a load already on its way is left to finish). While
    offline the tick first sends the client's cheap probe, as the poller does: a dead host costs
    one short request per tick, not a list request and its retries."""
    if not needs_full_load(screen):
        return False
    if any(w.group == "fetch" and not w.is_finished for w in screen.workers):
        return True
    session = session_of(screen.ctx)
    if session is not None and session.offline:
        screen.run_worker(_probe_then_load(screen), group="fetch", exit_on_error=False)
    else:
        screen.load_first()
    return True


async def _probe_then_load(screen: IssuesScreen) -> None:
    try:
        await screen.ctx.client.ping()
    except Exception as error:
        list_failed(screen, error)
        screen._schedule_poll(screen._note_failure(error))  # the next tick, as after a failure
        return
    screen.load_first()


async def show_cached_rows(screen: IssuesScreen) -> None:
    """Draw the cached list of the query at once (before the network answers)."""
    session = session_of(screen.ctx)
    feed = screen.feed
    if session is None or session.cache is None or not needs_full_load(screen):
        return
    query = feed.query
    slugs = list(screen.ctx.settings.project)
    if slugs and not query.projects:  # the workspace (project ids) comes from the network
        projects = await session.cached_projects() or []
        ids = tuple(p.id for p in projects if p.slug in slugs)
        if len(ids) == len(set(slugs)):
            query = query.with_(projects=ids)
    cached = await session.cached_list(query)
    if cached is None or _fresh.get(feed) == feed.query:
        return
    feed.issues = IssueMap(feed.query.stats_key, cached.issues)
    feed.order = [i.id for i in cached.issues]
    feed.hits = cached.hits
    feed.next_cursor = None  # more pages come from Sentry, not from the cache
    session.note_cached(cached.fetched_at)
    screen._show_rows(track_new=False)
    # painted before the network request's set-up (the first one builds the HTTP stack) holds
    # the event loop (issue 19); bounded, in case the screen is not the one being refreshed
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(screen.wait_for_refresh(), PAINT_WAIT)


def list_loaded(screen: IssuesScreen) -> None:
    """Sentry answered the list: remember it is fresh, write it to the cache in the background."""
    feed = screen.feed
    _fresh[feed] = feed.query
    session = session_of(screen.ctx)
    if session is None:
        return
    session.list_answered()
    if session.cache is not None:
        screen.run_worker(session.save_feed(feed), group="offline-cache", exit_on_error=False)
    workspace = screen.ctx.workspace
    if workspace is not None and not session.projects_saved:
        session.projects_saved = True
        screen.run_worker(
            session.save_projects(workspace.projects), group="offline-cache", exit_on_error=False
        )


def list_failed(screen: IssuesScreen, error: BaseException) -> None:
    """A load or poll failed: Sentry unavailable makes the session (and header) offline."""
    session = session_of(screen.ctx)
    if session is not None:
        session.failed(error)


# -- the event detail -----------------------------------------------------------------------------


def event_navigator(ctx: TuiContext, issue: Issue) -> EventNavigator:
    from dexter_tui.services.events import EventNavigator  # imported when an event is opened
    from dexter_tui.services.offline_events import CachingEventNavigator

    session = session_of(ctx)
    if session is None:
        return EventNavigator(ctx.client, ctx.org, issue.id, total=issue.count)
    return CachingEventNavigator(ctx.client, ctx.org, issue.id, total=issue.count, session=session)


def issue_detail(ctx: TuiContext, issue: Issue) -> IssueDetail:
    from dexter_tui.services.issue_detail import IssueDetail  # imported when an issue is opened
    from dexter_tui.services.offline_events import CachingIssueDetail

    session = session_of(ctx)
    if session is None:
        return IssueDetail(ctx.client, ctx.org, issue.id)
    return CachingIssueDetail(ctx.client, ctx.org, issue.id, session)
