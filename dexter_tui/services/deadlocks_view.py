"""The Deadlocks view's data, headless: find deadlock issues through Sentry search, analyze their
events, and group the events by the analyzer's pattern fingerprint.

Why group events and not issues: Sentry groups by stack trace, so one issue (the `UPDATE` in
`/api/checkout/reserve`) can hold several different deadlocks, and one deadlock pattern can reach
several issues (two code paths taking the same locks). The fingerprint (normalized queries, tables,
lock modes) is what recurs, so the view counts that.

Requests (ARCHITECTURE rule 1): one issue search per entry of `DEADLOCK_SEARCHES` (Sentry's issue
search has no OR), then one page of full events per issue found. No Textual import.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from dexter_tui.choices import DEFAULT_PERIOD, period_seconds
from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.models import Event, Issue
from dexter_tui.services.deadlock import Analysis
from dexter_tui.services.deadlock.advice import describe_target
from dexter_tui.services.deadlock.sql import mask_literals
from dexter_tui.services.events import deadlock_analysis, event_json

#: Searches that find PostgreSQL deadlocks, each AND-ed with `DeadlockQuery.base`:
#: free text `deadlock` (the English message and the de/es/fr/it/ko/sv translations, which keep the
#: word, and the `DeadlockDetected` class in titles); the psycopg exception class, which psycopg
#: picks from SQLSTATE 40P01 whatever the server's language; and the SQLSTATE tag some SDK setups
#: add. The analyzer then drops what matched but is not a deadlock (SQLite, lock timeouts...).
DEADLOCK_SEARCHES: tuple[str, ...] = (
    "deadlock",
    "error.type:DeadlockDetected",
    "db.sqlstate:40P01",
)


@dataclass(frozen=True)
class DeadlockQuery:
    """Which deadlocks the view looks at: the issue list's projects, environments and period."""

    projects: tuple[str, ...] = ()  # project ids; empty = all
    environments: tuple[str, ...] = ()
    period: str = DEFAULT_PERIOD
    base: str = "is:unresolved"
    searches: tuple[str, ...] = DEADLOCK_SEARCHES
    events_per_issue: int = 100  # one page of full events per issue
    buckets: int = 14  # sparkline resolution over the period

    def search_queries(self) -> list[str]:
        return [f"{self.base} {s}".strip() for s in self.searches]


@dataclass
class Occurrence:
    """One event of an issue that the analyzer recognised as a deadlock."""

    issue: Issue
    event: Event
    analysis: Analysis
    timestamp: float


@dataclass
class DeadlockPattern:
    """Events sharing one analyzer fingerprint, newest first."""

    fingerprint: str
    occurrences: list[Occurrence] = field(default_factory=list)

    @property
    def latest(self) -> Occurrence:
        return self.occurrences[0]

    @property
    def pattern(self) -> str:
        advice = self.latest.analysis.advice
        return advice.pattern if advice else "unknown"

    @property
    def severity(self) -> str:
        advice = self.latest.analysis.advice
        return advice.severity if advice else "none"

    @property
    def relations(self) -> list[str]:
        advice = self.latest.analysis.advice
        return list(advice.relations) if advice else []

    @property
    def issues(self) -> list[Issue]:
        """Distinct issues, in order of their newest event here."""
        seen: dict[str, Issue] = {}
        for occ in self.occurrences:
            seen.setdefault(occ.issue.id, occ.issue)
        return list(seen.values())

    @property
    def event_count(self) -> int:
        return len(self.occurrences)

    @property
    def last_seen(self) -> float:
        return self.latest.timestamp

    def events_of(self, issue_id: str) -> int:
        return sum(1 for occ in self.occurrences if occ.issue.id == issue_id)

    def buckets(self, now: float, span: float, count: int) -> list[int]:
        """Event counts in `count` equal intervals ending at `now`, oldest first."""
        return timeline([o.timestamp for o in self.occurrences], now, span, count)


@dataclass
class DeadlockScan:
    """What one scan found."""

    query: DeadlockQuery
    issues: list[Issue]  # every issue the searches returned, in search order
    patterns: list[DeadlockPattern]  # most recent first
    not_deadlocks: list[Issue] = field(default_factory=list)  # matched, no deadlock in its events
    events_analyzed: int = 0
    requests: int = 0

    @property
    def deadlock_events(self) -> int:
        return sum(p.event_count for p in self.patterns)

    @property
    def events_total(self) -> int:
        """Events Sentry counts for the issues with a deadlock (may exceed what was analyzed)."""
        bad = {i.id for i in self.not_deadlocks}
        return sum(i.count for i in self.issues if i.id not in bad)


def timeline(timestamps: Iterable[float], now: float, span: float, count: int) -> list[int]:
    """Counts of `timestamps` in `count` buckets covering (now - span, now], oldest first."""
    out = [0] * count
    if count <= 0 or span <= 0:
        return out
    start = now - span
    for ts in timestamps:
        if start < ts <= now:
            # right-closed buckets, like the interval: a stamp on an edge counts in the older one
            out[max(0, math.ceil((ts - start) / span * count) - 1)] += 1
    return out


def _timestamp(event: Event, issue: Issue) -> float:
    when: datetime | None = event.date_created or issue.last_seen
    return when.timestamp() if when else 0.0


def analyze_events(issue: Issue, events: Sequence[Event]) -> list[Occurrence]:
    """The deadlocks among `events` (CPU work: run it in a thread)."""
    out: list[Occurrence] = []
    for event in events:
        analysis = deadlock_analysis(event, event_json(event))
        if analysis is not None and analysis.fingerprint:
            out.append(Occurrence(issue, event, analysis, _timestamp(event, issue)))
    return out


def group_patterns(occurrences: Iterable[Occurrence]) -> list[DeadlockPattern]:
    """By fingerprint; each pattern's events newest first; patterns by their newest event."""
    by_fp: dict[str, DeadlockPattern] = {}
    for occ in occurrences:
        by_fp.setdefault(occ.analysis.fingerprint, DeadlockPattern(occ.analysis.fingerprint))
        by_fp[occ.analysis.fingerprint].occurrences.append(occ)
    for pattern in by_fp.values():
        pattern.occurrences.sort(key=lambda o: (o.timestamp, o.event.id), reverse=True)
    return sorted(by_fp.values(), key=lambda p: (p.last_seen, p.fingerprint), reverse=True)


async def find_deadlock_issues(
    client: SentryClient, org: str, query: DeadlockQuery
) -> tuple[list[Issue], int]:
    """Issues any of the searches returns (first page each, deduplicated), and requests made."""
    pages = await asyncio.gather(
        *(
            client.list_issues(
                org,
                query=q,
                projects=list(query.projects) or None,
                environments=list(query.environments) or None,
                stats_period=query.period,
                sort="date",
                limit=100,
            )
            for q in query.search_queries()
        )
    )
    found: dict[str, Issue] = {}
    for page in pages:
        for issue in page.items:
            found.setdefault(issue.id, issue)
    return list(found.values()), len(pages)


async def scan_deadlocks(client: SentryClient, org: str, query: DeadlockQuery) -> DeadlockScan:
    """Search, fetch one page of full events per issue, analyze, group."""
    issues, requests = await find_deadlock_issues(client, org, query)
    pages = await asyncio.gather(
        *(
            client.list_issue_events(
                org,
                issue.id,
                full=True,
                environments=list(query.environments) or None,
                stats_period=query.period,
                per_page=query.events_per_issue,
            )
            for issue in issues
        )
    )
    occurrences: list[Occurrence] = []
    not_deadlocks: list[Issue] = []
    analyzed = 0
    for issue, page in zip(issues, pages, strict=True):
        found = await asyncio.to_thread(analyze_events, issue, page.items)
        analyzed += len(page.items)
        if not found:
            not_deadlocks.append(issue)
        occurrences += found
    return DeadlockScan(
        query=query,
        issues=issues,
        patterns=group_patterns(occurrences),
        not_deadlocks=not_deadlocks,
        events_analyzed=analyzed,
        requests=requests + len(pages),
    )


# -- the report of one deadlock ----------------------------------------------------------------


@dataclass(frozen=True)
class ProcessRow:
    """One backend of a report, as the process table shows it."""

    pid: int
    role: str  # victim | cycle | unplaced (partial report) | bystander | holder
    waits_for: str  # "ShareLock on transaction 765 → pid 16203", or ""
    query: str | None


def process_rows(analysis: Analysis) -> list[ProcessRow]:
    """Every process of the graph, in report order, with its role and what it waited for."""
    report, graph, advice = analysis.report, analysis.graph, analysis.advice
    if report is None or graph is None or advice is None:
        return []
    rows: list[ProcessRow] = []
    for pid, node in graph.nodes.items():
        if pid == report.victim_pid:
            role = "victim"
        elif node.in_cycle:
            role = "cycle"
        elif node.in_report:
            role = "unplaced"  # named by a partial report whose lost line would place it
        elif node.waits:
            role = "bystander"
        else:
            role = "holder"
        waits = "; ".join(
            f"{w.mode} on {describe_target(w, advice.relation_names)} → pid {w.blocked_by}"
            for w in node.waits
        )
        rows.append(ProcessRow(pid, role, waits, node.query))
    return rows


def shown_query(query: str | None, *, masked: bool) -> str:
    """The query text to display: literal, or with constants replaced by the analyzer."""
    if not query:
        return ""
    return mask_literals(query) if masked else query


def relative_age(ts: float, now: float) -> str:
    """`3m`, `5h`, `2d` ago (compact, for a table cell)."""
    seconds = max(0.0, now - ts)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return "now"


__all__ = [
    "DEADLOCK_SEARCHES",
    "DeadlockPattern",
    "DeadlockQuery",
    "DeadlockScan",
    "Occurrence",
    "ProcessRow",
    "analyze_events",
    "find_deadlock_issues",
    "group_patterns",
    "period_seconds",
    "process_rows",
    "relative_age",
    "scan_deadlocks",
    "shown_query",
    "timeline",
]
