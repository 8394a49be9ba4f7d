"""Provoke deadlocks on a real PostgreSQL (the clusters `.ci/postgres.sh` starts) and collect
what the client and the server log say about them.

Each test gets a database of its own, so the suite is safe under pytest-xdist; the clusters'
logs are shared, so a test reads only what was appended after it started and picks its own
report by the victim's pid.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

try:
    import psycopg
    from psycopg import errors as pg_errors
except ImportError:  # pragma: no cover - the test extra installs it
    psycopg = None  # type: ignore[assignment]


def cluster_info() -> dict[str, Any] | None:
    path = os.environ.get("DEXTER_PG_INFO")
    if not path or not Path(path).exists() or psycopg is None:
        return None
    return json.loads(Path(path).read_text("utf-8"))


def require_clusters() -> dict[str, Any]:
    """The clusters, or a skip (a failure when DEXTER_REQUIRE_POSTGRES=1, as in CI)."""
    info = cluster_info()
    if info is None:
        why = 'no PostgreSQL cluster: run `eval "$(.ci/postgres.sh)"` (needs psycopg)'
        if os.environ.get("DEXTER_REQUIRE_POSTGRES") == "1":
            pytest.fail(why)
        pytest.skip(why)
    return info


@dataclass
class Outcome:
    """What one provoked deadlock left behind."""

    victim_pid: int
    error: Exception
    pids: dict[str, int]
    stderr_log: str
    csv_log: str
    json_log: str
    other_errors: list[Exception] = field(default_factory=list)


def _dsn(cluster: dict[str, Any], dbname: str) -> str:
    return (
        f"host={cluster['host']} port={cluster['port']} user={cluster['user']} "
        f"dbname={dbname} connect_timeout=10"
    )


@contextmanager
def scratch_database(cluster: dict[str, Any]) -> Iterator[str]:
    """A database of this test's own, dropped afterwards."""
    name = "dl_" + uuid.uuid4().hex[:12]
    with psycopg.connect(_dsn(cluster, "postgres"), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    try:
        yield name
    finally:
        with psycopg.connect(_dsn(cluster, "postgres"), autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _sizes(cluster: dict[str, Any]) -> dict[str, int]:
    base = Path(cluster["log"])
    return {
        ext: (p.stat().st_size if (p := base.with_name(base.name + ext)).exists() else 0)
        for ext in ("", ".csv", ".json")
    }


def _read_from(cluster: dict[str, Any], ext: str, offset: int) -> str:
    base = Path(cluster["log"])
    with open(base.with_name(base.name + ext), "rb") as fh:
        fh.seek(offset)
        return fh.read().decode("utf-8", errors="replace")


def _waiting(monitor: Any, pid: int, timeout: float = 10.0) -> None:
    """Until backend `pid` waits for a lock (so the next step closes the cycle)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = monitor.execute(
            "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (pid,)
        ).fetchone()
        if row and row[0] == "Lock":
            return
        time.sleep(0.01)
    raise AssertionError(f"backend {pid} never waited for a lock")


def provoke(
    cluster: dict[str, Any],
    dbname: str,
    setup: list[str],
    steps: list[tuple[str, str]],
    lang: str = "C",
) -> Outcome:
    """Run `steps` (session name, SQL) in order, each session in a transaction; a step that
    blocks is left waiting while the next runs. Exactly one session must get 40P01."""
    dsn = _dsn(cluster, dbname)
    with psycopg.connect(dsn, autocommit=True) as conn:
        for sql in setup:
            conn.execute(sql)
    sessions = sorted({name for name, _ in steps})
    # a session named `auto…` runs without a transaction block (CREATE INDEX CONCURRENTLY)
    conns = {name: psycopg.connect(dsn, autocommit=name.startswith("auto")) for name in sessions}
    monitor = psycopg.connect(dsn, autocommit=True)
    before = _sizes(cluster)
    errors: dict[str, Exception] = {}
    threads: list[threading.Thread] = []
    try:
        for conn in conns.values():
            conn.execute("SELECT set_config('lc_messages', %s, false)", (lang,))
            conn.commit()  # outside the deadlocking transaction: a rollback keeps it
        pids = {name: conn.info.backend_pid for name, conn in conns.items()}

        def run(name: str, sql: str, done: threading.Event) -> None:
            try:
                conns[name].execute(sql)
            except psycopg.Error as exc:
                errors[name] = exc
                conns[name].rollback()
            finally:
                done.set()

        busy: dict[str, threading.Thread] = {}
        for name, sql in steps:
            if name in busy:
                busy[name].join(30)
            if name in errors:
                continue
            done = threading.Event()
            thread = threading.Thread(target=run, args=(name, sql, done), daemon=True)
            thread.start()
            threads.append(thread)
            busy[name] = thread
            if not done.wait(0.05):
                # blocked, or about to be: wait until it really waits for a lock (or ends)
                try:
                    _waiting(monitor, pids[name], timeout=2.0)
                except AssertionError:
                    done.wait(10)
        # commit each survivor as soon as its last step is done: the others wait for it
        pending = set(conns)
        deadline = time.monotonic() + 30
        while pending and time.monotonic() < deadline:
            for name in sorted(pending):
                if not busy[name].is_alive():
                    if name not in errors:
                        conns[name].commit()
                    pending.discard(name)
            time.sleep(0.01)
    finally:
        for conn in conns.values():
            conn.close()
        monitor.close()
    deadlocks = {n: e for n, e in errors.items() if isinstance(e, pg_errors.DeadlockDetected)}
    assert len(deadlocks) == 1, f"expected one deadlock victim, got {errors!r}"
    victim_name, error = next(iter(deadlocks.items()))
    victim = pids[victim_name]
    logs = _wait_for_logs(cluster, before, victim)
    return Outcome(
        victim,
        error,
        pids,
        *logs,
        other_errors=[e for n, e in errors.items() if n != victim_name],
    )


def _wait_for_logs(cluster: dict[str, Any], before: dict[str, int], victim: int) -> tuple[str, ...]:
    """The three logs' new text, once each holds the victim's report (the collector is async)."""
    deadline = time.monotonic() + 10
    needle = str(victim)
    while True:
        texts = tuple(_read_from(cluster, ext, before[ext]) for ext in ("", ".csv", ".json"))
        complete = all(needle in t and "40P01" in t for t in texts[1:])
        if complete and needle in texts[0]:
            time.sleep(0.1)  # let the collector finish the trailing lines
            return tuple(_read_from(cluster, ext, before[ext]) for ext in ("", ".csv", ".json"))
        if time.monotonic() > deadline:
            return texts
        time.sleep(0.05)
