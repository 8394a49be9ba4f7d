"""A large event opens at its top: the first screens of frames are mounted before the first
paint, the rest follow in small batches (or at once when `j` reaches them); the Raw tab's lines
are built the first time the tab is shown."""

from __future__ import annotations

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
