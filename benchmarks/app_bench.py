"""Benchmark: the issue list as a person feels it, with 1k/20k/100k issues loaded, against the
pre-issue-19 code paths in the same run.

Why: issue 19 found the table widget fast but the app around it slow (a poll tick rebuilt and
re-sorted every loaded row on the UI thread; the filter case-folded every row per key). This
drives the real `DexterApp` (headless, 120×36) through the real `SentryClient` and prints what
a user waits for. It asserts nothing.

What answers: the issue list's `GET`/`PUT /organizations/{org}/issues/` come from memory — pages
of JSON in Sentry's shape, the first ones produced by the demo server's serializer from real
sentry-sdk events and the rest varied from them (ids, titles, counts, times, stats) — so the
figures are the client's and the UI's (JSON + pydantic parsing included), not a server's. Every
other request (workspace: projects, members) goes to the demo app in process. `--server` adds
the demo server's own figures (first vs last page, a bulk PUT) on a `--large` database.

Each (mode, size) runs in its own process (RSS does not shrink), one after the other:

- **mode** `before`: the code paths issue 19 replaced, patched back in: parsed `Issue`s kept per
  loaded issue (no slim form, no `gc.freeze`), rows with a cells closure and their sort values
  (priority included) computed up front, a poll tick rebuilds every row and re-sorts
  (`_show_rows`), the old feed merge, the `/` filter as a per-row predicate that case-folds four
  fields, paging that re-filters and re-sorts everything. `after`: the code as is.
- **table ready**: a full rebuild of N rows (refresh, sort change) until the frame that drew it and
  the key index is built.
- **poll tick**: `screen.poll()` until the worker finished and (if anything changed) the frame
  after it; `idle` = the page unchanged, `busy` = 2 new + 3 changed issues. **block** = the
  longest time the event loop (Textual's UI thread) did not get to run a 2 ms sleeper.
- **filter / char**: keys typed into the `/` input through the pilot, each until the next frame
  that re-drew the table, under Textual's own frame pacing (the frame timer is not forced).
- **page + sort**: one more page appended while the priority sort and a filter are on.
- **bulk 1,000**: resolve 1,000 marked issues (10 PUTs, answered from memory) until every row
  shows the outcome.
- **RSS / issue**: resident memory after loading N issues minus before, divided by N.
- **idle CPU**: process CPU over `--idle` seconds with 30 s polls (default: largest size only).

    python benchmarks/app_bench.py                       # 1k, 20k, 100k; both modes
    python benchmarks/app_bench.py --sizes 1000 --idle 0 # quick look
    python benchmarks/app_bench.py --server /tmp/100k.sqlite3   # + demo server figures

Event opening (issue 19's 12 KB / 1 MB / 6 MB events) is measured by `EXTRA_SECTIONS` hooks:
another benchmark module can append a callable returning markdown lines.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import json
import os
import random
import statistics
import subprocess
import sys
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZE = (120, 36)
ORG = "demo"  # replaced by the world's slug
PAGE = 100
#: other benchmark sections (e.g. event open timings): each returns markdown lines to print
EXTRA_SECTIONS: list[Callable[[], list[str]]] = []


# -- data: real-shaped issue pages ----------------------------------------------------------------


async def demo_world() -> tuple[Any, Any, list[dict[str, Any]]]:
    """A demo store with a few real issues (sentry-sdk payloads); their list JSON as templates."""
    from dexter_tui.demo.large import add_large
    from dexter_tui.demo.server import ServerOptions, create_app
    from dexter_tui.demo.store import Store
    from dexter_tui.demo.world import create_world

    store = Store(":memory:")
    world = create_world(store)
    add_large(store, world, 40)
    app = create_app(store, ServerOptions())
    transport = httpx.ASGITransport(app=app)

    async def first_page() -> list[dict[str, Any]]:
        async with httpx.AsyncClient(
            transport=transport,
            base_url="http://demo.test",
            headers={"Authorization": f"Bearer {world.token}"},
        ) as client:
            response = await client.get(
                f"/api/0/organizations/{world.org_slug}/issues/",
                params={"query": "", "limit": 100, "statsPeriod": "14d", "groupStatsPeriod": "24h"},
            )
            response.raise_for_status()
            return response.json()

    return world, app, await first_page()


def vary(templates: list[dict[str, Any]], count: int, now: float, seed: int = 19) -> list[dict]:
    """`count` issues in server order (lastSeen descending), each a template with new values."""
    rng = random.Random(seed)
    out = []
    for n in range(count):
        issue = copy.deepcopy(templates[n % len(templates)])
        serial = f"{n:06d}"
        issue["id"] = str(10_000_000 + n)
        project = (issue.get("project") or {}).get("slug", "app").upper()
        issue["shortId"] = f"{project}-{n + 1000:X}"
        issue["title"] = f"{issue.get('title', 'Error')} [variant {serial}]"
        issue["culprit"] = f"{issue.get('culprit') or 'app'}_v{serial}"
        issue["count"] = str(rng.randrange(1, 50_000))
        issue["userCount"] = rng.randrange(0, 3_000)
        last = now - 30 * n - rng.uniform(0, 20)
        issue["lastSeen"] = _iso(last)
        issue["firstSeen"] = _iso(last - rng.uniform(3_600, 14 * 86_400))
        hour = int(now // 3600) * 3600
        issue["stats"] = {"24h": [[hour - 3600 * (23 - h), rng.randrange(30)] for h in range(24)]}
        out.append(issue)
    return out


def _iso(ts: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + f".{int(ts % 1 * 1e6):06d}Z"


class BenchTransport(httpx.AsyncBaseTransport):
    """The issue list and bulk PUT from memory; everything else from the demo app."""

    def __init__(self, org: str, issues: list[dict[str, Any]], fallback: Any) -> None:
        self.path = f"/api/0/organizations/{org}/issues/"
        self.issues = issues[:PAGE]  # a poll's first page is made from these
        self.hits = len(issues)
        # compressed: the benchmark's own copy of 100k issues must not count as the app's RSS
        self.pages = [
            zlib.compress(json.dumps(issues[i : i + PAGE]).encode(), 1)
            for i in range(0, len(issues), PAGE)
        ]
        self.first: bytes = zlib.decompress(self.pages[0])
        self.fallback = httpx.ASGITransport(app=fallback)
        self.puts = 0

    def change_first_page(self, new: int, changed: int, serial: int) -> None:
        """The next first page: `new` unseen issues on top, `changed` counts bumped."""
        page = copy.deepcopy(self.issues[: PAGE - new])
        for issue in page[:changed]:
            issue["count"] = str(int(issue["count"]) + serial)
        fresh = copy.deepcopy(self.issues[:new])
        for k, issue in enumerate(fresh):
            issue["id"] = str(90_000_000 + serial * 10 + k)
            issue["shortId"] = f"NEW-{serial}-{k}"
        self.first = json.dumps(fresh + page).encode()

    def reset_first_page(self) -> None:
        self.first = zlib.decompress(self.pages[0])

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path != self.path:
            return await self.fallback.handle_async_request(request)
        if request.method == "PUT":
            self.puts += 1
            body = json.loads(request.content or b"{}")
            echo = {"status": body.get("status"), "statusDetails": {}}
            return httpx.Response(200, json=echo, headers={"content-type": "application/json"})
        params = dict(parse_qsl(request.url.query.decode()))
        cursor = params.get("cursor")
        offset = int(cursor.split(":")[1]) if cursor else 0
        index = offset // PAGE
        body = self.first if index == 0 else zlib.decompress(self.pages[index])
        more = index + 1 < len(self.pages)
        base = str(request.url.copy_remove_param("cursor"))
        link = (
            f'<{base}&cursor=0:{max(offset - PAGE, 0)}:1>; rel="previous"; '
            f'results="{"true" if offset else "false"}"; cursor="0:{max(offset - PAGE, 0)}:1", '
            f'<{base}&cursor=0:{offset + PAGE}:0>; rel="next"; '
            f'results="{"true" if more else "false"}"; cursor="0:{offset + PAGE}:0"'
        )
        headers = {
            "content-type": "application/json",
            "Link": link,
            "X-Hits": str(self.hits),
        }
        return httpx.Response(200, content=body, headers=headers)


# -- the pre-issue-19 paths ------------------------------------------------------------------------


def install_before() -> None:
    """Patch the replaced code paths back in (this process only)."""
    from dexter_tui.services import issues as feed_mod
    from dexter_tui.services.issues import PollChanges
    from dexter_tui.services.priority import HOT_STATES
    from dexter_tui.tui import issue_rows
    from dexter_tui.tui.screens import issues as screen_mod
    from dexter_tui.tui.widgets.table_model import TableModel

    def merge_first_page(self: Any, page: Any, fresh: Any = None) -> PollChanges:
        changes = PollChanges()
        fresh_ids = [i.id for i in page.items]
        for issue in page.items:
            before = self.issues.get(issue.id)
            if before is None:
                changes.new.append(issue.id)
            else:
                if issue.substatus in HOT_STATES and before.substatus not in HOT_STATES:
                    changes.regressed.append(issue.id)
                if issue != before:
                    changes.updated.append(issue.id)
            self.issues[issue.id] = issue
        rest = [i for i in self.order if i not in set(fresh_ids)]
        if page.next_cursor is None:
            changes.removed = rest
            for issue_id in rest:
                self.issues.pop(issue_id, None)
            rest = []
            self.next_cursor = None
        self.order = fresh_ids + rest
        if page.hits is not None:
            self.hits = page.hits
        return changes

    def append(self: Any, rows: Any) -> None:
        self.ensure_index()
        index = self._index
        appended = []
        for row in rows:
            if row.key not in index:
                appended.append(row)
            index[row.key] = row
        self._rows.extend(appended)
        self.recompute()

    def merge_rows(self: Any, ids: Any, removed: Any, reordered: Any) -> None:
        self._show_rows(track_new=True)

    def old_issue_row(issue: Any, stats_key: str, now: Any, priority: Any, period: str = "") -> Any:
        """A row as issue 19 found it: a closure for its cells, its sort values (the priority
        score among them) computed up front, no search text."""
        from rich.text import Text

        from dexter_tui.tui.widgets.table_model import Row

        ir = issue_rows
        at = now() if callable(now) else now
        events = ir.period_events(issue, period, stats_key, at) if period else issue.count

        def cells() -> dict[str, Any]:
            when = now() if callable(now) else now
            buckets = ir.issue_buckets(issue, stats_key)
            return {
                "level": ir.level_text(issue.level),
                "short_id": ir.identifier_text(issue.short_id or issue.id, "bold"),
                "flags": ir.flags_text(issue),
                "title": ir.safe_text(issue.title),
                "culprit": ir.safe_text(issue.culprit or "", "dim"),
                "events": Text(ir.compact(events)),
                "users": Text(ir.compact(issue.user_count)),
                "trend": ir.sparkline(buckets, 8) if buckets else Text(""),
                "priority": Text(f"{priority(issue).total:.0f}"),
                "assignee": ir.safe_text(ir.assignee_label(issue)),
                "first_seen": Text(ir.relative(issue.first_seen, when)),
                "last_seen": Text(ir.relative(issue.last_seen, when)),
            }

        return Row(
            key=issue.id,
            cells=cells,
            dim=issue.status in ("resolved", "ignored"),
            sort_values={
                "last_seen": issue.last_seen.timestamp() if issue.last_seen else 0.0,
                "first_seen": issue.first_seen.timestamp() if issue.first_seen else 0.0,
                "events": events,
                "users": issue.user_count,
                "priority": priority(issue).total,
            },
            data=issue,
        )

    class PlainIssueMap(dict):
        """The parsed issues themselves, by id (what the feed held before the slim form)."""

        def __init__(self, stats_key: str, issues: Any = ()) -> None:
            super().__init__((i.id, i) for i in issues)
            self.stats_key = stats_key

        def listed(self, issue_id: str) -> Any:
            return self[issue_id]

        def listed_values(self) -> Any:
            return iter(self.values())

        def discard(self, issue_id: str) -> None:
            self.pop(issue_id, None)

        def fresh(self, issue: Any) -> Any:
            return issue  # the old merge compared each issue itself

    feed_mod.IssueMap = PlainIssueMap  # type: ignore[misc]
    feed_mod.settle_loaded = lambda: None
    feed_mod.IssueFeed.merge_first_page = merge_first_page  # type: ignore[method-assign]
    TableModel.append = append  # type: ignore[method-assign]
    screen_mod.IssuesScreen._merge_rows = merge_rows  # type: ignore[method-assign]
    screen_mod.text_filter = lambda needle: lambda row: issue_rows.matches_text(row.data, needle)
    screen_mod.issue_row = old_issue_row


# -- measuring -------------------------------------------------------------------------------------


class LoopLag:
    """The longest stretch the event loop could not run a 2 ms sleeper: UI-thread block time.

    `worst` is wall time (what a person waits, inflated when the machine is busy and the process
    waits for a CPU); `worst_cpu` is the CPU time the UI thread spent in its longest stretch
    without yielding — the same figure on an idle machine, steadier on a shared one.
    """

    def __init__(self) -> None:
        self.worst = 0.0
        self.worst_cpu = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        while True:
            started, cpu = time.perf_counter(), time.thread_time()
            await asyncio.sleep(0.002)
            self.worst = max(self.worst, time.perf_counter() - started - 0.002)
            self.worst_cpu = max(self.worst_cpu, time.thread_time() - cpu)

    def start(self) -> None:
        self.worst = 0.0
        self.worst_cpu = 0.0
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> float:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        return self.worst


class Frames:
    """Set when a finished frame (compositor refresh) included lines drawn by the table."""

    def __init__(self, app: Any, table: Any) -> None:
        self.drew = False
        self.event = asyncio.Event()
        self.at = 0.0
        render_line = table.render_line

        def probed(y: int) -> Any:
            self.drew = True
            return render_line(y)

        table.render_line = probed
        screen = app.screen
        refresh = screen._compositor_refresh

        def compositor_refresh() -> None:
            refresh()
            if self.drew and not self.event.is_set():
                self.at = time.perf_counter()
                self.event.set()

        screen._compositor_refresh = compositor_refresh

    def arm(self) -> None:
        self.drew = False
        self.event.clear()

    async def wait(self, limit: float = 120.0) -> float:
        await asyncio.wait_for(self.event.wait(), limit)
        return self.at


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@dataclass
class Figures:
    mode: str
    size: int
    load_s: float = 0.0
    table_ready_ms: float = 0.0
    poll_idle_ms: list[float] = field(default_factory=list)
    poll_idle_block_ms: float = 0.0
    poll_busy_ms: list[float] = field(default_factory=list)
    poll_busy_block_ms: float = 0.0
    poll_block_cpu_ms: float = 0.0
    filter_char_cpu_ms: list[float] = field(default_factory=list)
    filter_char_ms: list[float] = field(default_factory=list)
    filter_block_ms: float = 0.0
    page_sorted_ms: float = 0.0
    bulk_s: float = 0.0
    bulk_block_ms: float = 0.0
    bulk_puts: int = 0
    rss_per_issue: float = 0.0
    rss_mib: float = 0.0
    idle_cpu_pct: float | None = None


@contextlib.contextmanager
def profiled(step: str) -> Iterator[None]:
    """`APP_BENCH_PROFILE=step`: print a cProfile of that step to stderr (for finding costs)."""
    if os.environ.get("APP_BENCH_PROFILE") != step:
        yield
        return
    import cProfile
    import pstats

    profile = cProfile.Profile(time.thread_time)  # CPU: a shared machine preempts
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        order = os.environ.get("APP_BENCH_PROFILE_SORT", "tottime")  # or cumulative
        match = os.environ.get("APP_BENCH_PROFILE_MATCH")  # e.g. dexter_tui: our code only
        restrictions: list[object] = [match, 40] if match else [25]
        pstats.Stats(profile, stream=sys.stderr).sort_stats(order).print_stats(*restrictions)


async def wait_until(check: Callable[[], bool], limit: float = 300.0) -> None:
    deadline = time.perf_counter() + limit
    while not check():
        if time.perf_counter() > deadline:
            raise TimeoutError("benchmark step did not finish")
        await asyncio.sleep(0.001)


async def measure(mode: str, size: int, idle: float, typed: str) -> Figures:
    from dexter_tui.config import Secret, Settings
    from dexter_tui.sentry.client import SentryClient
    from dexter_tui.services import actions
    from dexter_tui.tui.factory import build_app, build_context
    from dexter_tui.tui.widgets.fast_table import FastTable

    if mode == "before":
        install_before()
    world, demo_app, templates = await demo_world()
    now = time.time()
    issues = vary(templates, size + 20 * PAGE, now)  # pages beyond N: NearEnd may load some
    transport = BenchTransport(world.org_slug, issues, demo_app)
    del issues
    settings = Settings(
        url="http://demo.test",
        token=Secret(world.token),
        org=world.org_slug,
        poll_interval=3600.0,
        max_concurrency=4,
        default_query="",
    )
    client = SentryClient("http://demo.test", world.token, transport=transport, max_concurrency=4)
    ctx = build_context(settings, client=client, action_log_path=Path(os.devnull))
    ctx.show_rate = False
    app = build_app(ctx)
    fig = Figures(mode, size)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.issues_screen
        await wait_until(lambda: screen.feed.loaded_once and screen.table.row_count > 0)
        await pilot.pause()
        table = screen.query_one("#issues", FastTable)
        frames = Frames(app, table)
        lag = LoopLag()

        # load N issues, page by page, the way NearEnd does
        rss_before = rss_bytes()
        started = time.perf_counter()
        while len(screen.feed.order) < size and screen.feed.has_more:
            added = await screen.feed.load_more()
            table.append_rows(screen._row(i) for i in added)
        table.has_more = screen.feed.has_more
        fig.load_s = time.perf_counter() - started
        await pilot.pause()
        fig.rss_per_issue = (rss_bytes() - rss_before) / max(1, len(screen.feed.order))
        fig.rss_mib = rss_bytes() / 2**20

        # a full rebuild: rows built and the table ready
        frames.arm()
        started = time.perf_counter()
        screen._show_rows(track_new=False)
        await frames.wait()
        await wait_until(lambda: table._model.index_ready)
        fig.table_ready_ms = (time.perf_counter() - started) * 1000

        async def tick() -> float:
            frames.arm()
            before = screen.poll_status.last_success
            started = time.perf_counter()
            screen.poll()
            await wait_until(lambda: screen.poll_status.last_success != before)
            await app.workers.wait_for_complete()
            if frames.drew or screen.table.new_keys:
                with contextlib.suppress(TimeoutError):
                    await frames.wait(limit=1.0)
            return (time.perf_counter() - started) * 1000

        lag.start()
        for _ in range(3):
            with profiled("idle"):
                fig.poll_idle_ms.append(await tick())
        fig.poll_idle_block_ms = await lag.stop() * 1000
        fig.poll_block_cpu_ms = lag.worst_cpu * 1000
        firsts = []  # made before the clock starts: the benchmark's own work is no UI block
        for serial in range(1, 4):
            transport.change_first_page(new=2, changed=3, serial=serial)
            firsts.append(transport.first)
        lag.start()
        for first in firsts:
            transport.first = first
            with profiled("busy"):
                fig.poll_busy_ms.append(await tick())
        fig.poll_busy_block_ms = await lag.stop() * 1000
        fig.poll_block_cpu_ms = max(fig.poll_block_cpu_ms, lag.worst_cpu * 1000)
        transport.reset_first_page()
        await tick()

        # typing a filter through the pilot, at Textual's frame pace
        screen.action_focus_query()
        await pilot.pause()
        query = screen.query_one("#query")
        query.value = ""
        await pilot.pause()
        lag.start()
        for key in [*typed, *["backspace"] * 3]:
            frames.arm()
            started, cpu = time.perf_counter(), time.process_time()
            with profiled("filter"):
                await pilot.press("space" if key == " " else key)
                try:
                    at = await frames.wait(limit=5.0)
                except TimeoutError:
                    at = time.perf_counter()
            fig.filter_char_ms.append((at - started) * 1000)
            fig.filter_char_cpu_ms.append((time.process_time() - cpu) * 1000)
        fig.filter_block_ms = await lag.stop() * 1000
        # one more page while the priority sort and a filter are on
        table.sort_by("priority", reverse=True)
        if screen.feed.has_more:
            added = await screen.feed.load_more()
            rows = [screen._row(i) for i in added]
            started = time.perf_counter()
            table.append_rows(rows)
            fig.page_sorted_ms = (time.perf_counter() - started) * 1000
        query.value = ""
        await pilot.press("escape")
        screen._apply_sort()
        await pilot.pause()

        # idle CPU with 30 s polls
        if idle > 0:
            screen.poll_status.interval = 30.0
            screen._schedule_poll(30.0)
            await pilot.pause()
            cpu, wall = time.process_time(), time.perf_counter()
            with profiled("idle-window"):
                await asyncio.sleep(idle)
            fig.idle_cpu_pct = (time.process_time() - cpu) / (time.perf_counter() - wall) * 100
            screen._schedule_poll(None)

        # bulk resolve of 1,000 marked issues
        keys = table.visible_keys()[:1000]
        table.mark(*keys)
        await pilot.pause()
        lag.start()
        started = time.perf_counter()
        screen._send(actions.resolve(), screen.selection())

        def done() -> bool:
            feed = screen.feed.issues
            return all(feed[k].status == "resolved" for k in keys if k in feed)

        await wait_until(done)
        frames.arm()
        screen.refresh()
        await app.workers.wait_for_complete()
        fig.bulk_s = time.perf_counter() - started
        fig.bulk_block_ms = await lag.stop() * 1000
        fig.bulk_puts = transport.puts
    return fig


# -- the demo server's own figures ------------------------------------------------------------


def server_figures(db: Path) -> list[str]:
    """First vs last page of the issue list and a 1,000-id bulk PUT, on a `--large` database."""
    from dexter_tui.demo.server import ServerOptions, create_app  # noqa: I001 - before pagination
    from dexter_tui.demo.pagination import _caches
    from dexter_tui.demo.store import Store
    from dexter_tui.demo.world import load_world

    store = Store(db)
    world = load_world(store)
    app = create_app(store, ServerOptions())

    async def run() -> list[str]:
        lines = ["| demo server | ms |", "|---|---:|"]
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://demo.test",
            headers={"Authorization": f"Bearer {world.token}"},
            timeout=600,
        ) as client:
            path = f"/api/0/organizations/{world.org_slug}/issues/"
            params: dict[str, Any] = {"query": "", "limit": 100, "statsPeriod": "14d"}
            started = time.perf_counter()
            first = await client.get(path, params=params)
            first_ms = (time.perf_counter() - started) * 1000
            hits = int(first.headers["X-Hits"])
            lines.append(f"| first page ({hits:,} hits) | {first_ms:.0f} |")
            cursor = first.links["next"]["url"]
            started = time.perf_counter()
            await client.get(cursor)
            lines.append(f"| second page | {(time.perf_counter() - started) * 1000:.0f} |")
            # walk to the end the way a client does, timing the last pages
            url: str | None = cursor
            times: list[float] = []
            pages = 1
            last_url = url
            while url:
                last_url = url
                started = time.perf_counter()
                response = await client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                pages += 1
                nxt = response.links.get("next") or {}
                url = nxt.get("url") if nxt.get("results") == "true" else None
            lines.append(f"| last page (page {pages:,}), seeking by key | {times[-1]:.0f} |")
            lines.append(f"| median page over the walk | {statistics.median(times):.0f} |")
            # the baseline: the same last page by OFFSET (what every page cost before the cache)
            _caches.pop(store, None)
            started = time.perf_counter()
            await client.get(last_url)
            lines.append(
                f"| the same last page by OFFSET, count not cached (baseline) "
                f"| {(time.perf_counter() - started) * 1000:.0f} |"
            )
            ids = [i["id"] for i in first.json()]
            page_url = cursor
            while len(ids) < 1000 and page_url:
                more = await client.get(page_url)
                ids += [i["id"] for i in more.json()]
                page_url = more.links["next"]["url"]
            started = time.perf_counter()
            for start in range(0, 1000, 100):
                chunk = ids[start : start + 100]
                await client.put(
                    path, params=[("id", i) for i in chunk], json={"status": "resolved"}
                )
            bulk_ms = (time.perf_counter() - started) * 1000
            lines.append(f"| bulk resolve 1,000 (10 PUTs) | {bulk_ms:.0f} |")
        return lines

    try:
        return asyncio.run(run())
    finally:
        store.close()


# -- report --------------------------------------------------------------------------------


def med(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def report(results: list[Figures]) -> list[str]:
    lines = [
        "| loaded | mode | table ready ms | poll idle ms | poll busy ms | poll block ms (max) "
        "| its CPU ms | filter ms/char (median / max) | its CPU ms | filter block ms "
        "| page+sort ms | bulk 1,000 s | bulk block ms | RSS B/issue | RSS MiB | idle CPU % |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for f in results:
        idle = "—" if f.idle_cpu_pct is None else f"{f.idle_cpu_pct:.2f}"
        block = max(f.poll_idle_block_ms, f.poll_busy_block_ms)
        lines.append(
            f"| {f.size:,} | {f.mode} | {f.table_ready_ms:.0f} | {med(f.poll_idle_ms):.0f} "
            f"| {med(f.poll_busy_ms):.0f} | {block:.0f} | {f.poll_block_cpu_ms:.0f} "
            f"| {med(f.filter_char_ms):.0f} / {max(f.filter_char_ms or [0]):.0f} "
            f"| {med(f.filter_char_cpu_ms):.0f} "
            f"| {f.filter_block_ms:.0f} | {f.page_sorted_ms:.1f} | {f.bulk_s:.2f} "
            f"| {f.bulk_block_ms:.0f} | {f.rss_per_issue:,.0f} | {f.rss_mib:.0f} | {idle} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 20_000, 100_000])
    parser.add_argument("--modes", nargs="+", default=["before", "after"])
    parser.add_argument("--idle", type=float, default=65.0, help="idle CPU window, s (0: skip)")
    parser.add_argument("--idle-all", action="store_true", help="idle CPU at every size")
    parser.add_argument("--typed", default="error 42", help="what is typed into the filter")
    parser.add_argument("--server", type=Path, help="a `--large` demo database: server figures")
    parser.add_argument("--server-only", action="store_true", help="only the server figures")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        fig = asyncio.run(measure(args.child[0], int(args.child[1]), args.idle, args.typed))
        print("RESULT " + json.dumps(asdict(fig)), flush=True)
        return
    import textual

    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"Textual {textual.__version__}, Python {sys.version.split()[0]}, terminal {SIZE}, "
        f"{os.cpu_count()} CPUs, load average {load} at the start",
        flush=True,
    )
    results = []
    for size in [] if args.server_only else args.sizes:
        for mode in args.modes:
            idle = args.idle if (args.idle_all or size == max(args.sizes)) else 0.0
            cmd = [sys.executable, __file__, "--child", mode, str(size), "--idle", str(idle)]
            cmd += ["--typed", args.typed]
            proc = subprocess.run(cmd, capture_output=True, text=True, env=os.environ)
            line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
            if line is None:
                print(proc.stdout[-2000:], proc.stderr[-4000:], file=sys.stderr)
                raise SystemExit(f"{mode} {size}: the child failed")
            fig = Figures(**json.loads(line[7:]))
            results.append(fig)
            print(
                f"  {mode:6} {size:>7,}: loaded in {fig.load_s:.1f} s, "
                f"poll block {max(fig.poll_idle_block_ms, fig.poll_busy_block_ms):.0f} ms, "
                f"filter {med(fig.filter_char_ms):.0f} ms/char, bulk {fig.bulk_s:.2f} s",
                flush=True,
            )
    if results:
        print()
        print("\n".join(report(results)))
    if args.server:
        print()
        print("\n".join(server_figures(args.server)))
    for section in EXTRA_SECTIONS:
        print()
        print("\n".join(section()))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nload average {load} at the end")


if __name__ == "__main__":
    main()
