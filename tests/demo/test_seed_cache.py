"""`dexter demo`'s seed cache: a warm start copies the cached data and re-dates it to now; another
seed version (code, data, package or sentry-sdk changed) seeds again with the real SDK."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

import httpx

from dexter_tui.commands.demo import ProgressLine
from dexter_tui.demo.seed_cache import (
    DEMO_DIR,
    SEEDED_AT,
    cache_path,
    load_or_seed,
    seed_version,
)
from dexter_tui.demo.server import ServerOptions, create_app
from tests.conftest import SEED_NOW

DAY = 86400.0


def _cache_from(seeded_db: Path, data_dir: Path, version: str) -> Path:
    """The session's seeded database (real sentry-sdk, seeded at SEED_NOW) as a cached seed."""
    path = cache_path(data_dir, version)
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(seeded_db, path)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (SEEDED_AT, repr(SEED_NOW)))
    conn.close()
    return path


def _scalar(db: Path | sqlite3.Connection, sql: str) -> object:
    conn = sqlite3.connect(db) if isinstance(db, Path) else db
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        if isinstance(db, Path):
            conn.close()


async def test_a_warm_start_reuses_the_cache_and_redates_it(seeded_db, tmp_path) -> None:
    path = _cache_from(seeded_db, tmp_path, "v1")
    before_last_seen = _scalar(path, "SELECT max(last_seen) FROM groups")
    event_id, before_data = (
        sqlite3.connect(path)
        .execute(
            "SELECT event_id, data FROM events WHERE data LIKE '%breadcrumbs%' ORDER BY id LIMIT 1"
        )
        .fetchone()
    )
    size_before = path.stat().st_size

    now = SEED_NOW + 3 * DAY
    result = load_or_seed(tmp_path, version="v1", now=now)
    assert result.cached
    store = result.store
    assert result.events == _scalar(path, "SELECT COUNT(*) FROM events")
    # every time moved by the same three days: columns and the times inside the event JSON
    assert store.query_one("SELECT max(last_seen) FROM groups")[0] == before_last_seen + 3 * DAY
    row = store.query_one("SELECT data FROM events WHERE event_id = ?", (event_id,))
    after = json.loads(row[0])
    before = json.loads(before_data)
    assert after["timestamp"] == before["timestamp"] + 3 * DAY
    crumbs_before = [c["timestamp"] for c in before["breadcrumbs"]["values"]]
    crumbs_after = [c["timestamp"] for c in after["breadcrumbs"]["values"]]
    assert crumbs_after == [t + 3 * DAY for t in crumbs_before]
    assert store.get_meta(SEEDED_AT) == repr(now)
    # the cache itself is not served (a session's triage is not kept) and stays as it was
    assert _scalar(path, "SELECT max(last_seen) FROM groups") == before_last_seen
    assert path.stat().st_size == size_before

    # what a client reads: the newest issue was last seen minutes before this start
    store.clock = lambda: now
    app = create_app(store, ServerOptions())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://demo.test",
        headers={"Authorization": f"Bearer {result.world.token}"},
    ) as client:
        response = await client.get(
            f"/api/0/organizations/{result.world.org_slug}/issues/", params={"sort": "date"}
        )
    assert response.status_code == 200
    last_seen = datetime.fromisoformat(response.json()[0]["lastSeen"].replace("Z", "+00:00"))
    assert 0 <= now - last_seen.timestamp() < DAY
    store.close()


def test_another_seed_version_seeds_again_with_the_sdk_and_replaces_the_cache(
    seeded_db, tmp_path
) -> None:
    old = _cache_from(seeded_db, tmp_path, "v1")
    said: list[str] = []
    result = load_or_seed(tmp_path, version="v2", now=SEED_NOW, progress=said.append)
    assert not result.cached
    assert any("real sentry-sdk" in line for line in said)  # the progress line's phases
    assert any(line.endswith("%") for line in said)
    names = {
        r[0]
        for r in result.store.query("SELECT DISTINCT json_extract(data, '$.sdk.name') FROM events")
    }
    assert names == {"sentry.python"}
    result.store.close()
    assert not old.exists()  # the older version is gone
    assert cache_path(tmp_path, "v2").is_file()
    again = load_or_seed(tmp_path, version="v2", now=SEED_NOW + DAY)
    assert again.cached
    assert again.events == result.events
    again.store.close()


def test_the_seed_version_follows_the_seed_inputs(tmp_path) -> None:
    demo = tmp_path / "demo"
    shutil.copytree(DEMO_DIR, demo, ignore=shutil.ignore_patterns("__pycache__"))
    first = seed_version(0, demo)
    assert seed_version(0, demo) == first  # stable
    assert seed_version(1, demo) != first  # another random seed
    (demo / "seed.py").write_text((demo / "seed.py").read_text() + "\n# changed\n")
    assert seed_version(0, demo) != first  # the seed's code changed


def test_an_unreadable_cache_is_seeded_over(tmp_path) -> None:
    """A cut-off file (disk full, killed mid-write) is not trusted: the next start seeds."""
    path = cache_path(tmp_path, "v1")
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    from dexter_tui.demo.seed_cache import _load

    assert _load(path) is None


def test_the_progress_line_without_a_terminal_prints_one_line_per_step(tmp_path) -> None:
    out = tmp_path / "out.txt"
    with out.open("w") as stream:
        line = ProgressLine(stream)
        line("capturing 10 events with the real sentry-sdk")
        line("storing events 50 %")
        line.done()
    lines = out.read_text().splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("  capturing 10 events with the real sentry-sdk… ")
    assert lines[1].startswith("  storing events 50 %… ")


def _tables(store) -> dict[str, list[tuple]]:
    names = [r[0] for r in store.query("SELECT name FROM sqlite_master WHERE type='table'")]
    return {n: [tuple(r) for r in store.query(f"SELECT * FROM {n} ORDER BY rowid")] for n in names}


def _copy(seeded_db: Path):
    from dexter_tui.demo.store import Store

    store = Store(":memory:")
    source = sqlite3.connect(seeded_db)
    source.backup(store.conn)
    source.close()
    store.set_meta(SEEDED_AT, repr(SEED_NOW))
    return store


def test_a_saved_cache_redates_at_its_recorded_places_exactly_as_a_scan_does(
    seeded_db, tmp_path
) -> None:
    """A cache written by a first seed records where the times are in the JSON, so a warm start
    rewrites only those places (no regex over every event); the result is the scan's, byte for
    byte, and the bookkeeping is gone from what is served."""
    from dexter_tui.demo.seed_cache import SPANS_TABLE, _load, _save, redate

    scanned = _copy(seeded_db)
    path = cache_path(tmp_path, "v1")
    _save(scanned, path)
    assert _scalar(path, f"SELECT COUNT(*) FROM {SPANS_TABLE} WHERE tbl = 'events'") > 0
    recorded = _load(path)
    assert recorded is not None
    triggers = recorded.query("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")

    redate(scanned, 3 * DAY + 0.25)
    redate(recorded, 3 * DAY + 0.25)
    assert _tables(recorded) == _tables(scanned)
    assert SPANS_TABLE not in _tables(recorded)
    after = recorded.query("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
    assert sorted(map(tuple, after)) == sorted(map(tuple, triggers))
    # the triggers set aside during the rewrite work again: unreadable JSON is still wrapped
    event_id = recorded.query_one("SELECT id FROM events LIMIT 1")[0]
    recorded.execute("UPDATE events SET data = '{not json' WHERE id = ?", (event_id,))
    wrapped = json.loads(recorded.query_one("SELECT data FROM events WHERE id = ?", (event_id,))[0])
    assert wrapped == {"_invalid_json": "{not json"}
    scanned.close()
    recorded.close()
