"""The issue list's data: one query, the pages loaded for it, and what a poll tick changed.

Requests are precious (ARCHITECTURE.md rule 1): stats come with the list in the same call, a poll
tick is one request for the first page, and a page already loaded is never fetched again.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from dexter_tui.choices import (
    DEFAULT_PERIOD,
    DEFAULT_QUERY,
    DEFAULT_SORT,
    stats_key,
)
from dexter_tui.choices import PERIODS as PERIODS  # re-exported with the two below
from dexter_tui.choices import SORT_LABELS as SORT_LABELS
from dexter_tui.choices import SORTS as SORTS
from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.models import Issue
from dexter_tui.sentry.pagination import Page
from dexter_tui.services import memory
from dexter_tui.services.listed_issues import IssueMap, ListedIssue
from dexter_tui.services.poller import is_offline
from dexter_tui.services.priority import HOT_STATES, PriorityInputs, PriorityScore, score

#: (label, query) of the quick filters
QUICK_FILTERS: tuple[tuple[str, str], ...] = (
    ("unresolved", "is:unresolved"),
    ("for review", "is:unresolved is:for_review"),
    ("assigned to me", "is:unresolved assigned:me"),
    ("bookmarks", "bookmarks:me"),
    ("resolved", "is:resolved"),
    ("ignored", "is:ignored"),
    ("all", ""),
)


#: `inbox` ("for review", as Sentry's own list asks): undo puts it back after a resolve/ignore
LIST_EXPAND = ("inbox",)


@dataclass(frozen=True)
class IssueQuery:
    """Everything that decides which issues the list shows, in Sentry's terms."""

    query: str = DEFAULT_QUERY
    sort: str = DEFAULT_SORT
    period: str = DEFAULT_PERIOD
    environments: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()  # project ids

    @property
    def stats_key(self) -> str:
        """The sparkline series that matches the period (Sentry offers 24h hourly or 14d daily)."""
        return stats_key(self.period)

    @property
    def server_sort(self) -> str:
        return "date" if self.sort == "priority" else self.sort

    def with_(self, **changes: object) -> IssueQuery:
        return replace(self, **changes)  # type: ignore[arg-type]


def issue_buckets(issue: Issue | ListedIssue, key: str) -> list[int]:
    """Event counts of the issue's stats series `key`, oldest first (empty if absent).

    A `ListedIssue` holds the series of its list's stats period only (the list reloads when the
    period changes)."""
    if isinstance(issue, ListedIssue):
        return issue.buckets
    series = issue.stats.get(key) or []
    return [int(point[1]) for point in series]


def priority_of(issue: Issue | ListedIssue, key: str, now: float) -> PriorityScore:
    if isinstance(issue, ListedIssue):
        last_seen = issue.last_seen_ts
    else:
        last_seen = issue.last_seen.timestamp() if issue.last_seen else 0.0
    return score(
        PriorityInputs(
            level=issue.level,
            buckets=issue_buckets(issue, key),
            users=issue.user_count,
            seconds_since_last_seen=max(0.0, now - last_seen),
            substatus=issue.substatus,
        )
    )


#: issues of a polled page compared per turn of the event loop (a slice costs ~1-2 ms)
COMPARE_CHUNK = 25


def _lead_with(first: list[str], order: list[str], new: list[str]) -> list[str]:
    """`first`, then `order` without those ids: list scans and slices (C speed), no Python pass
    over the whole order — the moved ids are usually near its front."""
    result = [*first, *order]
    start = len(first)
    fresh = set(new)
    for issue_id in first:
        if issue_id not in fresh:
            with contextlib.suppress(ValueError):
                del result[result.index(issue_id, start)]
    return result


def settle_loaded() -> None:
    """Move what is loaded out of the garbage collector's sight (`gc.freeze`).

    Why: CPython's full collections scan every live object; with 100k issues loaded (millions
    of objects) one such pass froze the UI for a second at a random moment — typically while a
    poll parsed its page. Loaded pages live until the list is reloaded, so the collector gains
    nothing by scanning them again; garbage is collected first so none is frozen (`memory`).
    """
    memory.settle()


@dataclass
class PollChanges:
    """What a poll tick found compared with what was on screen."""

    new: list[str] = field(default_factory=list)  # ids not loaded before
    regressed: list[str] = field(default_factory=list)  # became regressed/escalating
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    reordered: bool = False  # the loaded order changed beyond new ids going first

    @property
    def any(self) -> bool:
        """Something on screen has to change (a tick that found nothing costs no redraw)."""
        return bool(self.new or self.updated or self.removed or self.reordered)


class IssueFeed:
    """The loaded issues of one query, in server order, with the cursor of the next page."""

    def __init__(
        self,
        client: SentryClient,
        org: str,
        query: IssueQuery,
        *,
        page_size: int = 100,
        clock: Callable[[], float] = time.time,
    ):
        self.client = client
        self.org = org
        self.query = query
        self.page_size = page_size
        self.clock = clock
        #: the loaded issues by id; reading one parses it back (`listed` is the cheap view)
        self.issues = IssueMap(query.stats_key)
        self.order: list[str] = []
        self.next_cursor: str | None = None
        self.hits: int | None = None
        self.pages_loaded = 0
        self.loaded_once = False
        self._cursors_fetched: set[str | None] = set()
        self._lock = asyncio.Lock()
        self.offline = False  # the last poll got no answer: probe before the next full request

    # -- reading -------------------------------------------------------------------------------

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None

    def ordered(self) -> list[Issue]:
        """Every loaded issue, parsed (export); the list itself reads `listed_in_order`."""
        return [self.issues[i] for i in self.order]

    def listed(self, issue_id: str) -> ListedIssue:
        return self.issues.listed(issue_id)

    def listed_in_order(self) -> list[ListedIssue]:
        listed = self.issues.listed
        return [listed(i) for i in self.order]

    def settle(self) -> None:
        """What was built from the loaded issues (e.g. 100k table rows) is long-lived too: out
        of the collector's sight with them (`settle_loaded`), or its full passes freeze a tick."""
        settle_loaded()

    def priority(self, issue: Issue | ListedIssue) -> PriorityScore:
        return priority_of(issue, self.query.stats_key, self.clock())

    # -- loading -------------------------------------------------------------------------------

    async def _fetch(self, cursor: str | None) -> Page[Issue]:
        q = self.query
        return await self.client.list_issues(
            self.org,
            cursor=cursor,
            query=q.query,
            projects=list(q.projects) or None,
            environments=list(q.environments) or None,
            stats_period=q.period,
            group_stats_period=q.stats_key,
            sort=q.server_sort,
            limit=self.page_size,
            expand=LIST_EXPAND,
        )

    async def load_first(self) -> list[Issue]:
        """(Re)load from the first page; replaces what was loaded."""
        async with self._lock:
            page = await self._fetch(None)
            self.issues = IssueMap(self.query.stats_key, page.items)
            self.order = [i.id for i in page.items]
            self.next_cursor = page.next_cursor
            self.hits = page.hits
            self.pages_loaded = 1
            self.loaded_once = True
            self._cursors_fetched = {None}
            settle_loaded()
            return page.items

    async def load_more(self) -> list[Issue]:
        """Fetch the next page once; a page already fetched is never asked for again."""
        async with self._lock:
            cursor = self.next_cursor
            if cursor is None or cursor in self._cursors_fetched:
                return []
            page = await self._fetch(cursor)
            self._cursors_fetched.add(cursor)
            added = [i for i in page.items if i.id not in self.issues]
            for issue in page.items:
                self.issues[issue.id] = issue
            self.order += [i.id for i in added]
            self.next_cursor = page.next_cursor
            self.pages_loaded += 1
            if page.hits is not None:
                self.hits = page.hits
            settle_loaded()
            return added

    async def poll(self) -> PollChanges:
        """One request: the first page. Merge it by id; report new and regressed issues.

        After a tick got no answer at all, the next ones send only `client.ping()` (cheap) until
        the server answers again; the full request follows in the same tick.
        """
        async with self._lock:
            if self.offline:
                await self.client.ping()
            try:
                page = await self._fetch(None)
            except BaseException as error:
                self.offline = is_offline(error)
                raise
            self.offline = False
            fresh = []
            for start in range(0, len(page.items), COMPARE_CHUNK):
                await asyncio.sleep(0)  # the UI draws between slices of the comparison
                fresh += [self.issues.fresh(i) for i in page.items[start : start + COMPARE_CHUNK]]
            return self.merge_first_page(page, fresh)

    def merge_first_page(
        self, page: Page[Issue], fresh: list[ListedIssue | None] | None = None
    ) -> PollChanges:
        """Merge a fresh first page by id: O(page) when nothing moved (the usual tick).

        An issue counts as updated when any field differs (count, lastSeen, status, stats…);
        the order is rebuilt (O(loaded), list work only) only when the page's ids are not
        already the first ids loaded, in that order, after the new ones. `fresh`: the page's
        issues compared already (`IssueMap.fresh`, None for unchanged), e.g. in slices.
        """
        changes = PollChanges()
        issues = self.issues
        fresh_ids = [i.id for i in page.items]
        if fresh is None:
            fresh = [issues.fresh(i) for i in page.items]
        for issue, listed in zip(page.items, fresh, strict=True):
            if listed is None:
                continue  # unchanged: the stored one stays (its row is not rebuilt)
            before = issues.listed(issue.id) if issue.id in issues else None
            if before is None:
                changes.new.append(issue.id)
            else:
                if issue.substatus in HOT_STATES and before.substatus not in HOT_STATES:
                    changes.regressed.append(issue.id)
                changes.updated.append(issue.id)
            issues.store(issue, listed)
        known = fresh_ids[len(changes.new) :]
        new_first = fresh_ids[: len(changes.new)] == changes.new
        if page.next_cursor is None:
            # the first page holds every match: whatever else we had no longer matches
            fresh = set(fresh_ids)
            kept = [i for i in self.order if i in fresh]
            changes.removed = [i for i in self.order if i not in fresh]
            for issue_id in changes.removed:
                issues.discard(issue_id)
            changes.reordered = not (new_first and kept == known)
            self.order = fresh_ids
            self.next_cursor = None
        elif new_first and self.order[: len(known)] == known:
            if changes.new:
                self.order = changes.new + self.order
        else:
            self.order = _lead_with(fresh_ids, self.order, changes.new)
            changes.reordered = True
        if page.hits is not None:
            self.hits = page.hits
        return changes

    # -- local changes after a bulk action ----------------------------------------------------

    def replace_issue(self, issue: Issue) -> None:
        if issue.id in self.issues:
            self.issues[issue.id] = issue

    def remove(self, ids: list[str]) -> None:
        gone = set(ids)
        for issue_id in gone:
            self.issues.discard(issue_id)
        self.order = [i for i in self.order if i not in gone]
