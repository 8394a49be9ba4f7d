"""The offline cache: the last issue lists, opened issues and viewed events, kept on disk.

Why: Sentry is slow, rate-limited or unreachable exactly during an incident, and over a bad link
every start pays a round trip before the first row. What dexter last saw is kept in one SQLite
file in the platformdirs cache dir so it can be read at once (`dexter issues list --offline`, and
later the TUI's first rows), always with the time it was fetched.

Rules:

- one file (`offline.sqlite3`, mode 0600 in a 0700 directory); entries are scoped per Sentry URL
  (credentials stripped), org and profile, so two instances or profiles never mix;
- it holds only what Sentry answered (issues, events, project lists) — never the token or
  settings;
- size-capped (default 64 MB of compressed payload, `DEXTER_CACHE_MAX_MB`): the oldest entries go
  first, the newest are kept;
- best effort: a broken or locked cache raises `CacheError`, which callers treat as "no cache".
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import sqlite3
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from urllib.parse import urlsplit, urlunsplit

from dexter_tui.sentry import models  # `models.Event`: the event models are built on first use
from dexter_tui.sentry.models import Issue, Project

if TYPE_CHECKING:
    from dexter_tui.sentry.event_models import Event

T = TypeVar("T")

APP_NAME = "dexter-tui"
CACHE_FILENAME = "offline.sqlite3"
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
#: most issues kept per list (a `--all` over 100k issues would otherwise fill the cache alone)
MAX_LIST_ISSUES = 1000

_INCREMENTAL = 2  # `PRAGMA auto_vacuum` of a file set to INCREMENTAL

_SCHEMA = """
CREATE TABLE IF NOT EXISTS scopes (
    scope TEXT PRIMARY KEY,
    label TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS entries (
    scope TEXT NOT NULL,
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    fetched_at REAL NOT NULL,
    size INTEGER NOT NULL,
    payload BLOB NOT NULL,
    PRIMARY KEY (scope, kind, key)
);
CREATE INDEX IF NOT EXISTS entries_by_age ON entries (fetched_at);
"""


class CacheError(Exception):
    """The cache cannot be opened, read or written (callers carry on without it)."""


def default_cache_path() -> Path:
    import platformdirs

    return platformdirs.user_cache_path(APP_NAME) / CACHE_FILENAME


def default_max_bytes(env: dict[str, str] | None = None) -> int:
    env = dict(os.environ) if env is None else env
    raw = env.get("DEXTER_CACHE_MAX_MB", "").strip()
    try:
        mb = float(raw) if raw else 0.0
    except ValueError:
        mb = 0.0
    return int(mb * 1024 * 1024) if mb > 0 else DEFAULT_MAX_BYTES


def strip_credentials(url: str) -> str:
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url.rstrip("/")
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1])).rstrip("/")


@dataclass(frozen=True)
class CacheScope:
    """Which Sentry, org and profile entries belong to."""

    url: str
    org: str
    profile: str | None = None

    @property
    def label(self) -> str:
        profile = f" (profile {self.profile})" if self.profile else ""
        return f"{strip_credentials(self.url)} org {self.org}{profile}"

    @property
    def key(self) -> str:
        raw = json.dumps([strip_credentials(self.url), self.org, self.profile or ""])
        return hashlib.sha256(raw.encode()).hexdigest()[:24]


@dataclass
class Cached(Generic[T]):
    """A cached value and when it was fetched from Sentry (epoch seconds)."""

    value: T
    fetched_at: float

    def age(self, now: float | None = None) -> float:
        return max(0.0, (time.time() if now is None else now) - self.fetched_at)


@dataclass
class CachedList:
    issues: list[Issue]
    hits: int | None
    fetched_at: float

    def age(self, now: float | None = None) -> float:
        return max(0.0, (time.time() if now is None else now) - self.fetched_at)


@dataclass
class CacheInfo:
    path: Path
    exists: bool
    file_bytes: int
    payload_bytes: int
    max_bytes: int
    #: per scope label: {"list": n, "issue": n, "event": n, ...}
    scopes: dict[str, dict[str, int]] = field(default_factory=dict)
    oldest: float | None = None
    newest: float | None = None


def list_key(
    *,
    query: str,
    sort: str,
    period: str,
    environments: Sequence[str] = (),
    projects: Sequence[str] = (),
) -> str:
    """The key of one issue list: the same search, sort, period, environments and project ids."""
    return json.dumps(
        {
            "query": query,
            "sort": sort,
            "period": period,
            "environments": sorted(environments),
            "projects": sorted(projects),
        },
        sort_keys=True,
    )


def list_key_for(query: Any) -> str:
    """The key of an `IssueQuery` (`services/issues.py`): the TUI and the CLI share entries."""
    return list_key(
        query=query.query,
        sort=query.sort,
        period=query.period,
        environments=query.environments,
        projects=query.projects,
    )


def _pack(value: Any) -> bytes:
    return zlib.compress(json.dumps(value, separators=(",", ":")).encode("utf-8"), 6)


def _unpack(blob: bytes) -> Any:
    return json.loads(zlib.decompress(blob).decode("utf-8"))


def _dump(model: Any) -> dict[str, Any]:
    return model.model_dump(mode="json", by_alias=True, exclude_unset=True)


class OfflineCache:
    """The cache file, seen through one scope. Thread-safe; every call is short."""

    def __init__(
        self,
        scope: CacheScope,
        path: Path | None = None,
        *,
        max_bytes: int | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.scope = scope
        self.path = path or default_cache_path()
        self.max_bytes = max_bytes or default_max_bytes()
        self.clock = clock
        self._lock = threading.Lock()
        self._conn = self._open()

    @classmethod
    def for_settings(cls, settings: Any, **kw: Any) -> OfflineCache:
        """The cache scoped to `dexter_tui.config.Settings` (url, org, profile)."""
        return cls(CacheScope(settings.url, settings.org or "", settings.profile), **kw)

    # -- file ---------------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        try:
            fresh_dir = not self.path.parent.exists()
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            if fresh_dir:
                os.chmod(self.path.parent, 0o700)
            # created 0600 before SQLite opens it; its journal inherits the mode
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            os.close(fd)
            os.chmod(self.path, 0o600)
            conn = sqlite3.connect(self.path, timeout=2.0, check_same_thread=False)
            # set and written only when new: each write is a disk sync on every start (issue 19)
            if conn.execute("PRAGMA auto_vacuum").fetchone()[0] != _INCREMENTAL:
                conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
            conn.executescript(_SCHEMA)
            known = conn.execute(
                "SELECT label FROM scopes WHERE scope = ?", (self.scope.key,)
            ).fetchone()
            if known is None or known[0] != self.scope.label:
                conn.execute(
                    "INSERT OR REPLACE INTO scopes (scope, label) VALUES (?, ?)",
                    (self.scope.key, self.scope.label),
                )
                conn.commit()
        except (OSError, sqlite3.Error) as exc:
            raise CacheError(f"offline cache {self.path}: {exc}") from None
        return conn

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> OfflineCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- raw entries --------------------------------------------------------------------------

    def _put(self, kind: str, key: str, value: Any) -> None:
        self._put_many([(kind, key, value)])

    def _put_many(self, items: Sequence[tuple[str, str, Any]]) -> None:
        """Write entries in one transaction (one disk sync however many there are)."""
        now = self.clock()
        rows = []
        for kind, key, value in items:
            blob = _pack(value)
            rows.append((self.scope.key, kind, key, now, len(blob), blob))
        try:
            with self._lock:
                self._conn.executemany(
                    "INSERT OR REPLACE INTO entries (scope, kind, key, fetched_at, size, payload)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    rows,
                )
                self._evict()
                self._conn.commit()
        except sqlite3.Error as exc:
            raise CacheError(f"offline cache {self.path}: {exc}") from None

    def _get(self, kind: str, key: str) -> tuple[Any, float] | None:
        try:
            with self._lock:
                row = self._conn.execute(
                    "SELECT payload, fetched_at FROM entries"
                    " WHERE scope = ? AND kind = ? AND key = ?",
                    (self.scope.key, kind, key),
                ).fetchone()
        except sqlite3.Error as exc:
            raise CacheError(f"offline cache {self.path}: {exc}") from None
        if row is None:
            return None
        try:
            return _unpack(row[0]), float(row[1])
        except (zlib.error, ValueError):
            return None  # a damaged entry reads as a miss

    def _evict(self) -> None:
        """Drop the oldest entries (any scope) until the payloads fit in `max_bytes`."""
        total = self._conn.execute("SELECT COALESCE(SUM(size), 0) FROM entries").fetchone()[0]
        if total <= self.max_bytes:
            return
        excess = total - self.max_bytes
        doomed: list[tuple[str, str, str]] = []
        rows = self._conn.execute(
            "SELECT scope, kind, key, size FROM entries ORDER BY fetched_at ASC, rowid ASC"
        ).fetchall()
        for scope, kind, key, size in rows[:-1]:  # the newest entry always stays
            if excess <= 0:
                break
            doomed.append((scope, kind, key))
            excess -= size
        self._conn.executemany(
            "DELETE FROM entries WHERE scope = ? AND kind = ? AND key = ?", doomed
        )
        self._conn.execute("PRAGMA incremental_vacuum")

    # -- issue lists --------------------------------------------------------------------------

    def put_issue_list(self, key: str, issues: Iterable[Issue], *, hits: int | None = None) -> None:
        """The first `MAX_LIST_ISSUES` issues, each dumped as it comes: `issues` may parse them
        one at a time (the list's own are never all parsed at once, issue 19's peak memory)."""
        dumped: list[dict[str, Any]] = []
        aliases: list[tuple[str, str, Any]] = []  # a short id seen in a list resolves offline too
        for issue in itertools.islice(issues, MAX_LIST_ISSUES):
            dumped.append(_dump(issue))
            if issue.short_id:
                aliases.append(("shortid", issue.short_id.upper(), issue.id))
        self._put_many([("list", key, {"hits": hits, "issues": dumped}), *aliases])

    def issue_list(self, key: str) -> CachedList | None:
        found = self._get("list", key)
        if found is None:
            return None
        data, fetched_at = found
        issues = [Issue.model_validate(raw) for raw in data.get("issues", [])]
        return CachedList(issues, data.get("hits"), fetched_at)

    # -- issues and events ---------------------------------------------------------------------

    def put_issue(self, issue: Issue) -> None:
        items: list[tuple[str, str, Any]] = [("issue", issue.id, _dump(issue))]
        if issue.short_id:
            items.append(("shortid", issue.short_id.upper(), issue.id))
        self._put_many(items)

    def issue_id_for(self, ref: str) -> str | None:
        """An issue id from an id or a short id seen before."""
        if ref.isdigit():
            return ref
        found = self._get("shortid", ref.upper())
        return str(found[0]) if found else None

    def issue(self, ref: str) -> Cached[Issue] | None:
        """An opened issue by id or short id (falls back to the newest list holding it)."""
        issue_id = self.issue_id_for(ref)
        if issue_id is None:
            return None
        found = self._get("issue", issue_id)
        if found is not None:
            return Cached(Issue.model_validate(found[0]), found[1])
        return self._issue_from_lists(issue_id)

    def _issue_from_lists(self, issue_id: str) -> Cached[Issue] | None:
        with self._lock:
            rows = self._conn.execute(
                "SELECT key FROM entries WHERE scope = ? AND kind = 'list'"
                " ORDER BY fetched_at DESC",
                (self.scope.key,),
            ).fetchall()
        for (key,) in rows:
            cached = self.issue_list(key)
            if cached is None:
                continue
            for issue in cached.issues:
                if issue.id == issue_id:
                    return Cached(issue, cached.fetched_at)
        return None

    def put_event(self, issue_id: str | None, event: Event, *, which: str | None = None) -> None:
        """Keep a viewed event under its id and, given `which` ("latest"...), under that name."""
        raw = _dump(event)
        event_id = event.event_id or event.id
        items = [("event", event_id, raw)] if event_id else []
        if which and issue_id:
            items.append(("event", f"{issue_id}/{which}", raw))
        if items:
            self._put_many(items)

    def event(self, ref: str, issue_id: str | None = None) -> Cached[Event] | None:
        """An event by id, or `latest`/`oldest`/`recommended` of an issue."""
        key = f"{issue_id}/{ref}" if issue_id and not _looks_like_event_id(ref) else ref
        found = self._get("event", key)
        if found is None:
            return None
        return Cached(models.Event.model_validate(found[0]), found[1])

    # -- projects (slug -> id, so `--project` works offline) ------------------------------------

    def put_projects(self, projects: Sequence[Project]) -> None:
        self._put("meta", "projects", [_dump(p) for p in projects])

    def projects(self) -> list[Project] | None:
        found = self._get("meta", "projects")
        return [Project.model_validate(p) for p in found[0]] if found else None

    # -- housekeeping -------------------------------------------------------------------------

    def info(self) -> CacheInfo:
        try:
            with self._lock:
                labels = dict(self._conn.execute("SELECT scope, label FROM scopes").fetchall())
                counts = self._conn.execute(
                    "SELECT scope, kind, COUNT(*) FROM entries GROUP BY scope, kind"
                ).fetchall()
                total, oldest, newest = self._conn.execute(
                    "SELECT COALESCE(SUM(size), 0), MIN(fetched_at), MAX(fetched_at) FROM entries"
                ).fetchone()
        except sqlite3.Error as exc:
            raise CacheError(f"offline cache {self.path}: {exc}") from None
        scopes: dict[str, dict[str, int]] = {}
        for scope, kind, n in counts:
            scopes.setdefault(labels.get(scope, scope), {})[kind] = int(n)
        file_bytes = sum(
            p.stat().st_size
            for p in (self.path, self.path.with_name(self.path.name + "-journal"))
            if p.exists()
        )
        return CacheInfo(
            path=self.path,
            exists=self.path.exists(),
            file_bytes=file_bytes,
            payload_bytes=int(total),
            max_bytes=self.max_bytes,
            scopes=scopes,
            oldest=oldest,
            newest=newest,
        )

    def clear(self, *, every_scope: bool = False) -> int:
        """Delete this scope's entries (or everything); returns how many went."""
        try:
            with self._lock:
                if every_scope:
                    cursor = self._conn.execute("DELETE FROM entries")
                    self._conn.execute("DELETE FROM scopes WHERE scope != ?", (self.scope.key,))
                else:
                    cursor = self._conn.execute(
                        "DELETE FROM entries WHERE scope = ?", (self.scope.key,)
                    )
                self._conn.commit()
                self._conn.execute("VACUUM")
                return cursor.rowcount
        except sqlite3.Error as exc:
            raise CacheError(f"offline cache {self.path}: {exc}") from None


def _looks_like_event_id(ref: str) -> bool:
    return len(ref) == 32 and all(c in "0123456789abcdef" for c in ref.lower())
