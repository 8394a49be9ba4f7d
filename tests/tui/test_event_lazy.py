"""A large event opens at its top: the first screens of frames are mounted before the first
paint, the rest follow in small batches (or at once when `j` reaches them); the Raw tab's lines
are built the first time the tab is shown."""

from __future__ import annotations

import json

from dexter_tui.demo.ingest import ingest_event
from dexter_tui.tui.screens.event_detail import EventDetailScreen
from dexter_tui.tui.widgets.event_stack import FrameItem, StackPane
from tests.conftest import SEED_NOW
from tests.tui.conftest import settle

SIZE = (120, 36)
FRAMES = 150


def _deep_event() -> dict:
    frames = [
        {
            "filename": f"app/step_{n}.py",
            "module": f"app.step_{n}",
            "function": f"step_{n}",
            "lineno": 10 + n,
            "in_app": True,
            "pre_context": ["a = 1", "b = 2"],
            "context_line": f"return step_{n + 1}()",
            "post_context": ["c = 3"],
        }
        for n in range(FRAMES)
    ]
    return {
        "event_id": "ef" * 16,
        "timestamp": SEED_NOW - 5,
        "platform": "python",
        "level": "error",
        "exception": {
            "values": [
                {"type": "DeepStackError", "value": "deep", "stacktrace": {"frames": frames}}
            ]
        },
    }


async def test_a_deep_stack_mounts_its_first_screens_then_the_rest(
    make_app, seeded_store, seeded_world
) -> None:
    project = seeded_world.projects["checkout-api"]
    ingest_event(seeded_store, project.project_id, _deep_event(), received=SEED_NOW - 4)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        issues = app.screen
        key = next(k for k, i in issues.feed.issues.items() if "DeepStackError" in i.title)
        assert issues.table.move_cursor_to_key(key)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EventDetailScreen)
        assert screen.lines is None  # the Raw tab was never shown: its lines were not built
        stack = screen.pane("stack")
        assert isinstance(stack, StackPane)
        assert len(stack.frame_items) == FRAMES  # all there once the app is idle
        assert stack.pending == 0

        exceptions, threads = screen.prepared.stack(
            screen.event, in_app_only=True, newest_first=screen.newest_first
        )
        await stack.show(exceptions, threads, mask=False, in_app_only=True)
        first = len(stack.frame_items)
        assert 0 < first < FRAMES // 4  # a couple of screens, not the whole stack
        assert stack.pending > 0

        stack.frame_items[-1].focus()
        await pilot.press("j")  # past the last mounted frame: the next ones exist at once
        await pilot.pause()
        focused = app.focused
        assert isinstance(focused, FrameItem)
        assert len(stack.frame_items) > first
        assert focused is stack.frame_items[first]
        await settle(pilot)
        assert len(stack.frame_items) == FRAMES

        screen.show_tab("raw")
        await settle(pilot)
        assert screen.lines is not None
        assert screen.pane("raw").ready
        assert "DeepStackError" in "\n".join(screen.pane("raw").view.lines)


def _large_event(frames: int, crumbs: int) -> dict:
    """A Python event of about 1 MB: frames with source and variables, thousands of crumbs."""
    source = ["def f(x):", "    y = x + 1", "    return g(y)", "# end"]
    return {
        "event_id": "ab" * 16,
        "timestamp": SEED_NOW - 5,
        "platform": "python",
        "level": "error",
        "exception": {
            "values": [
                {
                    "type": "MegabyteError",
                    "value": "a large event",
                    "stacktrace": {
                        "frames": [
                            {
                                "filename": f"app/big_{n}.py",
                                "module": f"app.big_{n}",
                                "function": f"big_{n}",
                                "lineno": 20 + n,
                                "in_app": True,
                                "pre_context": source[:2],
                                "context_line": source[2],
                                "post_context": source[3:],
                                "vars": {"x": str(n), "notes": "x" * 2000},
                            }
                            for n in range(frames)
                        ]
                    },
                }
            ]
        },
        "breadcrumbs": {
            "values": [
                {"timestamp": SEED_NOW - 600 + n * 0.01, "category": "query", "message": f"q {n}"}
                for n in range(crumbs)
            ]
        },
    }


async def _open_titled(pilot, title: str) -> EventDetailScreen:
    await settle(pilot)
    issues = pilot.app.screen
    key = next(k for k, i in issues.feed.issues.items() if title in i.title)
    assert issues.table.move_cursor_to_key(key)
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, EventDetailScreen)
    return screen


def _on_screen(widget) -> bool:
    """The widget is laid out inside the visible part of its scrolling pane."""
    body = widget.screen.query_one("#stack-body")
    return widget.region.height > 0 and body.region.contains_region(widget.region)


async def test_j_walks_past_the_first_screens_to_the_last_frame(
    make_app, seeded_store, seeded_world
) -> None:
    """Frames beyond the first screens exist the moment `j` needs them, down to the last."""
    project = seeded_world.projects["checkout-api"]
    ingest_event(seeded_store, project.project_id, _deep_event(), received=SEED_NOW - 4)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_titled(pilot, "DeepStackError")
        stack = screen.pane("stack")
        assert isinstance(stack, StackPane)
        exceptions, threads = screen.prepared.stack(
            screen.event, in_app_only=True, newest_first=screen.newest_first
        )
        await stack.show(exceptions, threads, mask=False, in_app_only=True)
        assert stack.pending > 0  # only the first screens are mounted
        stack.focus_first_frame()
        await pilot.pause()
        for _ in range(FRAMES - 1):
            await pilot.press("j")
        await pilot.pause()
        focused = app.focused
        assert isinstance(focused, FrameItem)
        last = exceptions[0].stack.frames[-1]
        assert focused.frame is last
        assert _on_screen(focused)
        await settle(pilot)
        assert stack.pending == 0
        assert len(stack.frame_items) == FRAMES


async def test_a_megabyte_event_shows_its_whole_stack_down_to_the_end(
    make_app, seeded_store, seeded_world
) -> None:
    """A ~1 MB event: every frame is there and the last one is on screen after `end`; the
    breadcrumbs tab holds every crumb (filled after the stack)."""
    project = seeded_world.projects["checkout-api"]
    event = _large_event(frames=180, crumbs=9000)
    assert len(json.dumps(event)) > 1_000_000
    ingest_event(seeded_store, project.project_id, event, received=SEED_NOW - 4)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_titled(pilot, "MegabyteError")
        stack = screen.pane("stack")
        assert isinstance(stack, StackPane)
        assert stack.pending == 0
        items = stack.frame_items
        assert [i.frame.function for i in items] == [f"big_{n}" for n in range(180)]
        assert isinstance(app.focused, FrameItem)
        await pilot.press("end")
        await pilot.pause()
        assert _on_screen(items[-1])
        assert not _on_screen(items[0])
        screen.show_tab("breadcrumbs")
        await settle(pilot)
        assert screen.pane("breadcrumbs").table.row_count == 9000


async def test_the_tabs_mounted_after_the_stack_show_the_event(
    make_app, seeded_store, seeded_world
) -> None:
    """Only the stack (and the tab asked for) are composed with the screen; the other tabs are
    mounted once the stack is shown, and each then holds the event's data."""
    project = seeded_world.projects["checkout-api"]
    ingest_event(seeded_store, project.project_id, _deep_event(), received=SEED_NOW - 4)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open_titled(pilot, "DeepStackError")
        for tab_id in ("breadcrumbs", "context", "request", "raw", "tags"):
            screen.show_tab(tab_id)
            await settle(pilot)
            assert screen.active_tab == tab_id
            assert screen.pane(tab_id).ready, tab_id
        assert "DeepStackError" in "\n".join(screen.pane("raw").view.lines)
        context = screen.pane("context").query_one(".pane-text").content
        assert "This event has no context." in str(context)  # filled, not a spinner


async def test_an_event_that_fails_to_load_says_so_in_every_event_tab(make_app) -> None:
    """The panes mounted after a failed load show the failure too (r retries)."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        issues = app.screen
        issue = issues.feed.issues[issues.table.visible_keys()[0]]
        app.push_screen(EventDetailScreen(app.ctx, issue, event_id="0" * 32))
        await settle(pilot)
        screen = next(s for s in app.screen_stack if isinstance(s, EventDetailScreen))
        for tab_id in ("stack", "breadcrumbs", "context", "request"):
            pane = screen.pane(tab_id)
            assert not pane.ready, tab_id
            assert "Could not load this pane" in str(pane.status.render()), tab_id
