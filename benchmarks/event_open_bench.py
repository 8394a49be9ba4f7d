"""Event open, startup and `dexter demo`, as a person sees them, against a baseline in the same run.

    python benchmarks/event_open_bench.py                    # this tree vs `main`, 3 runs each
    python benchmarks/event_open_bench.py --baseline HEAD~5 --repeat 5
    python benchmarks/event_open_bench.py --only event --sizes 12k,1m

What it measures, every figure through the real app (headless, 120×36) in a child process whose
`PYTHONPATH` is either this tree or the baseline's (`git archive <ref>` into a temp dir):

- **event open** (12 KB, 1 MB, 6 MB Python events with deep stacks, frame sources and variables
  and many breadcrumbs, stored in a demo database served by `dexter demo-server` in its own
  process): from `enter` on the issue until the app *paints* a screen update with the stack's
  first frames in it (`PaintProbe`: the update is rendered to terminal sequences as a tty would
  get it), the app's CPU time (all threads) over that window; then until every frame of the stack
  is mounted, and the longest stretch the event loop was blocked over the whole open (what a key
  pressed meanwhile would wait). The app has already shown the list, `READ_PAUSE` before the
  `enter` (a person reads the list first).
- **startup to first rows**: `dexter` (the real `cli.main`, `App.run` made headless) from the spawn
  of the process until the issue list holds its first rows, against the same local server.
- **warm `dexter demo` to first rows**: `dexter demo` from the spawn of the process until its
  list holds rows; first with an empty data dir (cold: seeds with the real sentry-sdk), then
  again (warm: the cached database). The baseline has no cache: it seeds every time.

`measure_event_open(sizes)` runs the event figure for this tree only (for `app_bench.py`).
Nothing here asserts a time; the machine is shared, so the load average is printed too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SIZE = (120, 36)
SIZES = {"12k": 12_000, "1m": 1_000_000, "6m": 6_000_000}
NOW = time.time()
#: seconds between the list's first rows and `enter`: a person reads the list first (the app
#: warms the event screen up meanwhile: `event_prewarm`)
READ_PAUSE = 0.5

_SOURCE = [
    "def handle(request, session, retries=3):",
    "    order = session.get(Order, request.order_id)",
    "    if order is None:",
    "        raise LookupError(f'no order {request.order_id}')",
    "    total = sum(line.price * line.quantity for line in order.lines)",
    "    return charge(order.customer, total, idempotency_key=request.key)",
    "    # retry with backoff on transient gateway errors",
    "    for attempt in range(retries):",
    "        try: return gateway.submit(order, total)",
    "        except GatewayTimeout: time.sleep(2 ** attempt)",
    "    raise PaymentFailed(order.id)",
]


def make_event(size: int, tag: str) -> dict[str, Any]:
    """A Python error event of about `size` bytes of JSON: a deep recursive stack (one frame per
    5 KB, each with source and variables, two in three in-app), the rest breadcrumbs."""
    frames = []
    for n in range(max(4, size // 5000)):
        in_app = n % 3 != 2
        frames.append(
            {
                "filename": f"app/services/step_{n % 40}.py" if in_app else "lib/gateway.py",
                "abs_path": f"/srv/app/services/step_{n % 40}.py",
                "module": f"app.services.step_{n % 40}" if in_app else "gateway.client",
                "function": f"process_{n}",
                "lineno": 120 + n % 50,
                "in_app": in_app,
                "pre_context": _SOURCE[:5],
                "context_line": _SOURCE[5],
                "post_context": _SOURCE[6:],
                "vars": {
                    "request": f"<Request POST /checkout/{n} order={n * 7}>",
                    "session": "<Session bind=Engine(postgresql://db/checkout)>",
                    "retries": "3",
                    "order": {"id": n * 7, "lines": [f"sku-{k}" for k in range(12)]},
                    "total": f"{n * 1.5:.2f}",
                    "notes": "x" * 600,
                },
            }
        )
    event: dict[str, Any] = {
        "event_id": f"{abs(hash(tag)) % 16**32:032x}",
        "timestamp": NOW - 60,
        "platform": "python",
        "level": "error",
        "exception": {
            "values": [
                {
                    "type": f"Bench{tag.capitalize()}Error",
                    "value": f"an event of about {size:,} bytes",
                    "stacktrace": {"frames": frames},
                }
            ]
        },
    }
    used = len(json.dumps(event))
    crumbs = []
    while used < size:
        crumb = {
            "timestamp": NOW - 600 + len(crumbs) * 0.01,
            "category": "query",
            "message": f"SELECT * FROM orders WHERE id = {len(crumbs)} -- step {len(crumbs)}",
        }
        used += len(json.dumps(crumb)) + 2
        crumbs.append(crumb)
    event["breadcrumbs"] = {"values": crumbs}
    return event


def build_db(path: Path, sizes: list[str]) -> None:
    """A demo database with the organisation and one issue per size (no seed: fast)."""
    sys.path.insert(0, str(ROOT))
    from dexter_tui.demo.ingest import ingest_event
    from dexter_tui.demo.store import Store
    from dexter_tui.demo.world import create_world

    store = Store(str(path))
    world = create_world(store)
    project = world.projects["checkout-api"].project_id
    for name in sizes:
        event = make_event(SIZES[name], name)
        ingest_event(store, project, event, received=NOW - 50)
    store.close()


class DemoServer:
    """`dexter demo-server --db PATH` in its own process (the app does not share its GIL)."""

    def __init__(self, db: Path, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "dexter_tui.cli", "demo-server", "--db", str(db)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            text=True,
        )
        assert self.proc.stdout is not None
        self.info = json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=20)


def clean_env(home: Path, pythonpath: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SENTRY_", "DEXTER_"))}
    env |= {
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "PYTHONPATH": str(pythonpath),
    }
    return env


# -- in the child process -------------------------------------------------------------------------


def _rows(app) -> bool:
    from dexter_tui.tui.screens.issues import IssuesScreen

    screen = app.screen
    return isinstance(screen, IssuesScreen) and screen.table.row_count > 0


def _stack_on_screen(app) -> bool:
    """The event screen's stack pane is shown and one of its frames is in the screen's
    compositor map (so it is in the frame being painted)."""
    from dexter_tui.tui.screens.event_detail import EventDetailScreen
    from dexter_tui.tui.widgets.event_stack import FrameItem

    screen = app.screen
    if not isinstance(screen, EventDetailScreen) or not screen.is_mounted:
        return False
    return any(
        isinstance(w, FrameItem) and region.height > 0
        for w, (region, _clip) in screen._compositor.visible_widgets.items()
    )


class PaintProbe:
    """When the app first *paints* a frame holding the stack's first frames.

    Headless Textual still composes every screen update and hands it to `App._display`, which
    skips the terminal output; the probe renders that update to terminal sequences as a real
    terminal would (so its cost is counted) and checks, after each painted update, whether a
    frame of the stack is on screen. Polling a predicate after `pilot.press` (what this benchmark
    did before) only started looking once the pilot saw the app idle, i.e. after every frame
    below the first screen had been mounted too, which a person does not wait for."""

    def __init__(self, app) -> None:
        self.app = app
        self.armed = False
        self.painted: float | None = None
        self.ui_cpu: float | None = None  # the UI thread's CPU clock at that paint
        self.event = asyncio.Event()
        original = app._display

        def display(screen, renderable) -> None:
            original(screen, renderable)
            if renderable is not None and hasattr(renderable, "render_segments"):
                renderable.render_segments(app.console)  # the terminal output, as a tty gets it
            if self.armed and self.painted is None and _stack_on_screen(app):
                self.painted = time.perf_counter()
                self.ui_cpu = time.thread_time()
                self.event.set()

        app._display = display

    async def wait(self) -> float:
        async with asyncio.timeout(120):
            await self.event.wait()
        assert self.painted is not None
        return self.painted


class BlockMeter:
    """The longest stretch the event loop could not run a 5 ms sleeper (what a key would wait)."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            self.longest = max(self.longest, now - last - 0.005)
            last = now

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    def stop(self) -> float:
        if self._task is not None:
            self._task.cancel()
        return self.longest * 1000


async def _until(pred, step: float = 0.002) -> float:
    """When `pred()` first holds, polled every `step` s while the app runs (2 minutes at most)."""
    async with asyncio.timeout(120):
        while not pred():  # noqa: ASYNC110 - polling is the measurement
            await asyncio.sleep(step)
    return time.perf_counter()


def _stack_complete(app) -> bool:
    """Every frame of the stack is mounted (nothing pending below the first screens)."""
    from dexter_tui.tui.screens.event_detail import EventDetailScreen

    screen = app.screen
    if not isinstance(screen, EventDetailScreen):
        return False
    pane = screen.pane("stack")
    return pane.ready and not getattr(pane, "pending", 0) and bool(pane.query("FrameItem"))


def _profiler():
    """cProfile of the UI thread from `enter` to the stack's first paint, when
    `EVENT_BENCH_PROFILE=PATH` is set (written to PATH.<size>, the last run's)."""
    if not os.environ.get("EVENT_BENCH_PROFILE"):
        return None
    import cProfile

    profiler = cProfile.Profile()
    profiler.enable()
    return profiler


async def _open_events(url: str, token: str, sizes: list[str], repeat: int) -> dict[str, Any]:
    from dexter_tui.config import Secret, Settings
    from dexter_tui.tui import offline
    from dexter_tui.tui.factory import build_app, build_context

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in sizes:
            runs: list[float] = []
            cpus: list[float] = []
            ui_cpus: list[float] = []
            completes: list[float] = []
            blocks: list[float] = []
            for _ in range(repeat):
                settings = Settings(url=url, token=Secret(token), org="acme", poll_interval=3600)
                ctx = build_context(settings, action_log_path=Path(tmp) / "a.jsonl")
                offline.enable(ctx, path=Path(tmp) / "cache.sqlite3")  # as `dexter` runs
                app = build_app(ctx)
                probe = PaintProbe(app)
                async with app.run_test(size=SIZE) as pilot:
                    await _until(lambda app=app: _rows(app))
                    await pilot.pause(READ_PAUSE)  # a person reads the list before `enter`
                    issues = app.screen
                    key = next(
                        k
                        for k, i in issues.feed.issues.items()
                        if f"Bench{name.capitalize()}Error" in i.title
                    )
                    assert issues.table.move_cursor_to_key(key)
                    await pilot.pause()
                    meter = BlockMeter()
                    probe.armed = True
                    meter.start()
                    started, cpu = time.perf_counter(), time.process_time()
                    ui_cpu = time.thread_time()
                    profiler = _profiler()
                    press = asyncio.create_task(pilot.press("enter"))
                    shown = await probe.wait()
                    if profiler is not None:
                        profiler.disable()
                        profiler.dump_stats(f"{os.environ['EVENT_BENCH_PROFILE']}.{name}")
                    cpu_shown = time.process_time() - cpu
                    await press
                    complete = await _until(lambda app=app: _stack_complete(app))
                    await pilot.pause()
                    runs.append((shown - started) * 1000)
                    cpus.append(cpu_shown * 1000)
                    ui_cpus.append(((probe.ui_cpu or ui_cpu) - ui_cpu) * 1000)
                    completes.append((complete - started) * 1000)
                    blocks.append(meter.stop())
            out[name] = {
                "bytes": SIZES[name],
                "runs_ms": runs,
                "median_ms": statistics.median(runs),
                "cpu_median_ms": statistics.median(cpus),
                "ui_cpu_median_ms": statistics.median(ui_cpus),
                "complete_median_ms": statistics.median(completes),
                "block_median_ms": statistics.median(blocks),
            }
    return out


def _headless_first_rows(t0: float) -> None:
    """Make `run_app` run headless and exit at the first rows, printing the time since spawn."""
    import dexter_tui.commands.crash as crash

    def run_app(app, argv=None) -> int:
        async def pilot(p) -> None:
            await _until(lambda: _rows(app))
            cpu = time.process_time() * 1000  # this process only (not a demo server child)
            print(
                json.dumps({"first_rows_ms": (time.time() - t0) * 1000, "cpu_ms": cpu}), flush=True
            )
            app.exit()

        app.run(headless=True, size=SIZE, auto_pilot=pilot)
        return 0

    crash.run_app = run_app


def child(opts: argparse.Namespace) -> None:
    if opts.child == "event":
        result = asyncio.run(_open_events(opts.url, opts.token, opts.sizes.split(","), opts.repeat))
        print(json.dumps(result), flush=True)
        return
    t0 = float(os.environ["BENCH_T0"])
    _headless_first_rows(t0)
    from dexter_tui.cli import main as cli_main

    argv = [] if opts.child == "startup" else ["demo", "--poll-interval", "3600"]
    cli_main(argv)


# -- in the parent ---------------------------------------------------------------------------------


def _tree(ref: str, into: Path) -> Path:
    """The baseline's source tree, extracted from git (no checkout touched)."""
    archive = into / "tree.tar"
    subprocess.run(
        ["git", "-C", str(ROOT), "archive", "-o", str(archive), ref, "dexter_tui"], check=True
    )
    with tarfile.open(archive) as tar:
        tar.extractall(into / "tree", filter="data")
    return into / "tree"


def _spawn(args: list[str], env: dict[str, str], timeout: float = 600) -> list[dict[str, Any]]:
    env = env | {"BENCH_T0": repr(time.time())}
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    lines = [json.loads(x) for x in proc.stdout.splitlines() if x.startswith("{")]
    if not lines:
        raise SystemExit(f"child {args} failed:\n{proc.stderr[-3000:]}")
    return lines


def measure_event_open(
    sizes: list[str] | tuple[str, ...] = ("12k", "1m", "6m"), *, repeat: int = 3, tree: Path = ROOT
) -> dict[str, Any]:
    """Event open for each size label (`12k`, `1m`, `6m`) with `tree`'s code: {label: {bytes,
    runs_ms, median_ms}}. Builds the database and runs the server and the app in subprocesses."""
    with tempfile.TemporaryDirectory(prefix="dexter-event-bench-") as tmp:
        home = Path(tmp)
        db = home / "bench.sqlite3"
        build_db(db, list(sizes))
        env = clean_env(home, ROOT)
        server = DemoServer(db, env)
        try:
            args = [
                "--child",
                "event",
                "--url",
                server.info["url"],
                "--token",
                server.info["token"],
                "--sizes",
                ",".join(sizes),
                "--repeat",
                str(repeat),
            ]
            return _spawn(args, clean_env(home, tree))[-1]
        finally:
            server.close()


def _with_bytecode(env: dict[str, str], home: Path) -> dict[str, str]:
    """As an installed package runs: .pyc files written (by the warm-up run) and used after.
    A shell with PYTHONDONTWRITEBYTECODE set would otherwise compile every module on every
    start (~0.3-0.6 s); they go to a private prefix, not into the trees."""
    env = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return env | {"PYTHONPYCACHEPREFIX": str(home / "pycache")}


def measure_startup(tree: Path, repeat: int) -> list[dict[str, float]]:
    """`dexter` to first rows, `repeat` runs after a warm-up: [{first_rows_ms, cpu_ms}]."""
    with tempfile.TemporaryDirectory(prefix="dexter-start-bench-") as tmp:
        home = Path(tmp)
        db = home / "bench.sqlite3"
        build_db(db, ["12k"])
        server = DemoServer(db, clean_env(home, ROOT))
        try:
            env = _with_bytecode(clean_env(home, tree), home) | {
                "SENTRY_URL": server.info["url"],
                "SENTRY_AUTH_TOKEN": server.info["token"],
                "SENTRY_ORG": "acme",
            }
            _spawn(["--child", "startup"], env)  # warms the OS file cache and .pyc files
            return [_spawn(["--child", "startup"], env)[-1] for _ in range(repeat)]
        finally:
            server.close()


def measure_demo(tree: Path, repeat: int) -> dict[str, Any]:
    """`dexter demo` first rows: cold (empty data dir; also writes the .pyc files) once, then
    `repeat` warm starts."""
    with tempfile.TemporaryDirectory(prefix="dexter-demo-bench-") as tmp:
        env = _with_bytecode(clean_env(Path(tmp), tree), Path(tmp))
        cold = _spawn(["--child", "demo"], env)[-1]["first_rows_ms"]
        warm = [_spawn(["--child", "demo"], env)[-1] for _ in range(repeat)]
        wall = [r["first_rows_ms"] for r in warm]
        return {
            "cold_ms": cold,
            "warm_ms": wall,
            "warm_median_ms": statistics.median(wall),
            "cpu_median_ms": statistics.median(r["cpu_ms"] for r in warm),
        }


def _load() -> str:
    return f"{os.getloadavg()[0]:.1f}"


def _fmt(ms: float) -> str:
    return f"{ms:,.0f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", default="main", help="git ref of the baseline (default main)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", default="12k,1m,6m")
    parser.add_argument("--only", choices=["event", "startup", "demo"], default=None)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--url", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--token", default=None, help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.child:
        child(opts)
        return
    sizes = opts.sizes.split(",")
    print(f"load average at start: {os.getloadavg()[0]:.2f}, {os.cpu_count()} CPUs", flush=True)
    with tempfile.TemporaryDirectory(prefix="dexter-baseline-") as tmp:
        base = _tree(opts.baseline, Path(tmp))
        trees = [(f"baseline ({opts.baseline})", base), ("this tree", ROOT)]
        if opts.only in (None, "event"):
            print(
                "\n| event | tree | stack painted: runs ms | median ms | app CPU ms "
                "| UI thread CPU ms | all frames mounted ms | longest UI block ms |"
                "\n|---|---|---|---:|---:|---:|---:|---:|"
            )
            for label, tree in trees:
                result = measure_event_open(sizes, repeat=opts.repeat, tree=tree)
                for name in sizes:
                    r = result[name]
                    runs = ", ".join(_fmt(x) for x in r["runs_ms"])
                    print(
                        f"| {name} | {label} | {runs} | {_fmt(r['median_ms'])} "
                        f"| {_fmt(r['cpu_median_ms'])} | {_fmt(r['ui_cpu_median_ms'])} "
                        f"| {_fmt(r['complete_median_ms'])} "
                        f"| {_fmt(r['block_median_ms'])} |",
                        flush=True,
                    )
        if opts.only in (None, "startup"):
            print(
                "\n| `dexter` to first rows | runs ms | median ms | process CPU ms (median) "
                "| load |\n|---|---|---:|---:|---:|"
            )
            for label, tree in trees:
                runs = measure_startup(tree, opts.repeat)
                wall = [r["first_rows_ms"] for r in runs]
                cpu = statistics.median(r["cpu_ms"] for r in runs)
                print(
                    f"| {label} | {', '.join(_fmt(x) for x in wall)} "
                    f"| {_fmt(statistics.median(wall))} | {_fmt(cpu)} | {_load()} |",
                    flush=True,
                )
        if opts.only in (None, "demo"):
            print(
                "\n| `dexter demo` to first rows | cold ms | warm runs ms | warm median ms "
                "| TUI process CPU ms (median) | load |"
            )
            print("|---|---:|---|---:|---:|---:|")
            for label, tree in trees:
                r = measure_demo(tree, opts.repeat)
                warm = ", ".join(_fmt(x) for x in r["warm_ms"])
                print(
                    f"| {label} | {_fmt(r['cold_ms'])} | {warm} | {_fmt(r['warm_median_ms'])} "
                    f"| {_fmt(r['cpu_median_ms'])} | {_load()} |",
                    flush=True,
                )
    print(f"\nload average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
