"""What to offer while a Sentry search is typed: keys, values, recent and saved searches.

Why: Sentry's search bar completes keys (`is:`, `level:`, the project's tags) and values (fixed
ones, and a tag's values from the server), and offers recent and saved searches; typing a query
blind in a terminal costs a 400 or an empty list. Keys and fixed values are offered at once; a
tag's values need one request per (key, prefix), which the caller debounces — results are cached,
and a prefix whose shorter prefix already returned every value is filtered locally (no request).
Saved searches are ours (local views) and Sentry's own (`★`, one request per org and session;
a server without the route offers none, quietly).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from dexter_tui.sentry.client import SentryClient
from dexter_tui.services.recent_searches import RecentSearches
from dexter_tui.services.search_syntax import (
    BUILTIN_KEYS,
    FIXED_VALUES,
    Token,
    quote_value,
    token_at,
)
from dexter_tui.services.views import SavedView, server_searches

#: candidates shown at most
MAX_CANDIDATES = 8
#: whole searches offered first per kind (recent, local saved, Sentry's) before the rest of each
SEARCH_QUOTA = {"recent": 4, "saved": 2, "sentry": MAX_CANDIDATES}
#: how Sentry's saved searches are marked in the list (as in the views picker)
SENTRY_MARK = "★ "
#: a values page shorter than this held every value containing its prefix
VALUES_PAGE = 100
#: keys whose values are a fixed list or free text: never asked from the server
NO_SERVER_VALUES = frozenset(
    [*FIXED_VALUES, "has", "times_seen", "message", "error.value", "user.email", "url"]
)


@dataclass(frozen=True)
class Completion:
    """One candidate: what the list shows, and the whole input text after choosing it."""

    kind: str  # "key" | "value" | "recent" | "saved" (local views) | "sentry" (Sentry's saved)
    label: str
    detail: str
    text: str
    cursor: int


@dataclass
class Scope:
    """Where values come from: the list's projects (ids) and environments."""

    projects: tuple[str, ...] = ()
    environments: tuple[str, ...] = ()


@dataclass
class _ValueCache:
    values: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    complete: set[tuple[str, str]] = field(default_factory=set)  # held every matching value
    pending: dict[tuple[str, str], asyncio.Task[list[str]]] = field(default_factory=dict)


def _apply(text: str, token: Token, replacement: str) -> tuple[str, int]:
    """`text` with `token` replaced; the cursor after the replacement."""
    new = text[: token.start] + replacement + text[token.end :]
    return new, token.start + len(replacement)


class SearchCompleter:
    """Completion for one organization's issue search (shared by `/`, Discover and `:query`)."""

    def __init__(
        self,
        client: SentryClient | None,
        org: str,
        *,
        recent: RecentSearches | None = None,
        saved: Callable[[], Sequence[str]] | None = None,
        scope: Callable[[], Scope] | None = None,
    ) -> None:
        self.client = client
        self.org = org
        self.recent = recent
        self.saved = saved or (lambda: ())
        self.scope = scope or Scope
        self.tag_keys: list[str] | None = None  # the org's tag keys, once loaded
        self.sentry_searches: list[SavedView] | None = None  # Sentry's saved searches, once loaded
        self.sentry_note = ""  # why there are none, when there are none
        self._sentry_task: asyncio.Task[list[SavedView]] | None = None
        self._cache = _ValueCache()
        self.requests = 0  # value requests sent (shown by tests and `doctor`-like checks)

    # -- keys -----------------------------------------------------------------------------------

    async def load_tag_keys(self) -> list[str]:
        """The org's tag keys (one request per session; none without a client)."""
        if self.tag_keys is None:
            keys: list[str] = []
            if self.client is not None:
                scope = self.scope()
                found = await self.client.list_org_tag_keys(
                    self.org, projects=scope.projects, environments=scope.environments
                )
                keys = [k.key for k in found if k.key]
            self.tag_keys = keys
        return self.tag_keys

    # -- Sentry's saved searches ------------------------------------------------------------------

    async def load_sentry_searches(self) -> list[SavedView]:
        """Sentry's saved issue searches: one request per org and session, shared by callers
        that ask at once; none without a client or on a server without the route (404/403).
        A 5xx or network error offers none now and asks again next time."""
        if self.sentry_searches is not None:
            return self.sentry_searches
        if self.client is None:
            self.sentry_searches = []
            return []
        if self._sentry_task is None:
            self._sentry_task = asyncio.ensure_future(self._request_sentry_searches())
        task = self._sentry_task
        try:
            return await asyncio.shield(task)
        finally:
            if task.done() and self._sentry_task is task:
                self._sentry_task = None

    async def _request_sentry_searches(self) -> list[SavedView]:
        assert self.client is not None
        found = await server_searches(self.client, self.org)
        self.sentry_note = found.note
        if found.retry:
            return []
        self.sentry_searches = [v for v in found.views or [] if v.query]
        return self.sentry_searches

    def _keys(self) -> list[tuple[str, str]]:
        out = list(BUILTIN_KEYS.items())
        for key in self.tag_keys or []:
            if key not in BUILTIN_KEYS:
                out.append((key, "tag"))
        return out

    # -- values ---------------------------------------------------------------------------------

    def cached_values(self, key: str, prefix: str) -> list[str] | None:
        """Values of `key` containing `prefix` known without a request, else None."""
        cache = self._cache
        if (key, prefix) in cache.values:
            return cache.values[(key, prefix)]
        for shorter in range(len(prefix) - 1, -1, -1):
            base = (key, prefix[:shorter])
            if base in cache.complete:
                needle = prefix.lower()
                return [v for v in cache.values[base] if needle in v.lower()]
        return None

    def needs_values(self, text: str, cursor: int) -> tuple[str, str] | None:
        """(key, prefix) to ask the server for, when the token at the cursor is a tag's value."""
        token = token_at(text, cursor)
        key = token.key
        if key is None or key in NO_SERVER_VALUES:
            return None
        prefix = token.value.strip('"')
        if self.cached_values(key, prefix) is not None:
            return None
        return key, prefix

    async def fetch_values(self, key: str, prefix: str) -> list[str]:
        """One request per (key, prefix), shared by callers that ask at the same time."""
        known = self.cached_values(key, prefix)
        if known is not None:
            return known
        cache = self._cache
        task = cache.pending.get((key, prefix))
        if task is None:
            task = asyncio.ensure_future(self._request_values(key, prefix))
            cache.pending[(key, prefix)] = task
        try:
            return await asyncio.shield(task)
        finally:
            if task.done():
                cache.pending.pop((key, prefix), None)

    async def _request_values(self, key: str, prefix: str) -> list[str]:
        if self.client is None:
            return []
        scope = self.scope()
        self.requests += 1
        found = await self.client.list_org_tag_values(
            self.org,
            key,
            prefix=prefix,
            projects=scope.projects,
            environments=scope.environments,
        )
        values = [v.value for v in found if v.value is not None]
        self._cache.values[(key, prefix)] = values
        if len(found) < VALUES_PAGE:
            self._cache.complete.add((key, prefix))
        return values

    # -- candidates -----------------------------------------------------------------------------

    def complete(
        self, text: str, cursor: int | None = None, *, sentry: bool = True
    ) -> list[Completion]:
        """Candidates for the token at `cursor` (default: the end), best first; never a request.
        `sentry=False` leaves out Sentry's saved searches (issue searches: not for Discover)."""
        cursor = len(text) if cursor is None else cursor
        token = token_at(text, cursor)
        out: list[Completion] = []
        if token.key is None:
            out += self._key_candidates(text, token)
        else:
            out += self._value_candidates(text, token)
        out += self._search_candidates(text, sentry=sentry)
        return out[:MAX_CANDIDATES]

    def _key_candidates(self, text: str, token: Token) -> list[Completion]:
        if not token.text:
            return []
        bang = "!" if token.text.startswith("!") else ""
        typed = token.text[len(bang) :].lower()
        out = []
        for key, detail in self._keys():
            if key.lower().startswith(typed) and key.lower() != typed:
                new, cursor = _apply(text, token, f"{bang}{key}:")
                out.append(Completion("key", f"{bang}{key}:", detail, new, cursor))
        return out

    def _value_candidates(self, text: str, token: Token) -> list[Completion]:
        key = token.key or ""
        typed = token.value.strip('"')
        bang = "!" if token.negated else ""
        if key in FIXED_VALUES:
            values = [v for v in FIXED_VALUES[key] if v.lower().startswith(typed.lower())]
        elif key == "has":
            values = [k for k, _ in self._keys() if k.lower().startswith(typed.lower())]
        else:
            values = self.cached_values(key, typed) or []
        out = []
        for value in values:
            if value == typed:
                continue
            term = f"{bang}{key}:{quote_value(value)} "
            new, cursor = _apply(text, token, term)
            if new[cursor:].startswith(" "):
                new = new[:cursor] + new[cursor + 1 :]
            out.append(Completion("value", value, key, new, cursor))
        return out

    def _search_candidates(self, text: str, *, sentry: bool = True) -> list[Completion]:
        """Whole searches containing the typed text: a few of each kind first (so 20 recent
        searches never hide the saved ones), then the rest of each."""
        typed = " ".join(text.split()).lower()

        def offered(query: str, name: str = "") -> bool:
            if not query or query.lower() == typed:
                return False
            return not typed or typed in query.lower() or typed in name.lower()

        groups: list[list[Completion]] = [
            [Completion(kind, query, kind, query, len(query)) for query in items if offered(query)]
            for kind, items in (
                ("recent", self.recent.items() if self.recent else []),
                ("saved", list(self.saved())),
            )
        ]
        groups.append(
            [
                Completion(
                    "sentry", SENTRY_MARK + view.name, view.query, view.query, len(view.query)
                )
                for view in ((self.sentry_searches or []) if sentry else [])
                if offered(view.query, view.name)
            ]
        )
        first: list[Completion] = []
        rest: list[Completion] = []
        for group in groups:
            quota = SEARCH_QUOTA[group[0].kind] if group else 0
            first += group[:quota]
            rest += group[quota:]
        return first + rest


#: the `:` command line's verbs (see the app's COMMAND_HELP) with what each does
COMMAND_VERBS: dict[str, str] = {
    "issues": "the issue list",
    "analytics": "events over time",
    "deadlocks": "PostgreSQL deadlocks",
    "releases": "releases",
    "discover": "query events",
    "alerts": "alert rules",
    "query": "search the issue list (Sentry syntax)",
    "filter": "a quick filter",
    "project": "switch projects (SLUG[,SLUG] or all)",
    "env": "filter by environment (or all)",
    "period": "stats period",
    "sort": "order the issue list",
    "view": "open a saved view",
    "views": "list saved views",
    "save": "save this view",
    "save-sentry": "save this search to Sentry (personal)",
    "unsave": "remove a saved view",
    "refresh": "reload everything",
    "pause": "pause/resume live updates",
    "help": "keys and commands",
    "q": "quit",
}

#: verbs whose argument is a Sentry search
SEARCH_VERBS = frozenset({"query", "search"})


class CommandCompleter:
    """Completion for the `:` line: verbs, their arguments, and a search after `:query`."""

    def __init__(self, search: SearchCompleter, arguments: Callable[[str], Sequence[str]]) -> None:
        self.search = search
        self.arguments = arguments  # verb -> its possible arguments (projects, periods, …)
        self.recent: RecentSearches | None = None  # commands have their own history

    @property
    def tag_keys(self) -> list[str] | None:
        return self.search.tag_keys

    async def load_tag_keys(self) -> list[str]:
        return await self.search.load_tag_keys()

    @property
    def sentry_searches(self) -> list[SavedView] | None:
        return self.search.sentry_searches

    async def load_sentry_searches(self) -> list[SavedView]:
        return await self.search.load_sentry_searches()

    def _inner(self, text: str, cursor: int) -> tuple[int, str, int] | None:
        """(offset, search text, cursor in it) when the cursor is in a `:query` argument."""
        verb, sep, _ = text.partition(" ")
        if not sep or verb not in SEARCH_VERBS or cursor <= len(verb):
            return None
        offset = len(verb) + 1
        return offset, text[offset:], cursor - offset

    def needs_values(self, text: str, cursor: int) -> tuple[str, str] | None:
        inner = self._inner(text, cursor)
        return None if inner is None else self.search.needs_values(inner[1], inner[2])

    async def fetch_values(self, key: str, prefix: str) -> list[str]:
        return await self.search.fetch_values(key, prefix)

    def complete(
        self, text: str, cursor: int | None = None, *, sentry: bool = True
    ) -> list[Completion]:
        cursor = len(text) if cursor is None else cursor
        inner = self._inner(text, cursor)
        if inner is not None:
            offset, search_text, search_cursor = inner
            head = text[:offset]
            return [
                Completion(c.kind, c.label, c.detail, head + c.text, offset + c.cursor)
                for c in self.search.complete(search_text, search_cursor, sentry=sentry)
            ]
        verb, sep, arg = text[:cursor].partition(" ")
        if not sep:
            typed = verb.lower()
            return [
                Completion("key", name, detail, f"{name} ", len(name) + 1)
                for name, detail in COMMAND_VERBS.items()
                if name.startswith(typed) and name != typed
            ][:MAX_CANDIDATES]
        done, _, last = arg.rpartition(",")
        head = f"{verb} {done + ',' if done else ''}"
        return [
            Completion("value", option, verb, head + option, len(head) + len(option))
            for option in self.arguments(verb)
            if option.lower().startswith(last.lower()) and option != last
        ][:MAX_CANDIDATES]
