"""Saved views: a named issue-list query + sort + period + environment (+ projects).

Stored as JSON in the config dir (`views.json` beside `config.toml`), written atomically with mode
0600 so a crash mid-write never loses the other views and other users cannot read the queries.
A damaged file is not overwritten silently: loading reports it and saving refuses until it is fixed
or removed. Sentry's own saved searches (`/organizations/{org}/searches/`) are listed read-only when
the server has them; a server without them is normal, not an error. The caller's own Sentry
searches can be made (`:save-sentry`) and deleted (`:unsave`); shared and built-in ones are not
changed from here.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from dexter_tui.choices import DEFAULT_PERIOD, DEFAULT_QUERY, DEFAULT_SORT, SORT_LABELS
from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.errors import NotFound, ScopeError, SentryError
from dexter_tui.sentry.resources.saved_searches import ISSUE_SEARCH
from dexter_tui.services.issues import IssueQuery
from dexter_tui.services.local_files import locked, write_atomic

FILENAME = "views.json"
VERSION = 1
#: SavedView fields that describe a Sentry search and are never written to the views file
SERVER_ONLY = ("source", "remote_id", "visibility")
#: the visibilities of a Sentry search that belongs to the caller alone
PERSONAL = ("owner", "owner_pinned")


class ViewsFileError(ValueError):
    """The views file exists but cannot be read as saved views."""


@dataclass(frozen=True)
class SavedView:
    name: str
    query: str = DEFAULT_QUERY
    sort: str = DEFAULT_SORT
    period: str = DEFAULT_PERIOD
    environments: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()  # slugs; empty = the projects of the moment
    source: str = "local"  # "local" (ours, in the config dir) | "sentry" (a server saved search)
    remote_id: str = ""  # a Sentry saved search's id (never written to the views file)
    visibility: str = ""  # a Sentry search's: organization | owner | owner_pinned | global

    @classmethod
    def from_query(cls, name: str, query: IssueQuery, projects: tuple[str, ...] = ()) -> SavedView:
        return cls(
            name=name.strip(),
            query=query.query,
            sort=query.sort,
            period=query.period,
            environments=tuple(query.environments),
            projects=tuple(projects),
        )

    def apply_to(self, query: IssueQuery) -> IssueQuery:
        """`query` with this view's settings (project ids are resolved by the caller)."""
        return query.with_(
            query=self.query,
            sort=self.sort,
            period=self.period,
            environments=tuple(self.environments),
        )

    def summary(self) -> str:
        sort = SORT_LABELS.get(self.sort, self.sort)  # the words the list shows: "last seen"
        parts = [self.query or "(everything)", f"sort {sort}", self.period]
        if self.environments:
            parts.append("env " + ",".join(self.environments))
        if self.projects:
            parts.append("projects " + ",".join(self.projects))
        return " · ".join(parts)


def _view(data: Any) -> SavedView:
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise ViewsFileError("every view needs a name")

    def strings(key: str) -> tuple[str, ...]:
        value = data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ViewsFileError(f"view {data['name']!r}: {key} must be a list of strings")
        return tuple(value)

    return SavedView(
        name=data["name"],
        query=str(data.get("query", "")),
        sort=str(data.get("sort", DEFAULT_SORT)),
        period=str(data.get("period", DEFAULT_PERIOD)),
        environments=strings("environments"),
        projects=strings("projects"),
    )


def default_views_path() -> Path:
    from dexter_tui.config import default_config_path

    return default_config_path().parent / FILENAME


class ViewStore:
    """The saved views file. Every call reads the file: another dexter may have changed it."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_views_path()

    def load(self) -> list[SavedView]:
        """The views in the file (none when it does not exist); ViewsFileError when damaged."""
        try:
            raw = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        try:
            data = json.loads(raw)
        except ValueError as error:
            raise ViewsFileError(f"{self.path}: not JSON ({error})") from None
        items = data.get("views") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise ViewsFileError(f'{self.path}: expected {{"views": [...]}}')
        try:
            return [_view(item) for item in items]
        except ViewsFileError as error:
            raise ViewsFileError(f"{self.path}: {error}") from None

    def get(self, name: str) -> SavedView | None:
        wanted = name.strip().casefold()
        return next((v for v in self.load() if v.name.casefold() == wanted), None)

    def save(self, view: SavedView) -> Path:
        """Add `view`, replacing one of the same name (case-insensitive)."""
        if not view.name:
            raise ValueError("a saved view needs a name")
        with locked(self.path):  # re-read + write as one step: another dexter may be saving
            views = [v for v in self.load() if v.name.casefold() != view.name.casefold()]
            views.append(view)
            views.sort(key=lambda v: v.name.casefold())
            return self._write(views)

    def delete(self, name: str) -> bool:
        with locked(self.path):
            views = self.load()
            kept = [v for v in views if v.name.casefold() != name.strip().casefold()]
            if len(kept) == len(views):
                return False
            self._write(kept)
            return True

    def _write(self, views: list[SavedView]) -> Path:
        payload = {
            "version": VERSION,
            "views": [
                {
                    k: list(v) if isinstance(v, tuple) else v
                    for k, v in asdict(view).items()
                    if k not in SERVER_ONLY
                }
                for view in views
            ],
        }
        return write_atomic(self.path, json.dumps(payload, indent=2, ensure_ascii=False) + "\n")


@dataclass
class ServerSearches:
    """Sentry's saved searches: `views` is None when this server has none to offer; `retry`
    when that may change (a 5xx or network error, not a missing route or scope)."""

    views: list[SavedView] | None
    note: str = ""
    retry: bool = False


async def server_searches(client: SentryClient, org: str) -> ServerSearches:
    """Sentry's issue saved searches (`/organizations/{org}/searches/?type=0`); read-only here.

    Older self-hosted servers lack the route (404) and some tokens may not read it (403): both
    are "none here", said in `note`, never an error.
    """
    try:
        items = await client.list_saved_searches(org, type=ISSUE_SEARCH)
    except NotFound:
        return ServerSearches(None, "This Sentry has no saved searches endpoint.")
    except ScopeError:
        return ServerSearches(None, "The token may not read Sentry's saved searches.")
    except SentryError as error:
        return ServerSearches(None, f"Sentry's saved searches are unavailable: {error}", True)
    views = [
        SavedView(
            name=item.name or item.query or "?",
            query=item.query,
            sort=item.sort or "date",
            source="sentry",
            remote_id=item.id,
            visibility="global" if item.is_global else (item.visibility or ""),
        )
        for item in items
        if item.type in (None, ISSUE_SEARCH)
    ]
    return ServerSearches(views, f"{len(views)} saved searches on the server (read-only)")


async def save_to_sentry(client: SentryClient, org: str, view: SavedView) -> SavedView:
    """Save `view`'s query and sort as a personal Sentry saved search (visibility `owner`: it
    never changes what the rest of the org sees). Sentry's refusal (a 400: the same query saved
    already, an empty query; a 404 on a server without the route) is raised as is."""
    made = await client.create_saved_search(
        org, view.name, view.query, sort=view.sort, visibility="owner", type=ISSUE_SEARCH
    )
    return SavedView(
        name=made.name or view.name,
        query=made.query,
        sort=made.sort or view.sort,
        source="sentry",
        remote_id=made.id,
        visibility=made.visibility or "owner",
    )


def why_not_deletable(view: SavedView) -> str:
    """Why `:unsave` leaves this Sentry search alone ("" when it is the caller's own): Sentry's
    built-in searches cannot be deleted, and one shared with the whole org is not ours to drop
    from a terminal command without a confirmation (Sentry's web UI asks)."""
    if view.visibility == "global" or not view.remote_id:
        return f"“{view.name}” is one of Sentry's built-in searches; it cannot be deleted"
    if view.visibility not in PERSONAL:
        return f"“{view.name}” is shared with the whole organization; delete it in Sentry"
    return ""


async def delete_from_sentry(client: SentryClient, org: str, view: SavedView) -> None:
    """Delete the caller's own Sentry saved search (`why_not_deletable` is checked first)."""
    await client.delete_saved_search(org, view.remote_id)
