"""Benchmark: the app's own resident memory with 100 / 20k / 100k issues loaded, as one runs it.

Why: issue 19 asks for RSS ≤ 150 MB at 100k loaded. `app_bench.py` measures memory per loaded
issue, but its process also holds its own data (the issue pages it serves from memory, an
in-process demo app), so its RSS is not the app's. Here the two run apart, as they do for a user:

- the **demo server** is its own process (`dexter demo-server --db FILE`) on a database with
  `--large` issues, seeded once by the real sentry-sdk and kept in `/tmp` between runs
  (`--db-dir`; the first seed of 100k takes minutes);
- the **app** is another process: settings from the environment (`SENTRY_URL`,
  `SENTRY_AUTH_TOKEN`, `SENTRY_ORG`, a private HOME/XDG dirs) through `load_settings`, the offline
  cache on, as `dexter` does, then the real `DexterApp` headless (`App.run_test`, 120×36) over
  real HTTP;
- it loads N issues the way a person does: `end` pressed again and again, each press moving to
  the last row, which sends `FastTable.NearEnd` and loads the next page;
- then reports that process's RSS (`VmRSS`) before loading (first page on screen) and after
  (`SETTLE_S` idle seconds after the last page),
  its peak (`VmHWM`), the growth per loaded issue, the time to load them, and the RSS after a
  full garbage collection plus glibc's `malloc_trim(0)` (what the allocator still keeps).

The **baseline** is the same app with one page (100 issues) loaded: the fixed cost of Python,
Textual, httpx and pydantic. Each size runs in a fresh app process (RSS does not shrink).

    python benchmarks/app_rss_bench.py                    # 100, 20k, 100k
    python benchmarks/app_rss_bench.py --sizes 100 20000  # quicker
    APP_RSS_TRACE=1 python benchmarks/app_rss_bench.py --sizes 20000  # + tracemalloc top lines
    APP_RSS_MALLOCSTATS=1 python benchmarks/app_rss_bench.py --sizes 20000  # + pymalloc's stats
    APP_RSS_MAPS=1 python benchmarks/app_rss_bench.py --sizes 100  # + resident KiB per mapping
    python benchmarks/app_rss_bench.py --baseline-tree /tmp/main-tree   # + another tree's app

It asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
#: the tree whose app is measured (`--baseline-tree` runs another one's, e.g. a worktree of main)
ROOT = Path(os.environ.get("APP_RSS_TREE") or HERE)
sys.path.insert(0, str(ROOT))

SIZE = (120, 36)
#: issues in the database: the largest size loaded, plus the seed's own
DB_ISSUES = 100_000
#: issues between two points of the RSS curve
STEP = 10_000
#: idle seconds after the last page before "after" is read (the app trims its heap 1 s after)
SETTLE_S = 2.0


def proc_status(pid: int | str = "self") -> dict[str, int]:
    """VmRSS / VmHWM / RssAnon… of a process, in bytes."""
    out: dict[str, int] = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key.startswith(("Vm", "Rss")) and value.strip().endswith("kB"):
                out[key] = int(value.split()[0]) * 1024
    return out


# -- the demo server, its own process ---------------------------------------------------------


def database(db_dir: Path, issues: int) -> Path:
    """The `--large` database, seeded once (under a temporary name, renamed when complete)."""
    path = db_dir / f"dexter-rss-{issues}.sqlite3"
    if path.exists():
        return path
    part = path.with_suffix(".part")
    for stale in db_dir.glob(part.name + "*"):
        stale.unlink()
    print(f"  seeding {issues:,} issues into {path} (once; takes minutes)…", flush=True)
    started = time.perf_counter()
    server = DemoServer(part, large=issues)
    server.stop()
    part.rename(path)
    print(f"  seeded in {time.perf_counter() - started:.0f} s", flush=True)
    return path


class DemoServer:
    """`dexter demo-server --db FILE` in a process of its own; its first stdout line says where."""

    def __init__(self, db: Path, large: int = 0) -> None:
        cmd = [sys.executable, "-m", "dexter_tui.cli", "demo-server", "--db", str(db)]
        cmd += ["--port", "0"]
        if large:
            cmd += ["--large", str(large)]
        env = {**os.environ, "PYTHONPATH": str(HERE)}
        self.proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("{"):
            self.proc.kill()
            raise SystemExit(f"demo-server did not start: {line!r}")
        self.info = json.loads(line)

    def rss(self) -> int:
        return proc_status(self.proc.pid).get("VmRSS", 0)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# -- the app, its own process -----------------------------------------------------------------


@dataclass
class Figures:
    size: int
    loaded: int = 0
    rss_before: int = 0
    rss_after: int = 0
    hwm: int = 0
    anon_after: int = 0
    rss_trimmed: int = 0
    load_s: float = 0.0
    cpu_s: float = 0.0
    presses: int = 0
    server_rss: int = 0
    #: (loaded, VmRSS) every `STEP` issues while loading: linear, or a step somewhere?
    curve: list[tuple[int, int]] = field(default_factory=list)


def print_maps(top: int = 25) -> None:
    """Resident KiB per mapping (shared libraries, heap, anonymous), largest first, to stderr."""
    sizes: dict[str, int] = {}
    name = ""
    with open("/proc/self/smaps") as f:
        for line in f:
            head = line.split()
            if "-" in head[0] and len(head) >= 5 and ":" not in head[0]:
                name = head[5] if len(head) > 5 else "[anon]"
            elif head[0] == "Rss:":
                sizes[name] = sizes.get(name, 0) + int(head[1])
    print(f"-- resident KiB by mapping ({len(sys.modules)} modules loaded)", file=sys.stderr)
    for path, kib in sorted(sizes.items(), key=lambda x: -x[1])[:top]:
        print(f"  {kib:8,}  {path}", file=sys.stderr)
    packages: dict[str, int] = {}
    for module in list(sys.modules):
        parts = module.split(".")
        group = ".".join(parts[:2]) if parts[0] == "dexter_tui" else parts[0]
        packages[group] = packages.get(group, 0) + 1
    counts = sorted(packages.items(), key=lambda x: -x[1])
    print("  modules: " + ", ".join(f"{k} {n}" for k, n in counts if n > 1), file=sys.stderr)


def trim_memory() -> None:
    """What the allocator could give back: a full collection, then glibc's `malloc_trim(0)`."""
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


async def app_run(size: int) -> Figures:
    """Run in the app's process: settings from the environment, as `dexter` reads them."""
    from dexter_tui.cli import skip_unused_imports

    skip_unused_imports()  # as `dexter` starts: no trio, no httpx command line
    from dexter_tui.config import load_settings
    from dexter_tui.tui import offline
    from dexter_tui.tui.factory import build_app, build_context

    trace = bool(os.environ.get("APP_RSS_TRACE"))
    if trace:
        tracemalloc.start(1)
    settings = load_settings(None)
    home = Path(os.environ["HOME"])
    ctx = build_context(settings, action_log_path=home / "actions.jsonl")
    offline.enable(ctx)
    app = build_app(ctx)
    fig = Figures(size)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.issues_screen
        feed = screen.feed
        deadline = time.perf_counter() + 120
        while not (feed.loaded_once and screen.table.row_count > 0):
            if time.perf_counter() > deadline:
                raise TimeoutError("no first rows")
            await asyncio.sleep(0.01)
        await app.workers.wait_for_complete()
        await pilot.pause()
        fig.rss_before = proc_status()["VmRSS"]
        first = tracemalloc.take_snapshot() if trace else None
        started, cpu = time.perf_counter(), time.process_time()
        stalled = 0
        while len(feed.order) < size and feed.has_more:
            before = len(feed.order)
            await pilot.press("end")  # the last row: NearEnd loads the next page
            fig.presses += 1
            await app.workers.wait_for_complete()
            await pilot.pause()
            stalled = stalled + 1 if len(feed.order) == before else 0
            if len(feed.order) // STEP > before // STEP:
                fig.curve.append((len(feed.order), proc_status()["VmRSS"]))
            if stalled > 50:
                raise RuntimeError(f"paging stalled at {before} issues")
        await app.workers.wait_for_complete()
        await pilot.pause()
        fig.load_s = time.perf_counter() - started
        fig.cpu_s = time.process_time() - cpu
        fig.loaded = len(feed.order)
        await asyncio.sleep(SETTLE_S)  # as a person then reads the list: idle for a moment
        status = proc_status()
        fig.rss_after, fig.hwm, fig.anon_after = status["VmRSS"], status["VmHWM"], status["RssAnon"]
        if os.environ.get("APP_RSS_MAPS"):  # what the resident pages are: file, heap, anon
            print_maps()
        if os.environ.get("APP_RSS_MALLOCSTATS"):  # pymalloc's arenas, pools and blocks
            print(f"-- pymalloc after loading {fig.loaded:,} issues", file=sys.stderr)
            sys._debugmallocstats()
        if first is not None:
            snapshot = tracemalloc.take_snapshot()
            print(f"-- tracemalloc: what loading {fig.loaded:,} issues added", file=sys.stderr)
            for stat in snapshot.compare_to(first, "lineno")[:30]:
                print(f"  {stat}", file=sys.stderr)
            grown = sum(s.size for s in snapshot.statistics("filename"))
            grown -= sum(s.size for s in first.statistics("filename"))
            print(f"  traced: +{grown / 2**20:.1f} MiB", file=sys.stderr)
        trim_memory()
        fig.rss_trimmed = proc_status()["VmRSS"]
    return fig


def run_app_process(size: int, server: DemoServer, home: Path, tree: Path) -> Figures:
    env = {
        **os.environ,
        "PYTHONPATH": str(tree),
        "APP_RSS_TREE": str(tree),
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
        "SENTRY_URL": server.info["url"],
        "SENTRY_AUTH_TOKEN": server.info["token"],
        "SENTRY_ORG": server.info["org"],
    }
    for key in ("DEXTER_CONFIG", "DEXTER_PROFILE", "SENTRY_PROJECT"):
        env.pop(key, None)
    cmd = [sys.executable, __file__, "--child", str(size)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    server_peak = 0
    while proc.poll() is None:  # the server's RSS while it serves the pages
        server_peak = max(server_peak, server.rss())
        time.sleep(0.5)
    out, err = proc.communicate()
    line = next((x for x in out.splitlines() if x.startswith("RESULT ")), None)
    if line is None:
        print(out[-2000:], err[-4000:], file=sys.stderr)
        raise SystemExit(f"app with {size} issues: the child failed")
    if err.strip() and any(
        os.environ.get(k) for k in ("APP_RSS_TRACE", "APP_RSS_MALLOCSTATS", "APP_RSS_MAPS")
    ):
        print(err, file=sys.stderr)
    fig = Figures(**json.loads(line[7:]))
    fig.server_rss = server_peak
    return fig


# -- report --------------------------------------------------------------------------------


def mib(n: float) -> str:
    return f"{n / 2**20:.0f}"


def report(results: list[tuple[str, Figures]]) -> list[str]:
    base = {label: f for label, f in results if f.loaded <= 100}
    lines = [
        "| loaded | variant | RSS before MiB | RSS after MiB | VmHWM MiB | above baseline MiB "
        "| B/issue (after − before) | after trim MiB | load s | its CPU s | server RSS MiB |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, f in results:
        b = base.get(label)
        above = mib(f.rss_after - b.rss_after) if b is not None else "—"
        grown = f.loaded - 100
        per = f"{(f.rss_after - f.rss_before) / grown:,.0f}" if grown > 0 else "—"
        lines.append(
            f"| {f.loaded:,} | {label} | {mib(f.rss_before)} | {mib(f.rss_after)} | {mib(f.hwm)} "
            f"| {above} | {per} | {mib(f.rss_trimmed)} | {f.load_s:.1f} | {f.cpu_s:.1f} "
            f"| {mib(f.server_rss)} |"
        )
    for label, f in results:
        if f.curve:
            points = ", ".join(f"{n // 1000}k {mib(rss)}" for n, rss in f.curve)
            lines.append(f"\n{label}, {f.loaded:,} loaded — RSS MiB while loading: {points}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 20_000, 100_000])
    parser.add_argument(
        "--baseline-tree",
        type=Path,
        help="also run the app of this source tree (e.g. a worktree of main), same server",
    )
    parser.add_argument("--db-dir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--db-issues", type=int, default=DB_ISSUES, help="--large of the database")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        fig = asyncio.run(app_run(args.child))
        print("RESULT " + json.dumps(asdict(fig)), flush=True)
        return
    import textual

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"Textual {textual.__version__}, Python {sys.version.split()[0]}, terminal {SIZE}, "
        f"{os.cpu_count()} CPUs, load average {load} at the start",
        flush=True,
    )
    db = database(args.db_dir, args.db_issues)
    trees = [("this tree", HERE)]
    if args.baseline_tree:
        trees.append(("baseline tree", args.baseline_tree.resolve()))
    results: list[tuple[str, Figures]] = []
    for size in args.sizes:
        for label, tree in trees:
            # a fresh server per run: its page caches and RSS start the same every time
            server = DemoServer(db)
            home = Path(tempfile.mkdtemp(prefix="dexter-rss-home-"))
            try:
                fig = run_app_process(size, server, home, tree)
            finally:
                server.stop()
                shutil.rmtree(home, ignore_errors=True)
            results.append((label, fig))
            load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
            print(
                f"  {label:13} {fig.loaded:>7,} loaded: RSS {mib(fig.rss_before)} → "
                f"{mib(fig.rss_after)} MiB (peak {mib(fig.hwm)}, trimmed {mib(fig.rss_trimmed)})"
                f" in {fig.load_s:.1f} s; load average {load}",
                flush=True,
            )
    print()
    print("\n".join(report(results)))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nload average {load} at the end")


if __name__ == "__main__":
    main()
