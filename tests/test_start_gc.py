"""The collector is held off while the TUI builds itself, and is on again before the app runs
(a start that left it off would let reference cycles pile up for the whole session)."""

from __future__ import annotations

import gc
import os
import subprocess
import sys

import pytest

from dexter_tui.start_gc import collector_paused


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    gc.unfreeze()
    if not was:
        gc.disable()


@pytest.mark.usefixtures("collector_on")
def test_off_inside_then_on_with_what_was_built_frozen() -> None:
    frozen = gc.get_freeze_count()
    with collector_paused():
        assert not gc.isenabled()
        built = [[] for _ in range(100)]  # tracked objects made while paused
    assert gc.isenabled()
    assert gc.get_freeze_count() >= frozen + len(built)


@pytest.mark.usefixtures("collector_on")
def test_on_again_when_the_start_fails() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("bad settings")
    assert gc.isenabled()


def test_a_collector_turned_off_by_the_caller_stays_off() -> None:
    was = gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        if was:
            gc.enable()


_RUN = """
import gc
from dexter_tui.commands import crash
seen = {}
def run_app(app, argv=None):
    seen["enabled"] = gc.isenabled()
    seen["frozen"] = gc.get_freeze_count()
    return 0
crash.run_app = run_app
from dexter_tui.cli import main
assert main(["--url", "http://127.0.0.1:9", "--token", "t", "--org", "acme"]) == 0
print(seen["enabled"], seen["frozen"] > 10000)
"""


def test_the_app_runs_with_the_collector_on(tmp_path) -> None:
    env = {
        "HOME": str(tmp_path),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "PATH": "/usr/bin:/bin",
        **{k: v for k, v in os.environ.items() if k == "PYTHONPATH"},
    }
    done = subprocess.run(
        [sys.executable, "-c", _RUN], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["True", "True"]  # on, and the start's objects frozen


def test_main_turns_the_collector_back_on_for_other_commands_and_failures() -> None:
    """`dexter --version` / a usage error exit from argparse, `dexter config path` runs with it
    on: none of them may leave a caller's collector off (tests call `main` in-process)."""
    from dexter_tui.cli import main

    assert gc.isenabled()
    with pytest.raises(SystemExit):
        main(["--version"])
    assert gc.isenabled()
    with pytest.raises(SystemExit):
        main(["no-such-command"])
    assert gc.isenabled()
