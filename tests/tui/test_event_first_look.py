"""A megabyte event: its crashing frames are on the first screen painted with its stack, before
its breadcrumbs are read; the frames are not drawn twice, and every other tab then shows the
whole event. The footers redraw only when their keys change."""

from __future__ import annotations

import json

from textual.widgets._footer import FooterKey

from dexter_tui.demo.ingest import ingest_event
from dexter_tui.tui.screens.event_detail import EventDetailScreen
from dexter_tui.tui.widgets.event_stack import FrameItem, StackPane
from tests.conftest import SEED_NOW
from tests.tui.conftest import settle
from tests.tui.test_event_lazy import _large_event

SIZE = (120, 36)


class FirstStackPaint:
    """What the first painted screen update holding a frame of the stack showed."""

    def __init__(self, app) -> None:
        self.frames: list[FrameItem] | None = None
        self.text = ""
        self.event_read_whole: bool | None = None
        original = app._display

        def display(screen, renderable) -> None:
            original(screen, renderable)
            current = app.screen
            if self.frames is not None or not isinstance(current, EventDetailScreen):
                return
            visible = current._compositor.visible_widgets
            frames = [w for w in visible if isinstance(w, FrameItem)]
            if frames:
                self.frames = frames
                self.text = "\n".join(
                    "".join(s.text for s in strip) for strip in current._compositor.render_strips()
                )
                self.event_read_whole = current.event is not None

        app._display = display


async def test_a_megabyte_event_paints_its_crashing_frames_before_reading_its_crumbs(
    make_app, seeded_store, seeded_world
) -> None:
    project = seeded_world.projects["checkout-api"]
    event = _large_event(frames=180, crumbs=9000)
    assert len(json.dumps(event)) > 1_000_000
    ingest_event(seeded_store, project.project_id, event, received=SEED_NOW - 4)
    app = make_app()
    probe = FirstStackPaint(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        issues = app.screen
        key = next(k for k, i in issues.feed.issues.items() if "MegabyteError" in i.title)
        assert issues.table.move_cursor_to_key(key)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EventDetailScreen)

        # the first paint with frames: the exception and the crashing (newest) frames
        assert probe.frames, "no frame was painted"
        assert probe.event_read_whole is False  # drawn from the first look
        assert "MegabyteError: a large event" in probe.text
        newest = "big_179" if screen.newest_first else "big_0"
        assert newest in probe.text
        assert "return g(y)" in probe.text  # its source line

        # the whole event arrived after: the same frames stayed (not drawn twice)
        stack = screen.pane("stack")
        assert isinstance(stack, StackPane)
        assert screen.event is not None
        assert len(screen.event.breadcrumbs) == 9000
        assert all(item in stack.frame_items for item in probe.frames)
        assert isinstance(app.focused, FrameItem)

        screen.show_tab("breadcrumbs")
        await settle(pilot)
        assert screen.pane("breadcrumbs").table.row_count == 9000
        screen.show_tab("raw")
        await settle(pilot)
        raw = "\n".join(screen.pane("raw").view.lines)
        assert "q 8999" in raw
        assert "MegabyteError" in raw

        # toggles still redraw the stack from the whole event
        screen.show_tab("stack")
        await settle(pilot)
        before = list(stack.frame_items)
        await pilot.press("f")
        await settle(pilot)
        assert stack.frame_items
        assert stack.frame_items[0] not in before


def _footer_keys(screen) -> list[FooterKey]:
    return list(screen.query(FooterKey))


async def test_footers_redraw_only_when_their_keys_change(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        issues = app.screen
        listed = _footer_keys(issues)
        labels = [k.description for k in listed]
        assert "Resolve" in labels
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, EventDetailScreen)
        assert _footer_keys(issues) == listed  # not rebuilt under the event screen
        keys = _footer_keys(screen)
        assert "Variables" in [k.description for k in keys]  # a frame has the focus
        screen.show_tab("breadcrumbs")
        await settle(pilot)
        assert "Variables" not in [k.description for k in _footer_keys(screen)]
        await pilot.press("q")
        await settle(pilot)
        assert app.screen is issues
        assert [k.description for k in _footer_keys(issues)] == labels
