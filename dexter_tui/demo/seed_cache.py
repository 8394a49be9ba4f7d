"""`dexter demo`'s seeded database, kept between runs and re-dated on start.

Why: seeding runs the real sentry-sdk over every fault of the sample services (~5 s, more on a
busy machine), and it gave the same data every time. The first run seeds as before and saves the
database in the user data dir under the *seed version*: a hash of the package version, the
sentry-sdk version, the random seed and every file of `dexter_tui/demo/` (code, schema and data),
so any change to what the seed would produce makes a new one. Later runs copy it into memory and
shift every time in it (columns and the times inside event JSON) so that its "now" is this start:
the list reads "last seen 2 minutes ago" as on the first day. The cache file itself is never
served, so triage done in a demo session is gone at exit, as before.
"""

from __future__ import annotations

import contextlib
import hashlib
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
) -> SeedResult:
    """An in-memory store holding the demo data with its "now" at `now`: copied from the cache
    when it holds this seed version, else seeded (and cached for the next run)."""
    started = time.perf_counter()
    now = time.time() if now is None else now
    version = version or seed_version(random_seed)
    path = cache_path(data_dir, version)
    store = _load(path)
    if store is not None:
        seeded_at = float(store.get_meta(SEEDED_AT) or now)
        redate(store, now - seeded_at)
        store.set_meta(SEEDED_AT, repr(now))
        cached = True
        world = load_world(store)
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
    finally:
        target.close()
    os.replace(partial, path)
    for old in path.parent.glob(f"{CACHE_PREFIX}*.sqlite3"):
        if old != path:
            with contextlib.suppress(OSError):
                old.unlink()


def redate(store: Store, delta: float) -> None:
    """Shift every time in the store by `delta` seconds: every REAL column (the schema keeps
    times, and only times, as REAL epoch seconds) and the times inside the JSON columns."""
    if not delta:
        return
    with store.transaction() as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            columns = [
                r[1]
                for r in conn.execute(f"PRAGMA table_info({table})")
                if str(r[2]).upper() == "REAL"
            ]
            if columns:
                sets = ", ".join(f"{c} = {c} + :d" for c in columns)
                conn.execute(f"UPDATE {table} SET {sets}", {"d": delta})
        for table, column in JSON_COLUMNS:
            if table not in tables:
                continue
            rows = conn.execute(f"SELECT rowid, {column} FROM {table}").fetchall()
            changed = []
            for rowid, text in rows:
                shifted = _shift_json_text(text, delta)
                if shifted is not None:
                    changed.append((shifted, rowid))
            conn.executemany(f"UPDATE {table} SET {column} = ? WHERE rowid = ?", changed)


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
