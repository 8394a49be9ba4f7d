"""First row of `dexter issues list --json`: from the network vs from the offline cache.

Starts `dexter demo-server --latency-ms N` (each API answer delayed, like a slow link), warms the
cache with one online run, then times REPEAT runs of each, as subprocesses, until the first line of
stdout arrives and until the process exits. The baseline is the same command in the same run:

    python benchmarks/cli_first_row.py                 # --latency-ms 300, 5 runs each
    python benchmarks/cli_first_row.py --latency-ms 0 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def first_line_and_exit(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    first = time.perf_counter() - started
    proc.stdout.read()
    code = proc.wait()
    done = time.perf_counter() - started
    if code != 0 or not line:
        raise SystemExit(f"{' '.join(cmd)} exited {code}")
    return first, done


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--latency-ms", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    opts = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="dexter-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SENTRY_", "DEXTER_"))}
    env |= {
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "PYTHONPATH": str(ROOT),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dexter_tui.cli",
            "demo-server",
            "--db",
            ":memory:",
            "--latency-ms",
            str(opts.latency_ms),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    try:
        assert server.stdout is not None
        info = json.loads(server.stdout.readline())
        env |= {"SENTRY_URL": info["url"], "SENTRY_AUTH_TOKEN": info["token"], "SENTRY_ORG": "acme"}
        cmd = [sys.executable, "-m", "dexter_tui.cli", "issues", "list", "--json"]
        first_line_and_exit(cmd, env)  # warms the cache (and the OS file cache)
        rows = {}
        for name, argv in (("network", cmd), ("cache (--offline)", [*cmd, "--offline"])):
            runs = [first_line_and_exit(argv, env) for _ in range(opts.repeat)]
            rows[name] = (
                statistics.median(r[0] for r in runs),
                statistics.median(r[1] for r in runs),
            )
    finally:
        server.terminate()
        server.wait()
    print(
        f"dexter issues list --json, demo server --latency-ms {opts.latency_ms}, "
        f"median of {opts.repeat} runs"
    )
    print(f"{'source':<20} {'first row':>10} {'exit':>10}")
    for name, (first, done) in rows.items():
        print(f"{name:<20} {first * 1000:>8.0f} ms {done * 1000:>8.0f} ms")
    net, cache = rows["network"][0], rows["cache (--offline)"][0]
    print(f"first row from cache: {net / cache:.1f}x sooner")


if __name__ == "__main__":
    main()
