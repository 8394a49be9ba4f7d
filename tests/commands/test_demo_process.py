"""`dexter demo`'s server process: announced at once from a cached seed, serving re-dated data
over real HTTP, and gone when `dexter demo` lets go of it."""

from __future__ import annotations

import shutil
import sqlite3
import time
from datetime import datetime
from pathlib import Path

import httpx

from dexter_tui.commands.demo_process import DemoProcess
from dexter_tui.demo.seed_cache import SEEDED_AT, cache_path, seed_version
from tests.conftest import SEED_NOW


def _cached_seed(seeded_db: Path, data_dir: Path) -> None:
    path = cache_path(data_dir, seed_version())
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(seeded_db, path)
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (SEEDED_AT, repr(SEED_NOW)))
    conn.close()


def test_the_demo_server_process_serves_the_cached_seed_re_dated_and_stops_with_its_pipe(
    seeded_db, tmp_path
) -> None:
    _cached_seed(seeded_db, tmp_path)
    server = DemoProcess(tmp_path, ["--latency-ms", "0"])
    try:
        info = server.wait_ready()
        assert info.cached
        assert info.url.startswith("http://127.0.0.1:")
        assert info.issues > 10
        assert info.events > info.issues
        response = httpx.get(
            f"{info.url}/api/0/organizations/{info.org}/issues/",
            params={"sort": "date"},
            headers={"Authorization": f"Bearer {info.token}"},
            timeout=60,
        )
        assert response.status_code == 200
        newest = response.json()[0]["lastSeen"]
        last_seen = datetime.fromisoformat(newest.replace("Z", "+00:00")).timestamp()
        assert 0 <= time.time() - last_seen < 86400  # seeded days ago, re-dated to this start
    finally:
        server.stop()
    assert server.proc.returncode == 0
