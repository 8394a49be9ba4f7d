"""Discover queries ("which endpoints throw this since the deploy?") without Textual.

A `DiscoverQuery` is what the editor holds; `DiscoverSession` runs it, pages through the results by
cursor, keeps a history of the queries that ran, and turns Sentry's 400 into text the screen shows
next to the still-editable query (nothing typed is lost). Column types come from the response's
`meta.fields`, so the screen formats numbers, dates and strings the way Sentry typed them.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from dexter_tui.choices import DEFAULT_PERIOD
from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.errors import BadRequest, NotFound
from dexter_tui.sentry.models import Issue
from dexter_tui.services.export import render_rows, write_rows
from dexter_tui.services.local_files import locked, write_atomic

DEFAULT_FIELDS = ("title", "issue", "count()", "count_unique(user)", "last_seen()")
DATASETS = ("errors", "transactions", "discover")
MAX_FIELDS = 20
HISTORY_SIZE = 50


def split_fields(text: str) -> tuple[str, ...]:
    """`"title, tag[os, string], p95(transaction.duration)"` → the fields (commas inside brackets
    and parentheses belong to the field)."""
    out: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char in "([":
            depth += 1
        elif char in ")]" and depth:
            depth -= 1
        if char == "," and depth == 0:
            out.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    out.append("".join(current).strip())
    return tuple(f for f in out if f)


def split_list(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in text.split(",") if p.strip() and p.strip() != "all")


@dataclass(frozen=True)
class DiscoverQuery:
    """Everything one Discover request needs, in Sentry's terms."""

    fields: tuple[str, ...] = DEFAULT_FIELDS
    query: str = ""
    sort: str = "-count()"
    period: str = DEFAULT_PERIOD
    environments: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()  # ids or slugs, as Sentry's `project` param takes them
    dataset: str = "errors"

    def problems(self) -> list[str]:
        """What Sentry would refuse before asking it (saves a request, explains it better)."""
        out = []
        if not self.fields:
            out.append("Choose at least one field")
        if len(self.fields) > MAX_FIELDS:
            out.append(f"Sentry takes at most {MAX_FIELDS} fields (got {len(self.fields)})")
        if self.sort and self.sort.lstrip("-") not in self.fields:
            out.append(f"Sort by a selected field ({self.sort.lstrip('-')} is not one)")
        return out

    def with_(self, **changes: Any) -> DiscoverQuery:
        return replace(self, **changes)

    def sorted_by(self, column: str) -> DiscoverQuery:
        """Sort by `column`: descending first, a second time ascending."""
        desc = f"-{column}"
        return self.with_(sort=column if self.sort == desc else desc)

    def summary(self) -> str:
        parts = [", ".join(self.fields)]
        if self.query:
            parts.append(f"where {self.query}")
        if self.sort:
            parts.append(f"sort {self.sort}")
        parts.append(self.period)
        if self.environments:
            parts.append("env " + ",".join(self.environments))
        if self.projects:
            parts.append("projects " + ",".join(self.projects))
        return " · ".join(parts)


@dataclass
class DiscoverResults:
    """The rows loaded so far for one query, their column types, and the next page's cursor."""

    query: DiscoverQuery
    rows: list[dict[str, Any]] = field(default_factory=list)
    types: dict[str, str] = field(default_factory=dict)
    units: dict[str, Any] = field(default_factory=dict)
    next_cursor: str | None = None
    error: str | None = None

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None

    @property
    def columns(self) -> list[str]:
        return list(self.query.fields)

    def type_of(self, column: str) -> str:
        return self.types.get(column, "string")


def load_history(path: Path | None) -> list[DiscoverQuery]:
    """Queries saved by an earlier session; a missing or damaged file is an empty history."""
    if path is None:
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    out = []
    for item in data if isinstance(data, list) else []:
        if not isinstance(item, dict):
            continue
        try:
            out.append(
                DiscoverQuery(
                    fields=tuple(str(f) for f in item["fields"]),
                    query=str(item.get("query", "")),
                    sort=str(item.get("sort", "")),
                    period=str(item.get("period", DEFAULT_PERIOD)),
                    environments=tuple(str(e) for e in item.get("environments", [])),
                    projects=tuple(str(p) for p in item.get("projects", [])),
                    dataset=str(item.get("dataset", "errors")),
                )
            )
        except (KeyError, TypeError):
            continue
    return out[:HISTORY_SIZE]


def save_history(path: Path, history: Sequence[DiscoverQuery]) -> None:
    """Atomic write, mode 0600 (queries can name customers, hosts, users)."""
    payload = [
        {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(q).items()} for q in history
    ]
    write_atomic(path, json.dumps(payload, indent=1, ensure_ascii=False))


def remember_in_file(
    path: Path, query: DiscoverQuery, mine: Sequence[DiscoverQuery]
) -> list[DiscoverQuery]:
    """Put `query` first in the history file, keeping what other dexters saved meanwhile.

    Re-read and write under a lock: two TUIs never lose each other's entries. `mine` (this
    session's history) fills in what the file lacks (e.g. it was deleted).
    """
    with locked(path):
        merged = [query]
        for q in [*load_history(path), *mine]:
            if q not in merged:
                merged.append(q)
        del merged[HISTORY_SIZE:]
        save_history(path, merged)
    return merged


class DiscoverSession:
    """Runs queries for the Discover view and remembers them (most recent first).

    With `history_path` the history outlives the session (the state dir, beside the action log).
    """

    def __init__(
        self,
        client: SentryClient,
        org: str,
        *,
        page_size: int = 50,
        history_path: Path | None = None,
    ) -> None:
        self.client = client
        self.org = org
        self.page_size = page_size
        self.history_path = history_path
        self.history: list[DiscoverQuery] = load_history(history_path)
        self.results: DiscoverResults | None = None

    def remember(self, query: DiscoverQuery) -> None:
        self.history = [query] + [q for q in self.history if q != query]
        del self.history[HISTORY_SIZE:]
        if self.history_path is not None:
            with contextlib.suppress(OSError):  # losing history must not lose the query
                self.history = remember_in_file(self.history_path, query, self.history)

    async def run(
        self, query: DiscoverQuery, *, remember: DiscoverQuery | None = None
    ) -> DiscoverResults:
        """The first page; a refused query gives results with `error` set (Sentry's own text).

        `remember`: what goes in the history when it differs from what is sent (project slugs the
        user typed rather than the ids sent).
        """
        self.remember(remember or query)
        problems = query.problems()
        if problems:
            self.results = DiscoverResults(query, error="; ".join(problems))
            return self.results
        try:
            result, page = await self._fetch(query, None)
        except BadRequest as error:
            self.results = DiscoverResults(query, error=sentry_text(error))
            return self.results
        meta = result.meta or {}
        self.results = DiscoverResults(
            query,
            rows=list(page.items),
            types=dict(meta.get("fields") or {}),
            units=dict(meta.get("units") or {}),
            next_cursor=page.next_cursor,
        )
        return self.results

    async def load_more(self) -> list[dict[str, Any]]:
        """The next page of the current results (empty when there is none)."""
        results = self.results
        if results is None or results.next_cursor is None:
            return []
        cursor = results.next_cursor
        _, page = await self._fetch(results.query, cursor)
        if self.results is not results:  # a new query ran meanwhile
            return []
        results.rows.extend(page.items)
        results.next_cursor = page.next_cursor if page.items else None
        return list(page.items)

    async def _fetch(self, query: DiscoverQuery, cursor: str | None):
        return await self.client.discover_query(
            self.org,
            list(query.fields),
            dataset=query.dataset,
            query=query.query or None,
            sort=query.sort or None,
            projects=list(query.projects),
            environments=list(query.environments),
            stats_period=query.period,
            per_page=self.page_size,
            cursor=cursor,
        )

    async def issue_for(self, row: dict[str, Any]) -> Issue | None:
        """The issue a result row points at (by issue id, short id or event id), else None."""
        issue_id = row.get("issue.id")
        try:
            if issue_id not in (None, ""):
                return await self.client.get_issue(self.org, str(issue_id))
            short_id = row.get("issue")
            if isinstance(short_id, str) and short_id:
                found = await self.client.lookup_short_id(self.org, short_id)
                if found.group is not None:
                    return found.group
                if found.group_id:
                    return await self.client.get_issue(self.org, found.group_id)
            event_id = row.get("id")
            if isinstance(event_id, str) and event_id:
                event = await self.client.lookup_event_id(self.org, event_id)
                if event.group_id:
                    return await self.client.get_issue(self.org, event.group_id)
        except NotFound:
            return None
        return None


def row_points_at_issue(row: dict[str, Any]) -> bool:
    return any(row.get(k) not in (None, "") for k in ("issue.id", "issue", "id"))


def sentry_text(error: BadRequest) -> str:
    """Sentry's own words for a refused query (its `detail`), not our wrapper sentence."""
    detail = error.detail
    if isinstance(detail, dict):
        inner = detail.get("detail")
        if isinstance(inner, str):
            return inner
        if error.field_errors:
            return "; ".join(f"{k}: {' '.join(v)}" for k, v in error.field_errors.items())
    return str(error).removeprefix("Sentry rejected the request: ")


# -- export: the one export path lives in services/export.py -------------------------------------

render_export = render_rows
write_export = write_rows
