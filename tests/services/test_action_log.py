"""The action log keeps every bulk change on disk, per id, private to the user."""

from __future__ import annotations

import stat
from pathlib import Path

from dexter_tui.services.action_log import ActionLog


def test_entries_survive_a_restart_with_per_id_outcomes(tmp_path: Path) -> None:
    path = tmp_path / "state" / "actions.jsonl"
    log = ActionLog(path)
    entry = log.record(
        "resolve", {"1": "ok", "2": "500 Internal Error"}, detail={"status": "resolved"}
    )
    assert entry.failed == {"2": "500 Internal Error"}
    assert entry.succeeded == ["1"]
    log.record("bookmark", {"3": "ok"})

    again = ActionLog(path).load()
    assert [e.verb for e in again] == ["resolve", "bookmark"]
    assert again[0].outcome == {"1": "ok", "2": "500 Internal Error"}
    assert again[0].detail == {"status": "resolved"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_line_cut_short_by_a_crash_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "actions.jsonl"
    ActionLog(path).record("ignore", {"9": "ok"})
    with path.open("a", encoding="utf-8") as f:
        f.write('{"time": "2026-11-27T00:00:00Z", "verb": "res')
    assert [e.verb for e in ActionLog(path).load()] == ["ignore"]


def test_memory_only_log_writes_nothing(tmp_path: Path) -> None:
    log = ActionLog(None)
    log.record("delete", {"5": "ok"})
    assert len(log.entries) == 1
    assert log.load() == []
    assert list(tmp_path.iterdir()) == []


def test_lines_hold_no_credentials_and_no_raw_control_characters(tmp_path: Path) -> None:
    """Reasons quote URLs and Sentry's messages: the file stays safe to `cat` (issue 18 #4, #10)."""
    path = tmp_path / "actions.jsonl"
    reason = (
        "cannot connect to https://bob:hunter2@sentry.example.com: \x1b]52;c;ZXZpbA==\x07\u202e"
    )
    ActionLog(path).record("resolve", {"1": reason}, detail={"url": "http://u:p@h/x\x9b"})
    raw = path.read_text("utf-8")
    assert "hunter2" not in raw
    assert "u:p@" not in raw
    assert "https://***@sentry.example.com" in raw
    assert not any(c in raw for c in "\x1b\x07\u202e\x9b")
    [entry] = ActionLog(path).load()
    assert entry.outcome["1"].endswith("\x1b]52;c;ZXZpbA==\x07\u202e")  # lossless, escaped on disk
