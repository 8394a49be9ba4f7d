"""Deadlock parser throughput over every sample form (reports/second).

Runs, in one process and over the same inputs (each case's client text, server logs in three
formats and Sentry events):

- baseline `detect`: a single regex for the deadlock message / 40P01 — the cheapest possible pass;
- baseline `json.loads`: decoding the Sentry event files only;
- `find_reports`: locating and parsing the reports (no analysis);
- `analyze (warm)`: full analysis with message matches and pglast results memoized across
  passes (a stream where the same deadlock recurs);
- `analyze (cold)`: full analysis with every cache cleared before each pass (new reports).

Prints figures only; nothing is asserted about time.

    python benchmarks/deadlock_parse.py [--seconds 1.0]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from dexter_tui.services.deadlock import analyze, find_reports  # noqa: E402
from dexter_tui.services.deadlock.parse import clear_caches  # noqa: E402

SAMPLES = REPO / "tests" / "fixtures" / "deadlocks"
_DETECT = re.compile(r"deadlock detected|40P01")


def load_inputs() -> tuple[list[str], list[str]]:
    """(all texts, event JSON texts) from every sample case."""
    texts: list[str] = []
    events: list[str] = []
    for case in sorted(p for p in SAMPLES.iterdir() if p.is_dir()):
        for path in sorted(case.iterdir()):
            if path.name == "case.json":
                continue
            if path.suffix in (".txt", ".csv", ".jsonl", ".json"):
                text = path.read_text("utf-8")
                texts.append(text)
                if path.name.startswith("event"):
                    events.append(text)
    return texts, events


def rate(fn: Callable[[str], object], inputs: list[str], seconds: float, before=None) -> float:
    """Inputs processed per second, over whole passes for at least `seconds`."""
    done = 0
    elapsed = 0.0
    while elapsed < seconds:
        if before is not None:
            before()
        start = time.perf_counter()
        for item in inputs:
            fn(item)
        elapsed += time.perf_counter() - start
        done += len(inputs)
    return done / elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    args = parser.parse_args(argv)
    texts, events = load_inputs()
    size = sum(len(t) for t in texts)
    print(f"inputs: {len(texts)} sample files ({size / 1024:.0f} KiB), {len(events)} events")

    figures = {
        "detect (regex baseline)": rate(lambda t: _DETECT.search(t), texts, args.seconds),
        "find_reports": rate(find_reports, texts, args.seconds),
        "analyze (warm)": rate(analyze, texts, args.seconds),
        "analyze (cold)": rate(analyze, texts, args.seconds, before=clear_caches),
    }
    event_figures = {
        "json.loads (events, baseline)": rate(json.loads, events, args.seconds),
        "analyze (events, warm)": rate(analyze, events, args.seconds),
    }
    base = figures["analyze (warm)"]
    for name, value in {**figures, **event_figures}.items():
        print(f"{name:32} {value:12,.0f} reports/s   ({value / base:6.2f}x analyze warm)")
    slowdown = (
        event_figures["json.loads (events, baseline)"] / event_figures["analyze (events, warm)"]
    )
    print(f"full analysis of an event costs {slowdown:.1f}x its json.loads")
    return 0


if __name__ == "__main__":
    sys.exit(main())
