"""Benchmark: `FastTable` against Textual's `DataTable` on the same issue-like rows, in the same
run.

Why: issue 4 asks the issue list to first-paint ≥ 30× faster than `DataTable` at 10k rows and under
50 ms at 100k, with keystrokes costing the same at any size. This prints the figures and ratios; it
asserts nothing (wall times depend on the machine).

Measured, headless (`App.run_test`, 120×36), per widget and row count:

- first paint: from mounting the table and handing it the rows (`DataTable.add_rows` / `set_rows`)
  to the first frame that draws the table's last screen line (a `render_line` hook). Rows are
  prepared before the clock starts, in each widget's input form, from the same `Text` cells.
- keystroke→frame: ``down`` pressed through the pilot, until the table re-renders a line; median
  and p95.
- memory: tracemalloc peak during mount + first paint (a separate run: tracing slows everything).

    python benchmarks/table_bench.py                 # 1k, 10k, 100k; DataTable skipped at 100k
    python benchmarks/table_bench.py --datatable-100k  # include it (slow: tens of seconds)
    python benchmarks/table_bench.py --sizes 1000 --repeat 1 --keys 20
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import textual
from rich.text import Text
from textual.app import App, ComposeResult
from textual.containers import Container
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import DataTable, Static

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dexter_tui.tui.safe_text import safe_text
from dexter_tui.tui.widgets.fast_table import Column, FastTable, Row
from dexter_tui.tui.widgets.sparkline import sparkline

SIZE = (120, 36)
FLOOR = "floor"
COLUMNS = [
    Column("level", "LVL", width=3),
    Column("short_id", "SHORT-ID", width=12),
    Column("title", "TITLE", min_width=20, ratio=3),
    Column("culprit", "CULPRIT", min_width=12, ratio=1, hide_below=110),
    Column("events", "EVENTS", width=6, align="right"),
    Column("users", "USERS", width=5, align="right"),
    Column("trend", "TREND", width=8),
    Column("last_seen", "LAST SEEN", width=9, align="right"),
]
LEVELS = [Text("FTL", "bold"), Text("ERR", "bold"), Text("WRN"), Text("INF")]
EXCEPTIONS = ["OperationalError", "TimeoutError", "KeyError", "ValueError", "DeadlockDetected"]


def issue_cells(count: int, seed: int = 4) -> list[tuple[str, tuple[Text, ...]]]:
    """Deterministic issue-like rows: (key, cells in `COLUMNS` order)."""
    rng = random.Random(seed)
    rows = []
    for index in range(count):
        exc = rng.choice(EXCEPTIONS)
        title = f"{exc}: [{index}] could not process order {rng.randrange(10**6)} (attempt 3)"
        culprit = f"app.services.{rng.choice(['orders', 'billing', 'mail'])}.handle"
        stats = [rng.randrange(50) for _ in range(24)]
        rows.append(
            (
                str(100000 + index),
                (
                    LEVELS[index % 4],
                    Text(f"API-{index:X}"),
                    safe_text(title),
                    safe_text(culprit),
                    Text(str(rng.randrange(10**5))),
                    Text(str(rng.randrange(10**3))),
                    sparkline(stats, 8),
                    Text(f"{rng.randrange(60)}m ago"),
                ),
            )
        )
    return rows


@dataclass
class Probe:
    """Tells when a finished frame (a compositor refresh) included lines drawn by the table."""

    last_line: int = SIZE[1] - 1
    armed: bool = False
    drew_last_line: bool = False
    drew_any_line: bool = False
    painted: asyncio.Event = field(default_factory=asyncio.Event)
    painted_at: float = 0.0
    painted_cpu: float = 0.0
    frame: asyncio.Event = field(default_factory=asyncio.Event)
    frame_at: float = 0.0

    def seen(self, y: int) -> None:
        if self.armed:
            self.drew_any_line = True
            self.drew_last_line = self.drew_last_line or y >= self.last_line - 2

    def frame_done(self) -> None:
        now = time.perf_counter()
        if self.drew_last_line and not self.painted.is_set():
            self.painted_at = now
            self.painted_cpu = time.process_time()
            self.painted.set()
        if self.drew_any_line and not self.frame.is_set():
            self.frame_at = now
            self.frame.set()

    def next_frame(self) -> None:
        self.drew_any_line = False
        self.frame.clear()

    def watch(self, app: App) -> None:
        screen = app.screen
        refresh = screen._compositor_refresh

        def compositor_refresh() -> None:
            refresh()
            self.frame_done()

        screen._compositor_refresh = compositor_refresh  # type: ignore[method-assign]


class ProbedDataTable(DataTable):
    probe: Probe

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        self.probe.seen(y)
        return strip


class ProbedFastTable(FastTable):
    probe: Probe

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        self.probe.seen(y)
        return strip


class ProbedStatic(Static):
    probe: Probe

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        self.probe.seen(y)
        return strip


class BenchApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Container(id="host")


def make_table(kind: str, probe: Probe) -> Widget:
    table: ProbedDataTable | ProbedFastTable | ProbedStatic
    if kind == "DataTable":
        table = ProbedDataTable(cursor_type="row")
    elif kind == "FastTable":
        table = ProbedFastTable(COLUMNS)
    else:
        table = ProbedStatic("floor: a one-line Static, no rows")
    table.probe = probe
    table.styles.height = "1fr"
    return table


async def load(kind: str, table: Widget, rows: object) -> None:
    if isinstance(table, DataTable):
        for column in COLUMNS:
            table.add_column(column.label, width=column.width or column.min_width, key=column.key)
        table.add_rows(rows)  # type: ignore[arg-type]
    elif isinstance(table, FastTable):
        table.set_rows(rows)  # type: ignore[arg-type]
    table.focus()


def prepared(kind: str, data: list[tuple[str, tuple[Text, ...]]]) -> object:
    """Each widget's native input, built before any clock starts."""
    if kind == "DataTable":
        return [cells for _, cells in data]
    if kind == FLOOR:
        return None
    keys = [column.key for column in COLUMNS]
    return [Row(key, dict(zip(keys, cells, strict=True))) for key, cells in data]


@dataclass
class Result:
    kind: str
    rows: int
    first_paint: list[float] = field(default_factory=list)
    first_paint_cpu: list[float] = field(default_factory=list)
    keys: list[float] = field(default_factory=list)
    peak_mib: float | None = None
    skipped: str = ""


async def measure(result: Result, rows: object, key_presses: int, *, trace: bool) -> None:
    """One headless app run: first paint (wall and process CPU), key latencies or memory peak."""
    app = BenchApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        probe = Probe()
        probe.watch(app)
        table = make_table(result.kind, probe)
        gc.collect()
        if trace:
            tracemalloc.start()
        start, start_cpu = time.perf_counter(), time.process_time()
        await app.query_one("#host").mount(table)
        await load(result.kind, table, rows)
        probe.armed = True  # frames drawn before the rows were handed over do not count
        await asyncio.wait_for(probe.painted.wait(), timeout=600)
        if trace:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            result.peak_mib = peak / 2**20
            return
        result.first_paint.append(probe.painted_at - start)
        result.first_paint_cpu.append(probe.painted_cpu - start_cpu)
        for _ in range(key_presses):
            probe.next_frame()
            pressed = time.perf_counter()
            await pilot.press("down")
            app.screen._on_timer_update()
            await asyncio.wait_for(probe.frame.wait(), timeout=60)
            result.keys.append(probe.frame_at - pressed)


async def run_kind(result: Result, rows: object, runs: int, key_presses: int) -> None:
    for _ in range(runs):
        await measure(result, rows, key_presses, trace=False)
        label = f"{result.rows:,} rows" if result.kind != FLOOR else "no rows"
        print(
            f"  {result.kind:9} {label:>12}: first paint {result.first_paint[-1] * 1000:8.1f} ms"
            f" (CPU {result.first_paint_cpu[-1] * 1000:.1f} ms)",
            flush=True,
        )
    await measure(result, rows, 0, trace=True)


async def bench(sizes: Sequence[int], repeat: int, key_presses: int, dt_100k: bool) -> list[Result]:
    floor = Result(FLOOR, 0)
    await run_kind(floor, None, repeat, 0)
    results = [floor]
    for size in sizes:
        data = issue_cells(size)
        for kind in ("DataTable", "FastTable"):
            result = Result(kind, size)
            results.append(result)
            if kind == "DataTable" and size >= 100_000 and not dt_100k:
                result.skipped = "skipped (slow; --datatable-100k runs it once)"
                continue
            runs = 1 if kind == "DataTable" and size >= 100_000 else repeat
            await run_kind(result, prepared(kind, data), runs, key_presses)
    return results


def ms(value: float | None) -> str:
    return "—" if value is None else f"{value * 1000:.1f}"


def p95(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def report(results: list[Result]) -> str:
    lines = [
        "| rows | widget | first paint ms (median) | its CPU ms | key→frame ms (median) "
        "| key→frame p95 | peak MiB |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    by = {(r.kind, r.rows): r for r in results}
    for r in results:
        rows = "—" if r.kind == FLOOR else f"{r.rows:,}"
        if r.skipped:
            lines.append(f"| {rows} | {r.kind} | {r.skipped} | | | | |")
            continue
        first_paint = statistics.median(r.first_paint)
        key_median = statistics.median(r.keys) if r.keys else None
        peak = "—" if r.peak_mib is None else f"{r.peak_mib:.1f}"
        lines.append(
            f"| {rows} | {r.kind} | {ms(first_paint)} | {ms(statistics.median(r.first_paint_cpu))} "
            f"| {ms(key_median)} | {ms(p95(r.keys))} | {peak} |"
        )
    lines += [
        "",
        "| rows | first paint DataTable ÷ FastTable (wall) | (CPU) "
        "| key→frame median DataTable ÷ FastTable |",
        "|---:|---:|---:|---:|",
    ]
    for size in sorted({r.rows for r in results if r.kind != FLOOR}):
        dt, ft = by.get(("DataTable", size)), by.get(("FastTable", size))
        if not dt or not ft or not dt.first_paint or not ft.first_paint:
            lines.append(f"| {size:,} | n/a (DataTable not run) | | |")
            continue
        ratio = statistics.median(dt.first_paint) / statistics.median(ft.first_paint)
        cpu_ratio = statistics.median(dt.first_paint_cpu) / statistics.median(ft.first_paint_cpu)
        key_ratio = ""
        if dt.keys and ft.keys:
            key_ratio = f"{statistics.median(dt.keys) / statistics.median(ft.keys):.1f}×"
        lines.append(f"| {size:,} | {ratio:.1f}× | {cpu_ratio:.1f}× | {key_ratio} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument(
        "--repeat", type=int, default=3, help="first-paint runs per widget and size"
    )
    parser.add_argument("--keys", type=int, default=50, help="down presses per run")
    parser.add_argument("--datatable-100k", action="store_true", help="also run DataTable ≥ 100k")
    args = parser.parse_args()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"Textual {textual.__version__}, Python {sys.version.split()[0]}, terminal {SIZE}, "
        f"{os.cpu_count()} CPUs, load average {load}"
    )
    results = asyncio.run(bench(args.sizes, args.repeat, args.keys, args.datatable_100k))
    print()
    print(report(results))


if __name__ == "__main__":
    main()
