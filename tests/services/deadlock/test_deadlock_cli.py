"""`dexter deadlock parse [FILE|-] [--json]`: the contract scripts rely on."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from deadlock_samples import FIXTURES

from dexter_tui.cli import main

KEYS = {
    "is_deadlock",
    "sqlstate",
    "victim",
    "fingerprint",
    "source",
    "driver",
    "partial",
    "partial_reasons",
    "context",
    "statement",
    "tuple",
    "catalog_queries",
    "processes",
    "waits",
    "cycles",
    "relations",
    "indexes",
    "pattern",
    "recommendations",
    "severity",
}


def _json(capsys: pytest.CaptureFixture[str]) -> dict:
    out = capsys.readouterr().out
    assert out.count("\n") == 1  # exactly one JSON object, on one line
    return json.loads(out)


@pytest.mark.parametrize(
    "name", ["server_log.txt", "server_log.csv", "server_log.jsonl", "event.json", "psycopg3.txt"]
)
def test_json_has_exactly_the_contract_keys(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / "D07_tuple_lock_chain_3" / name
    assert main(["deadlock", "parse", str(path), "--json"]) == 0
    result = _json(capsys)
    assert set(result) == KEYS
    assert result["is_deadlock"] is True
    assert result["sqlstate"] == "40P01"
    assert result["cycles"] == [[24195, 24197, 24196]]
    for wait in result["waits"]:
        assert set(wait) == {"pid", "blocked_by", "mode", "locktype", "object"}
    assert {w["locktype"] for w in result["waits"]} == {"transactionid", "tuple"}
    for proc in result["processes"]:
        assert set(proc) == {"pid", "query"}
    for rec in result["recommendations"]:
        assert set(rec) == {"id", "title", "detail"}
    assert result["relations"] == ["accounts"]
    assert result["indexes"] == []


def test_not_a_deadlock_exits_one(capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / "L05_lock_timeout" / "event.json"
    assert main(["deadlock", "parse", str(path), "--json"]) == 1
    result = _json(capsys)
    assert set(result) == KEYS
    assert result["is_deadlock"] is False
    assert result["sqlstate"] is None
    assert result["pattern"] == "none"


def test_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    data = (FIXTURES / "D31_localized_de" / "psycopg2.txt").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["deadlock", "parse", "-", "--json"]) == 0
    result = _json(capsys)
    assert result["cycles"] == [[24909, 24910]]
    assert result["waits"][0]["object"] == "transaction 938"


def test_human_output(capsys: pytest.CaptureFixture[str]) -> None:
    path = FIXTURES / "D29_bystander_not_in_cycle" / "server_log.txt"
    assert main(["deadlock", "parse", str(path)]) == 0
    out = capsys.readouterr().out
    assert "pattern: row-order-inversion" in out
    assert "pid 24861 ─ShareLock on transaction 921→ pid 24860" in out
    assert "bystanders" in out
    assert "pid 24862" in out
    assert "[consistent-row-order]" in out
    assert "What happened:" in out


def test_missing_file_exits_2_without_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["deadlock", "parse", str(tmp_path / "nope.txt")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "no such file" in captured.err
    assert "Traceback" not in captured.err


def test_directory_and_undecodable_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["deadlock", "parse", str(tmp_path)]) == 2
    assert "directory" in capsys.readouterr().err
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"deadlock detected \xff\xfe\xfa")
    assert main(["deadlock", "parse", str(bad), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "not UTF-8" in captured.err


def test_subprocess_entry_point() -> None:
    path = FIXTURES / "D14_advisory_session_swap" / "event.json"
    proc = subprocess.run(
        [sys.executable, "-m", "dexter_tui.cli", "deadlock", "parse", str(path), "--json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["pattern"] == "advisory-key-order"
    assert result["waits"][0]["object"] == "advisory lock [16388,0,1001,1]"
    proc = subprocess.run(
        [sys.executable, "-m", "dexter_tui.cli", "deadlock", "parse", "/nonexistent/x"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_exit_status_tells_deadlock_none_and_unreadable(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text('ERROR:  relation "nope" does not exist\n', "utf-8")
    assert main(["deadlock", "parse", str(plain)]) == 1
    assert "No PostgreSQL deadlock" in capsys.readouterr().out
    binary = tmp_path / "bin.dat"
    binary.write_bytes(b"\x81\x82\xfa garbage")
    assert main(["deadlock", "parse", str(binary)]) == 2
    assert main(["deadlock", "parse", str(tmp_path / "missing.log")]) == 2


def test_json_names_victim_source_driver_context_tuple(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = FIXTURES / "D01_update_swap_2" / "psycopg2.txt"
    assert main(["deadlock", "parse", str(path), "--json"]) == 0
    result = _json(capsys)
    assert result["victim"] == result["cycles"][0][0]
    assert result["source"] == "client"
    assert result["driver"] == "psycopg2"
    assert result["partial"] is False
    assert result["partial_reasons"] == []
    assert result["context"].startswith("while updating tuple (0,")
    assert result["tuple"]["operation"] == "update"
    assert result["tuple"]["relation"] == "accounts"
    assert len(result["fingerprint"]) == 16
    log = FIXTURES / "D01_update_swap_2" / "server_log.txt"
    assert main(["deadlock", "parse", str(log), "--json"]) == 0
    result = _json(capsys)
    assert result["source"] == "server-log"
    assert result["statement"] == "UPDATE accounts SET balance = balance + $1 WHERE id = $2"


def test_text_output_shows_the_cycle_once_and_whole_queries(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = FIXTURES / "D22_long_multiline_queries" / "server_log.txt"
    assert main(["deadlock", "parse", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.count("─ShareLock on transaction") == 2  # one cycle line: two arrows
    assert "WHERE id = $2" in out  # the whole query, not its first line
    assert "the same query as pid" in out
    assert "conflict table" not in out
    assert "Fix:" in out


def test_partial_report_says_so_and_names_no_victim(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "cut.txt"
    path.write_text(
        "deadlock detected\nDETAIL:  Process 2 waits for ShareLock on transaction 9; "
        "blocked by process 1.\n",
        "utf-8",
    )
    assert main(["deadlock", "parse", str(path)]) == 0
    out = capsys.readouterr().out
    assert "victim: unknown" in out
    assert "PARTIAL: 1 wait line missing (pid 1 waits for ?)" in out
    assert "pid 1 ─?→" in out


def test_sentry_event_names_its_source_and_driver(capsys: pytest.CaptureFixture[str]) -> None:
    for name, driver in (("event.json", "psycopg"), ("event.psycopg2.json", "psycopg2")):
        path = FIXTURES / "D01_update_swap_2" / name
        assert main(["deadlock", "parse", str(path), "--json"]) == 0
        result = _json(capsys)
        assert result["source"] == "sentry-event"
        assert result["driver"] == driver


@pytest.mark.parametrize(
    "argv",
    [
        ["parse", "--all", "--json", "LOG"],
        ["parse", "--all", "LOG", "--json"],
        ["parse", "LOG", "--all", "--json"],
        ["parse", "--json", "--all", "LOG"],
        ["parse", "--json", "LOG", "--all"],
    ],
    ids=lambda argv: " ".join(argv[1:]),
)
def test_all_and_json_in_any_order(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    log = str(FIXTURES / "D01_update_swap_2" / "server_log.txt")
    assert main(["deadlock", *[log if a == "LOG" else a for a in argv]]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["deadlocks"] == 1
    assert result["patterns"][0]["pattern"] == "row-order-inversion"


@pytest.mark.parametrize("order", ["json-first", "file-first"])
def test_options_before_or_after_the_file(order: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(FIXTURES / "D01_update_swap_2" / "psycopg2.txt")
    argv = ["--json", path] if order == "json-first" else [path, "--json"]
    assert main(["deadlock", "parse", *argv]) == 0
    assert _json(capsys)["source"] == "client"
