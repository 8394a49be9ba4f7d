"""A worker that settles what it loaded (`memory.settle` freezes the collector's objects) is freed
once it is done: frozen while it ran, its cycle with its task's context used to be kept forever
(~2.3 KB a page; 2.3 MiB over a full load of 100k issues)."""

from __future__ import annotations

import asyncio
import contextvars
import gc
import weakref
from collections.abc import Iterator

import pytest
from textual import work
from textual.app import App
from textual.widgets import Static
from textual.worker import active_worker

from dexter_tui.sentry.models import Issue
from dexter_tui.services import memory
from dexter_tui.tui.pilot_helpers import settle
from dexter_tui.tui.worker_release import releases_worker


@pytest.fixture
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()


class Loader(App[None]):
    @work(group="page", exit_on_error=False)
    @releases_worker
    async def load_page(self) -> int:
        await asyncio.sleep(0)
        memory.settle()  # as a page of issues is settled, inside the worker that loaded it
        return 1


async def test_a_worker_that_settles_is_freed_once_done(unfrozen: None) -> None:
    app = Loader()
    done: list[weakref.ref[object]] = []
    async with app.run_test() as pilot:
        for _ in range(5):
            done.append(weakref.ref(app.load_page()))
            await app.workers.wait_for_complete()
            await pilot.pause()
        assert gc.get_freeze_count() > 0  # what lived was frozen
        await pilot.pause()
        assert [ref() for ref in done[:-1]] == [None] * 4  # freed: not frozen in a cycle


async def test_the_issue_lists_page_workers_leave_no_cycle_behind(make_app) -> None:
    """The list's page workers end with their task's context no longer holding them (timers
    their requests set may hold a copy for a while: no cycle, freed when those expire)."""
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        screen = app.issues_screen
        tasks: list[asyncio.Task[object]] = []
        feed_load_more = screen.feed.load_more

        async def recorded() -> list[Issue]:
            task = asyncio.current_task()
            assert task is not None
            assert active_worker.get().name == "load_more"
            tasks.append(task)
            return await feed_load_more()

        screen.feed.load_more = recorded  # type: ignore[method-assign]
        screen.feed.page_size = 10  # the seeded list in pages of 10: the table asks for more
        await screen.load_first().wait()
        for _ in range(20):
            await app.workers.wait_for_complete()
            await settle(pilot)
        assert len(screen.feed.order) == 62
        assert "Issues 62" in str(screen.query_one("#context", Static).render())
        assert len(tasks) >= 6  # every page after the first
        for task in tasks:
            assert task.done()
            context = next(r for r in gc.get_referents(task) if isinstance(r, contextvars.Context))
            assert context.get(active_worker, None) is None
