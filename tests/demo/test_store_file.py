"""The demo database file holds API tokens: it is created readable by its owner only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from dexter_tui.demo.store import Store
from dexter_tui.demo.world import create_world


@pytest.fixture
def open_umask():
    old = os.umask(0o022)  # the usual default: files would be created 0644
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_new_database_and_its_wal_files_are_private(tmp_path: Path, open_umask) -> None:
    path = tmp_path / "demo.sqlite3"
    store = Store(path)
    create_world(store)  # writes tokens (and so the WAL)
    created = [p for p in tmp_path.iterdir() if p.name.startswith("demo.sqlite3")]
    assert path in created
    assert len(created) >= 2  # the database and its -wal / -shm
    for p in created:
        assert _mode(p) == 0o600, f"{p.name} is {oct(_mode(p))}"
    store.close()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_an_existing_database_keeps_its_mode(tmp_path: Path, open_umask) -> None:
    path = tmp_path / "shared.sqlite3"
    Store(path).close()
    path.chmod(0o640)  # the owner chose this; the demo does not override it
    Store(path).close()
    assert _mode(path) == 0o640


def test_memory_databases_touch_no_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Store(":memory:").close()
    assert list(tmp_path.iterdir()) == []
