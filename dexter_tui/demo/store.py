"""SQLite storage for the demo server.

One connection guarded by a lock: the demo server is a single process and every request is short,
so serialising access keeps SQLite simple and correct (`:memory:` databases cannot be shared
between connections anyway). The schema in `schema.sql` is the contract between ingest and the
Web API.
"""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

#: Scopes of the full-access demo token (what a user token with every triage permission holds).
FULL_SCOPES = (
    "org:read org:write member:read team:read project:read project:write project:releases "
    "event:read event:write event:admin alerts:read alerts:write"
)
#: Scopes of the read-only demo token: every GET works, every mutation answers 403.
READ_SCOPES = "org:read member:read team:read project:read event:read alerts:read"


#: (table, column, definition) added to the schema after its first release.
_ADDED_COLUMNS = (("releases", "status", "TEXT NOT NULL DEFAULT 'open'"),)


@dataclass(frozen=True)
class ProjectKeys:
    """What a client needs to send events to one project."""

    project_id: int
    slug: str
    public_key: str
    secret_key: str


def dumps(value: Any) -> str:
    """Compact JSON for JSON columns."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def loads(text: str | None, default: Any = None) -> Any:
    """Parse a JSON column; NULL gives `default`."""
    if text is None:
        return default
    return json.loads(text)


#: The key under which the schema's triggers keep event data SQLite cannot read.
INVALID_JSON_KEY = "_invalid_json"
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _finite(text: str) -> float | None:
    value = float(text)
    return value if math.isfinite(value) else None


def _scrub(value: Any) -> Any:
    """Lone surrogates (unencodable as UTF-8) → U+FFFD, in every string and key."""
    if isinstance(value, str):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    return value


def loads_lenient(text: str | bytes | None, default: Any = None) -> Any:
    """Parse stored JSON that may be damaged, never raising: NaN/Infinity and out-of-range
    numbers read as null, lone surrogates as U+FFFD; unreadable text gives `default`."""
    if text is None:
        return default
    try:
        value = json.loads(text, parse_constant=lambda _: None, parse_float=_finite)
    except (ValueError, RecursionError):
        return default
    if _SURROGATE_ESCAPE.search(text if isinstance(text, str) else text.decode("latin-1")):
        value = _scrub(value)
    return value


def event_data(text: str | bytes | None) -> dict[str, Any]:
    """An event row's `data` as a dict, whatever was stored: what can be read of it, else {}."""
    value = loads_lenient(text, {})
    if isinstance(value, dict) and len(value) == 1 and isinstance(value.get(INVALID_JSON_KEY), str):
        value = loads_lenient(value[INVALID_JSON_KEY], {})
    return value if isinstance(value, dict) else {}


def _create_private(path: Path) -> None:
    """Create the database file as 0600 (it holds API tokens) unless it exists already;
    SQLite gives its -wal/-shm files the database file's mode."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)


class Store:
    """The demo server's database.

    `clock` returns epoch seconds; tests and the seed scenario may replace it to get
    deterministic times.
    """

    def __init__(self, path: str | Path = ":memory:", *, clock: Callable[[], float] = time.time):
        self.path = str(path)
        self.clock = clock
        self._lock = threading.RLock()
        if self.path != ":memory:":
            _create_private(Path(self.path))
        self.conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA foreign_keys = ON")
        if self.path != ":memory:":
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = NORMAL")
        schema = resources.files("dexter_tui.demo").joinpath("schema.sql").read_text("utf-8")
        with self._lock:
            self.conn.executescript(schema)
            self._upgrade()

    def _upgrade(self) -> None:
        """Columns added since a database file was created (`CREATE TABLE IF NOT EXISTS` keeps
        the old table)."""
        for table, column, ddl in _ADDED_COLUMNS:
            have = {r["name"] for r in self.conn.execute(f"PRAGMA table_info({table})")}
            if column not in have:
                self.conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {ddl}")
        checked = self.conn.execute(
            "SELECT 1 FROM meta WHERE key = 'events_data_checked'"
        ).fetchone()
        if checked is None:  # rows written before the wrapping triggers existed
            self.conn.execute(
                "UPDATE events SET data = data WHERE NOT json_valid(data)"
                " OR data GLOB '*\\u[dD][89a-fA-F]*'"
            )
            self.conn.execute("INSERT INTO meta (key, value) VALUES ('events_data_checked', '1')")

    # -- plumbing -------------------------------------------------------------------------------

    def now(self) -> float:
        return self.clock()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a block atomically: all its writes land, or none do."""
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            else:
                self.conn.execute("COMMIT")

    def query(self, sql: str, params: tuple | list | dict = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self.conn.execute(sql, params).fetchall()

    def query_one(self, sql: str, params: tuple | list | dict = ()) -> sqlite3.Row | None:
        with self._lock:
            return self.conn.execute(sql, params).fetchone()

    def execute(self, sql: str, params: tuple | list | dict = ()) -> sqlite3.Cursor:
        with self._lock:
            return self.conn.execute(sql, params)

    def close(self) -> None:
        with self._lock:
            self.conn.close()

    # -- bootstrap ------------------------------------------------------------------------------

    def create_user(self, email: str, name: str, username: str | None = None) -> int:
        cur = self.execute(
            "INSERT INTO users (email, name, username, date_joined) VALUES (?, ?, ?, ?)",
            (email, name, username or email, self.now()),
        )
        return int(cur.lastrowid)

    def create_org(self, slug: str, name: str) -> int:
        cur = self.execute(
            "INSERT INTO organizations (slug, name, date_created) VALUES (?, ?, ?)",
            (slug, name, self.now()),
        )
        return int(cur.lastrowid)

    def add_member(self, org_id: int, user_id: int, role: str = "member") -> int:
        cur = self.execute(
            "INSERT INTO members (org_id, user_id, role, date_created) VALUES (?, ?, ?, ?)",
            (org_id, user_id, role, self.now()),
        )
        return int(cur.lastrowid)

    def create_team(self, org_id: int, slug: str, name: str, member_ids: list[int] = ()) -> int:
        with self.transaction() as conn:
            team_id = int(
                conn.execute(
                    "INSERT INTO teams (org_id, slug, name, date_created) VALUES (?, ?, ?, ?)",
                    (org_id, slug, name, self.now()),
                ).lastrowid
            )
            conn.executemany(
                "INSERT INTO team_members (team_id, member_id) VALUES (?, ?)",
                [(team_id, m) for m in member_ids],
            )
        return team_id

    def create_project(
        self,
        org_id: int,
        slug: str,
        name: str,
        platform: str = "python",
        team_ids: list[int] = (),
        *,
        public_key: str | None = None,
    ) -> ProjectKeys:
        public_key = public_key or secrets.token_hex(16)
        secret_key = secrets.token_hex(16)
        with self.transaction() as conn:
            project_id = int(
                conn.execute(
                    "INSERT INTO projects (org_id, slug, name, platform, date_created, public_key,"
                    " secret_key) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (org_id, slug, name, platform, self.now(), public_key, secret_key),
                ).lastrowid
            )
            conn.executemany(
                "INSERT INTO project_teams (project_id, team_id) VALUES (?, ?)",
                [(project_id, t) for t in team_ids],
            )
        return ProjectKeys(project_id, slug, public_key, secret_key)

    def create_token(
        self, user_id: int, scopes: str, *, org_id: int | None = None, token: str | None = None
    ) -> str:
        token = token or secrets.token_hex(32)
        self.execute(
            "INSERT INTO tokens (token, user_id, org_id, scopes) VALUES (?, ?, ?, ?)",
            (token, user_id, org_id, scopes),
        )
        return token

    def project_keys(self) -> list[ProjectKeys]:
        rows = self.query("SELECT id, slug, public_key, secret_key FROM projects ORDER BY id")
        return [ProjectKeys(r["id"], r["slug"], r["public_key"], r["secret_key"]) for r in rows]

    def get_meta(self, key: str) -> str | None:
        row = self.query_one("SELECT value FROM meta WHERE key = ?", (key,))
        return None if row is None else str(row["value"])

    def set_meta(self, key: str, value: str) -> None:
        self.execute(
            "INSERT INTO meta (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )
