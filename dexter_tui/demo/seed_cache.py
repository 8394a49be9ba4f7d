"""`dexter demo`'s seeded database, kept between runs and re-dated on start.

Why: seeding runs the real sentry-sdk over every fault of the sample services (~5 s, more on a
busy machine), and it gave the same data every time. The first run seeds as before and saves the
database in the user data dir under the *seed version*: a hash of the package version, the
sentry-sdk version, the random seed and every file of `dexter_tui/demo/` (code, schema and data),
so any change to what the seed would produce makes a new one. Later runs copy it into memory and
shift every time in it (columns and the times inside event JSON) so that its "now" is this start:
the list reads "last seen 2 minutes ago" as on the first day. Finding the times inside ~30 MB of
event JSON is a regex scan (~0.4 s), so the cache file also records where they are (a table
dropped on load): a warm start rewrites only those places. The cache file itself is never
served, so triage done in a demo session is gone at exit, as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dexter_tui.demo.store import INVALID_JSON_KEY, Store
from dexter_tui.demo.world import World, create_world, load_world

DEMO_DIR = Path(__file__).resolve().parent
#: meta key: the "now" the cached data was seeded at
SEEDED_AT = "seeded_at"
CACHE_PREFIX = "demo-seed-"
#: table of the cache file (dropped on load): where the times are inside the JSON columns
SPANS_TABLE = "redate_spans"
#: JSON keys whose numbers are epoch seconds (events' data, status details, activity data)
TIME_KEYS = frozenset({"timestamp", "start_timestamp", "received", "_ignoredAt"})
#: (table, JSON column) re-dated with the columns
JSON_COLUMNS = (
    ("events", "data"),
    ("groups", "status_details"),
    ("activities", "data"),
    ("rules", "data"),
)

Progress = Callable[[str], None]


@dataclass
class SeedResult:
    """What `load_or_seed` did."""

    store: Store
    world: World
    cached: bool  # True: copied from the cache and re-dated; False: seeded now
    path: Path
    issues: int
    events: int
    seconds: float


def seed_version(random_seed: int = 0, demo_dir: Path = DEMO_DIR) -> str:
    """A short hash of everything the seeded data depends on."""
    from importlib.metadata import PackageNotFoundError, version

    from dexter_tui import __version__

    try:
        sdk = version("sentry-sdk")
    except PackageNotFoundError:
        sdk = "none"
    digest = hashlib.sha256()
    digest.update(f"{__version__}\0{sdk}\0{random_seed}\0".encode())
    for path in sorted(demo_dir.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(str(path.relative_to(demo_dir)).encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_path(data_dir: Path, version: str) -> Path:
    return data_dir / f"{CACHE_PREFIX}{version}.sqlite3"


def load_or_seed(
    data_dir: Path,
    *,
    random_seed: int = 0,
    now: float | None = None,
    progress: Progress | None = None,
    version: str | None = None,
    on_loaded: Callable[[Store, World], None] | None = None,
) -> SeedResult:
    """An in-memory store holding the demo data with its "now" at `now`: copied from the cache
    when it holds this seed version, else seeded (and cached for the next run). `on_loaded`
    hears of a cached copy before it is re-dated (a server may announce itself meanwhile)."""
    started = time.perf_counter()
    now = time.time() if now is None else now
    version = version or seed_version(random_seed)
    path = cache_path(data_dir, version)
    store = _load(path)
    if store is not None:
        world = load_world(store)
        if on_loaded is not None:
            on_loaded(store, world)
        seeded_at = float(store.get_meta(SEEDED_AT) or now)
        redate(store, now - seeded_at)
        store.set_meta(SEEDED_AT, repr(now))
        cached = True
    else:
        from dexter_tui.demo.seed import seed

        store = Store(":memory:")
        world = create_world(store)
        seed(store, world, now=now, random_seed=random_seed, progress=progress)
        store.set_meta(SEEDED_AT, repr(now))
        with contextlib.suppress(OSError, sqlite3.Error):  # no cache: the next run seeds again
            _save(store, path)
        cached = False
    issues = int(store.query_one("SELECT COUNT(*) FROM groups")[0])
    events = int(store.query_one("SELECT COUNT(*) FROM events")[0])
    return SeedResult(store, world, cached, path, issues, events, time.perf_counter() - started)


def _load(path: Path) -> Store | None:
    """The cached database copied into memory, or None (missing or unreadable)."""
    if not path.is_file():
        return None
    store = Store(":memory:")
    try:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(store.conn)
        finally:
            source.close()
        if store.get_meta(SEEDED_AT) is None:
            raise sqlite3.DatabaseError("not a finished seed")
    except sqlite3.Error:
        store.close()
        return None
    return store


def _save(store: Store, path: Path) -> None:
    """Write the seeded store to `path` atomically; older seed versions are removed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".{os.getpid()}.partial")
    target = sqlite3.connect(partial)
    try:
        store.conn.backup(target)
        _write_spans(target)
    finally:
        target.close()
    os.replace(partial, path)
    for old in path.parent.glob(f"{CACHE_PREFIX}*.sqlite3"):
        if old != path:
            with contextlib.suppress(OSError):
                old.unlink()


def _write_spans(conn: sqlite3.Connection) -> None:
    """Record, in the cache file only, where the times are inside each JSON column: finding
    them is a regex scan of every event (~0.4 s for the sample data); a warm start then only
    rewrites those places."""
    conn.execute(
        f"CREATE TABLE {SPANS_TABLE} (tbl TEXT NOT NULL, rid INTEGER NOT NULL, spans TEXT NOT NULL)"
    )
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    for table, column in JSON_COLUMNS:
        if table not in tables:
            continue
        found = []
        for rowid, text in conn.execute(f"SELECT rowid, {column} FROM {table}").fetchall():
            spans = _time_spans(text)
            if spans:
                found.append((table, rowid, json.dumps(spans)))
        conn.executemany(f"INSERT INTO {SPANS_TABLE} VALUES (?, ?, ?)", found)
    conn.commit()


def _real_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [
        r[1] for r in conn.execute(f"PRAGMA table_info({table})") if str(r[2]).upper() == "REAL"
    ]


def redate(store: Store, delta: float) -> None:
    """Shift every time in the store by `delta` seconds: every REAL column (the schema keeps
    times, and only times, as REAL epoch seconds) and the times inside the JSON columns (at the
    places the cache file recorded, else found by a regex scan). One UPDATE per table, and one
    write per row of a JSON table: its columns and its JSON together."""
    with store.transaction() as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        recorded = SPANS_TABLE in tables
        if not delta:
            if recorded:
                conn.execute(f"DROP TABLE {SPANS_TABLE}")
            return
        json_columns = {t: c for t, c in JSON_COLUMNS if t in tables}
        for table in tables:
            if table == SPANS_TABLE:
                continue
            columns = _real_columns(conn, table)
            if table in json_columns:
                _redate_json_table(conn, table, json_columns[table], columns, delta, recorded)
            elif columns:
                sets = ", ".join(f"{c} = {c} + :d" for c in columns)
                conn.execute(f"UPDATE {table} SET {sets}", {"d": delta})
        if recorded:
            conn.execute(f"DROP TABLE {SPANS_TABLE}")


def _redate_json_table(
    conn: sqlite3.Connection,
    table: str,
    column: str,
    reals: list[str],
    delta: float,
    recorded: bool,
) -> None:
    shift_reals = ", ".join(f"{c} = {c} + :d" for c in reals)
    if not recorded:  # the regex scan: columns first, then the JSON
        if reals:
            conn.execute(f"UPDATE {table} SET {shift_reals}", {"d": delta})
        rows = conn.execute(f"SELECT rowid, {column} FROM {table}").fetchall()
        found = [(_shift_json_text(text, delta), rid) for rid, text in rows]
        conn.executemany(
            f"UPDATE {table} SET {column} = ? WHERE rowid = ?",
            [(text, rid) for text, rid in found if text is not None],
        )
        return
    rows = conn.execute(
        f"SELECT t.rowid, t.{column}, s.spans FROM {SPANS_TABLE} s"
        f" JOIN {table} t ON t.rowid = s.rid WHERE s.tbl = :t",
        {"t": table},
    ).fetchall()
    if reals:  # rows without a time in their JSON: their columns only
        conn.execute(
            f"UPDATE {table} SET {shift_reals}"
            f" WHERE rowid NOT IN (SELECT rid FROM {SPANS_TABLE} WHERE tbl = :t)",
            {"d": delta, "t": table},
        )
    # The rewritten JSON is as valid as it was (numbers replaced by numbers, wrapped invalid
    # text has no spans): the triggers that check every written text (json_valid + GLOB over
    # ~30 MB) are set aside for this write and put back, inside the same transaction.
    triggers = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?"
        " AND sql LIKE '%UPDATE OF%'",
        (table,),
    ).fetchall()
    for name, _ in triggers:
        conn.execute(f'DROP TRIGGER "{name}"')
    conn.executemany(
        f"UPDATE {table} SET {column} = :text{', ' + shift_reals if reals else ''}"
        " WHERE rowid = :rid",
        [
            {"text": _shift_spans(text, json.loads(spans), delta), "rid": rid, "d": delta}
            for rid, text, spans in rows
        ],
    )
    for _, sql in triggers:
        conn.execute(sql)


def _time_spans(text: str | None) -> list[list[int]]:
    """[start, end] of each time (a number, or an ISO string's inside) in a JSON text."""
    if not text or text in ("{}", "[]") or text.startswith('{"' + INVALID_JSON_KEY):
        return []
    return [list(m.span("num" if m["key"] else "iso")) for m in _JSON_TIME.finditer(text)]


def _shift_spans(text: str, spans: list[list[int]], delta: float) -> str:
    """`text` with the times at `spans` (from `_time_spans`) shifted by `delta`."""
    parts: list[str] = []
    pos = 0
    for start, end in spans:
        piece = text[start:end]
        parts.append(text[pos:start])
        if "T" in piece:
            parts.append(_shift_iso(piece, delta) or piece)
        else:
            parts.append(repr(float(piece) + delta))
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


#: a time in compact JSON: `"timestamp":1795000000.5` (a key of TIME_KEYS and its number) or a
#: quoted ISO-8601 UTC string. Inside a JSON string quotes are escaped, so text a client sent
#: (a message quoting JSON) never matches.
_JSON_TIME = re.compile(
    r'"(?P<key>' + "|".join(sorted(TIME_KEYS)) + r')":\s*(?P<num>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)'
    r'|"(?P<iso>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|\+00:00))"'
)


def _shift_json_text(text: str | None, delta: float) -> str | None:
    """The JSON text with its times shifted, or None when it holds none. A regex over the
    compact JSON the store writes, not a parse: thousands of events are re-dated per start."""
    if not text or text in ("{}", "[]") or text.startswith('{"' + INVALID_JSON_KEY):
        return None

    def shifted(match: re.Match[str]) -> str:
        if match["key"]:
            value = float(match["num"]) + delta
            return f'"{match["key"]}":{value!r}'
        return f'"{_shift_iso(match["iso"], delta) or match["iso"]}"'

    out, count = _JSON_TIME.subn(shifted, text)
    return out if count else None


def _shift_iso(text: str, delta: float) -> str | None:
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    moved = datetime.fromtimestamp(when.timestamp() + delta, UTC)
    if text.endswith("+00:00"):
        return moved.isoformat()
    frac = "." in text
    return moved.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if frac else "%Y-%m-%dT%H:%M:%SZ")


def clear_cache(data_dir: Path) -> None:
    """Remove every cached seed (`dexter demo --fresh`)."""
    for old in data_dir.glob(f"{CACHE_PREFIX}*.sqlite3"):
        with contextlib.suppress(OSError):
            old.unlink()
