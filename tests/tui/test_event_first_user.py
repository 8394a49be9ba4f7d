"""What a first user tripped on in the event detail (issue 15): the selected frame must be
obvious without colour, and `enter` again in the raw tab's search goes to the next match."""

from __future__ import annotations

import html
import re

from dexter_tui.tui.screens.event_detail import EventDetailScreen
from dexter_tui.tui.screens.issues import IssuesScreen
from dexter_tui.tui.widgets.event_stack import FrameItem
from tests.tui.conftest import settle

SIZE = (120, 36)
SVG_TEXT = re.compile(r'<text class="[^"]*" x="([\d.]+)" y="([\d.]+)"[^>]*>(.*?)</text>')


def screen_lines(app) -> list[str]:
    """The screen as lines of plain text, read back from its SVG screenshot."""
    lines: dict[float, list[tuple[float, str]]] = {}
    for x, y, text in SVG_TEXT.findall(app.export_screenshot()):
        lines.setdefault(float(y), []).append((float(x), html.unescape(text)))
    return [
        "".join(t for _, t in sorted(parts)).replace("\xa0", " ")
        for _, parts in sorted(lines.items())
    ]


async def _open(pilot) -> EventDetailScreen:
    await settle(pilot)
    assert isinstance(pilot.app.screen, IssuesScreen)
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, EventDetailScreen)
    return screen


def _marked(app) -> list[str]:
    return [line for line in screen_lines(app) if "▶" in line]


async def test_the_selected_frame_is_marked_with_a_glyph_and_reverse_video(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        await pilot.press("f", "j")  # the full stack (several frames on screen), its first
        await settle(pilot)
        frames = list(screen.query(FrameItem))
        assert len(frames) >= 2
        first = app.focused
        assert isinstance(first, FrameItem)
        marked = _marked(app)
        assert len(marked) == 1, marked  # exactly one frame reads as selected
        assert first.frame.function in marked[0]
        # an attribute, not a shade: visible in 16 colours and monochrome
        head = first.render_line(0)
        assert any(s.style is not None and s.style.reverse for s in head if s.text.strip())
        await pilot.press("j")
        await pilot.pause()
        second = app.focused
        assert isinstance(second, FrameItem)
        assert second is not first
        marked = _marked(app)
        assert len(marked) == 1, marked
        assert second.frame.function in marked[0]
        head = first.render_line(0)
        assert not any(s.style is not None and s.style.reverse for s in head if s.text.strip())


async def test_enter_again_in_the_raw_search_goes_to_the_next_match(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await _open(pilot)
        screen.show_tab("raw")
        await settle(pilot)
        raw = screen.pane("raw")
        await pilot.press("slash", *"filename", "enter")
        await pilot.pause()
        assert len(raw.matches) >= 3
        assert raw.view.current == raw.matches[0]
        assert f"match 1/{len(raw.matches)}" in "\n".join(screen_lines(app))
        await pilot.press("enter")
        await pilot.pause()
        assert raw.view.current == raw.matches[1]
        assert f"match 2/{len(raw.matches)}" in "\n".join(screen_lines(app))
        await pilot.press("enter")
        await pilot.pause()
        assert raw.view.current == raw.matches[2]
