"""TUI first rows: from the offline cache vs from the network, on a slow demo server.

Starts `dexter demo-server --latency-ms N` (each API answer delayed, like a slow link), then builds
the TUI as `dexter` does (offline cache on) and runs it headless, REPEAT times each way:

- network: an empty cache, so the first rows are Sentry's answer (the baseline, same run);
- cache: a cache warmed by one earlier run, so the first rows are the cached list; the time the
  fresh rows replace them (the marker goes) is printed too.

The clock starts before the app is built and stops when the issue table first holds rows (checked
every 5 ms between frames); Python start-up and imports are not included (they are the same both
ways — `benchmarks/cli_first_row.py` measures whole processes).

    python benchmarks/tui_first_rows.py                  # --latency-ms 300, 5 runs each
    python benchmarks/tui_first_rows.py --latency-ms 0 --repeat 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dexter_tui.config import Secret, Settings  # noqa: E402
from dexter_tui.tui import offline  # noqa: E402
from dexter_tui.tui.factory import build_app, build_context  # noqa: E402
from dexter_tui.tui.screens.issues import IssuesScreen  # noqa: E402

STEP = 0.005


async def first_rows(info: dict, cache_path: Path, log: Path) -> tuple[float, float, bool]:
    """(seconds to the first rows, seconds to Sentry's rows, whether the first came cached)."""
    started = time.perf_counter()
    settings = Settings(
        url=info["url"], token=Secret(info["token"]), org=info["org"], poll_interval=3600.0
    )
    ctx = build_context(settings, action_log_path=log)
    session = offline.enable(ctx, path=cache_path)
    app = build_app(ctx)
    first = fresh = 0.0
    from_cache = False
    async with app.run_test(size=(120, 36)) as pilot:
        while True:
            screen = app.screen
            if isinstance(screen, IssuesScreen) and screen.table.visible_count:
                if not first:
                    first = time.perf_counter() - started
                    from_cache = not screen.feed.loaded_once
                if screen.feed.loaded_once:
                    fresh = time.perf_counter() - started
                    break
            if time.perf_counter() - started > 120:
                raise SystemExit("no rows after 120 s")
            await pilot.pause(STEP)
        await app.workers.wait_for_complete()  # the cache write of the fresh list
    session.close()
    return first, fresh, from_cache


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency-ms", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    opts = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="dexter-tui-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SENTRY_", "DEXTER_"))}
    env["PYTHONPATH"] = str(ROOT)
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "dexter_tui.cli", "demo-server", "--db", ":memory:"),
            *("--latency-ms", str(opts.latency_ms)),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    try:
        assert server.stdout is not None
        info = json.loads(server.stdout.readline())
        info.setdefault("org", "acme")
        warm = tmp / "warm" / "offline.sqlite3"
        asyncio.run(first_rows(info, warm, tmp / "log"))  # warms the cache (and imports)
        runs: dict[str, list[tuple[float, float, bool]]] = {"network": [], "cache": []}
        for n in range(opts.repeat):  # interleaved, so load changes hit both alike
            empty = tmp / f"empty{n}" / "offline.sqlite3"
            runs["network"].append(asyncio.run(first_rows(info, empty, tmp / "log")))
            runs["cache"].append(asyncio.run(first_rows(info, warm, tmp / "log")))
    finally:
        server.terminate()
        server.wait()
    assert all(not r[2] for r in runs["network"]), "an empty cache gave cached rows"
    assert all(r[2] for r in runs["cache"]), "a warm cache did not give the first rows"
    print(
        f"TUI first rows, demo server --latency-ms {opts.latency_ms}, median of {opts.repeat} "
        f"runs (load average {os.getloadavg()[0]:.1f})"
    )
    print(f"{'source':<10} {'first rows':>12} {'Sentry rows':>12}")
    for name, rows in runs.items():
        first = statistics.median(r[0] for r in rows)
        fresh = statistics.median(r[1] for r in rows)
        print(f"{name:<10} {first * 1000:>9.0f} ms {fresh * 1000:>9.0f} ms")
    net = statistics.median(r[0] for r in runs["network"])
    cache = statistics.median(r[0] for r in runs["cache"])
    print(f"first rows from cache: {net / cache:.1f}x sooner ({(net - cache) * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
