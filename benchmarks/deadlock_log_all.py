"""`dexter deadlock parse --all` over a big server log: seconds for a ~2 MB stderr log with 400
deadlocks (the real sample logs, pids and hours shifted, between ordinary LOG lines).

Prints figures only; nothing is asserted about time.

    python benchmarks/deadlock_log_all.py [--deadlocks 400] [--megabytes 2]
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from dexter_tui.services.deadlock.parse import clear_caches  # noqa: E402
from dexter_tui.services.deadlock.summary import render_summary, summarize_log  # noqa: E402

SAMPLES = REPO / "tests" / "fixtures" / "deadlocks"
CASES = [
    "D01_update_swap_2",
    "D02_update_cycle_3",
    "D07_tuple_lock_chain_3",
    "D08_lock_table_share_upgrade",
    "D10_ddl_alter_vs_select",
    "D14_advisory_session_swap",
    "D17_fk_insert_vs_parent_key_update",
    "D19_plpgsql_transfer_function",
    "D22_long_multiline_queries",
    "D29_bystander_not_in_cycle",
]
FILLER = (
    "2026-11-27 {h:02d}:{m:02d}:00.000 UTC [{pid}] app@shop LOG:  duration: 1.{pid} ms  "
    "statement: SELECT id, name, price FROM products WHERE category_id = {pid} LIMIT 50\n"
)
_PID_RE = re.compile(r"\b(2\d{4})\b")


def build_log(deadlocks: int, megabytes: float) -> str:
    """A log of `deadlocks` reports (pids made unique per copy) padded to `megabytes`."""
    blocks = [(SAMPLES / c / "server_log.txt").read_text("utf-8") for c in CASES]
    per_block = int(megabytes * 1_000_000 / deadlocks)
    out: list[str] = []
    for i in range(deadlocks):
        block = blocks[i % len(blocks)]
        hour = (i * 24) // deadlocks
        offset = 100_000 + i * 10
        block = _PID_RE.sub(lambda m, offset=offset: str(int(m.group(1)) + offset), block)
        block = re.sub(r"2026-11-27 \d\d:", f"2026-11-27 {hour:02d}:", block)
        filler = []
        size = len(block)
        n = 0
        while size < per_block:
            line = FILLER.format(h=hour, m=n % 60, pid=30_000 + n)
            filler.append(line)
            size += len(line)
            n += 1
        out.append("".join(filler) + block)
    return "".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deadlocks", type=int, default=400)
    parser.add_argument("--megabytes", type=float, default=2.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    log = build_log(args.deadlocks, args.megabytes)
    print(
        f"log: {len(log.encode()) / 1e6:.2f} MB, {log.count('ERROR:  deadlock detected')} deadlocks"
    )
    times = []
    cpu = []
    for _ in range(args.runs):
        clear_caches()
        start, start_cpu = time.perf_counter(), time.process_time()
        summary = summarize_log(log)
        render_summary(summary)
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    print(
        f"--all (cold caches): wall best {min(times):.3f} s, worst {max(times):.3f} s; "
        f"CPU best {min(cpu):.3f} s; "
        f"{summary.deadlock_count} deadlocks in {len(summary.groups)} patterns, "
        f"{len(summary.lock_waits)} other lock waits"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
