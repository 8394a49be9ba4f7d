"""`dexter deadlock parse --all`: a whole server log summarised (patterns with counts over time,
tables, normalised queries, the lock waits that were not deadlocks), in every log format."""

from __future__ import annotations

import json
import re

import pytest
from deadlock_samples import FIXTURES

from dexter_tui.cli import main
from dexter_tui.services.deadlock.summary import render_summary, summarize_log


def log(case: str, ext: str = "txt") -> str:
    return (FIXTURES / case / f"server_log.{ext}").read_text("utf-8")


def shifted(text: str, by: int, hour: int) -> str:
    """The same incident later, with other pids (as a recurring deadlock looks)."""
    text = re.sub(r"\b(2\d{4})\b", lambda m: str(int(m.group(1)) + by), text)
    return re.sub(r"2026-11-27 \d\d:", f"2026-11-27 {hour:02d}:", text)


def test_recurring_deadlocks_are_grouped_by_fingerprint_with_counts_per_hour() -> None:
    text = (
        shifted(log("D01_update_swap_2"), 1000, 9)
        + log("D08_lock_table_share_upgrade")
        + shifted(log("D01_update_swap_2"), 2000, 10)
        + shifted(log("D01_update_swap_2"), 3000, 10)
    )
    summary = summarize_log(text)
    assert summary.deadlock_count == 4
    assert [g.count for g in summary.groups] == [3, 1]
    top = summary.groups[0]
    assert top.example.advice.pattern == "row-order-inversion"
    assert top.by_hour() == [("2026-11-27 09", 1), ("2026-11-27 10", 2)]
    assert top.queries() == ["UPDATE accounts SET balance = balance + $1 WHERE id = $2"]
    out = render_summary(summary)
    assert out.startswith("4 deadlocks in 2 pattern(s)")
    assert "3× row-order-inversion" in out
    assert "tables: accounts" in out
    assert "per hour: 2026-11-27 09h 1, 2026-11-27 10h 2" in out


@pytest.mark.parametrize("ext", ["txt", "csv", "jsonl"])
def test_lock_waits_that_were_not_deadlocks(ext: str) -> None:
    summary = summarize_log(log("D29_bystander_not_in_cycle", ext))
    assert summary.deadlock_count == 1
    outcomes = {(w.pid, w.outcome) for w in summary.lock_waits}
    assert (24862, "acquired") in outcomes  # the bystander got its row after the victim died
    waited = next(w for w in summary.lock_waits if w.pid == 24862)
    assert waited.waited_ms > 0
    assert waited.mode == "ShareLock"
    assert "Lock waits that were not deadlocks" in render_summary(summary)


def test_cli_all_text_json_and_exit_codes(tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "postgresql.log"
    path.write_text(log("D02_update_cycle_3") + log("D10_ddl_alter_vs_select"), "utf-8")
    assert main(["deadlock", "parse", "--all", str(path)]) == 0
    assert "2 deadlocks in 2 pattern(s)" in capsys.readouterr().out
    assert main(["deadlock", "parse", "--all", str(path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["deadlocks"] == 2
    assert {p["pattern"] for p in result["patterns"]} == {"row-order-inversion", "ddl-vs-dml"}
    quiet = tmp_path / "quiet.log"
    quiet.write_text("2026-11-27 12:00:00.000 UTC [1] LOG:  checkpoint starting: time\n", "utf-8")
    assert main(["deadlock", "parse", "--all", str(quiet)]) == 1
