"""The raw tab: the event JSON, pretty-printed, searchable, drawn one visible line at a time.

A multi-megabyte event is hundreds of thousands of lines; `RawJsonView.render_line` styles only
the lines on screen (cached), so opening and scrolling cost follows the terminal height. Lines are
cleaned of control characters before display; JSON escapes them anyway, masking is per line.
"""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.cache import LRUCache
from textual.containers import Vertical
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Input, Static

from dexter_tui.services.events import search_lines
from dexter_tui.tui.widgets.event_pane import EventPane
from dexter_tui.tui.widgets.event_text import shown_str

_KEY = re.compile(r'^(\s*)("(?:[^"\\]|\\.)*")(:)')
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NUMBER = re.compile(r"-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b|\btrue\b|\bfalse\b|\bnull\b")

KEY_STYLE = Style(color="cyan", bold=True)
STRING_STYLE = Style(color="green")
NUMBER_STYLE = Style(color="magenta")
MATCH_STYLE = Style(reverse=True)
CURRENT_STYLE = Style(bgcolor="grey30")


def style_line(line: str, needle: str = "") -> Text:
    """JSON colouring of one pretty-printed line, with search matches reversed."""
    text = Text(line, end="", no_wrap=True)
    rest = 0
    key = _KEY.match(line)
    if key:
        text.stylize(KEY_STYLE, key.start(2), key.end(2))
        rest = key.end(3)
    strings = [(m.start(), m.end()) for m in _STRING.finditer(line, rest)]
    for start, end in strings:
        text.stylize(STRING_STYLE, start, end)
    for match in _NUMBER.finditer(line, rest):
        if not any(a <= match.start() < b for a, b in strings):
            text.stylize(NUMBER_STYLE, match.start(), match.end())
    if needle:
        folded, low = needle.casefold(), line.casefold()
        start = low.find(folded)
        while start >= 0 and len(low) == len(line):
            text.stylize(MATCH_STYLE, start, start + len(needle))
            start = low.find(folded, start + len(needle))
    return text


class RawJsonView(ScrollView, can_focus=True):
    """Read-only lines through the line API; `current` is the line of the search match shown."""

    DEFAULT_CSS = "RawJsonView { height: 1fr; background: $surface; }"

    BINDINGS = [
        Binding("j,down", "scroll_lines(1)", "Down", show=False, id="event.raw.down"),
        Binding("k,up", "scroll_lines(-1)", "Up", show=False, id="event.raw.up"),
        Binding("g,home", "scroll_to_top", "Top", show=False, id="event.raw.top"),
        Binding("G,end", "scroll_to_end", "Bottom", show=False, id="event.raw.bottom"),
        Binding("pagedown,space", "page(1)", "Page down", show=False, id="event.raw.page_down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="event.raw.page_up"),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.lines: list[str] = []
        self.needle = ""
        self.current: int | None = None
        self.mask = False
        self._cache: LRUCache[tuple[int, int, str, bool, bool], Strip] = LRUCache(1024)
        self._width = 0

    def set_lines(self, lines: list[str], *, mask: bool) -> None:
        self.lines = lines
        self.mask = mask
        self._cache.clear()
        self._width = max((cell_len(x) for x in lines[:5000]), default=0)
        self.virtual_size = Size(self._width + 1, len(lines))
        self.scroll_to(0, 0, animate=False)
        self.refresh()

    def set_search(self, needle: str, current: int | None) -> None:
        self.needle = needle
        self.current = current
        self._cache.clear()
        self.refresh()
        if current is not None:
            top = max(0, current - self.scrollable_content_region.height // 3)
            self.scroll_to(y=top, animate=False)

    def style_line(self, line: str) -> Text:
        """How one (cleaned, masked) line looks: JSON colours here; plain text in subclasses."""
        return style_line(line, self.needle)

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.scrollable_content_region.width
        if index >= len(self.lines):
            return Strip.blank(width)
        key = (index, scroll_x, self.needle, self.mask, index == self.current)
        cached = self._cache.get(key)
        if cached is None or cached.cell_length != width:
            text = self.style_line(shown_str(self.lines[index], self.mask))
            segments = list(text.render(self.app.console))
            strip = Strip(segments).crop(scroll_x, scroll_x + width)
            if index == self.current:
                strip = strip.apply_style(CURRENT_STYLE)
            cached = strip.extend_cell_length(width)
            self._cache[key] = cached
        return cached.apply_offsets(scroll_x, index)

    def action_scroll_lines(self, step: int) -> None:
        self.scroll_to(y=self.scroll_y + step, animate=False)

    def action_page(self, step: int) -> None:
        self.scroll_to(
            y=self.scroll_y + step * self.scrollable_content_region.height, animate=False
        )

    def action_scroll_to_top(self) -> None:
        self.scroll_home(animate=False)

    def action_scroll_to_end(self) -> None:
        self.scroll_end(animate=False)


class RawPane(EventPane):
    """The JSON view and its search box: `/` focuses it, `enter` jumps to the next match."""

    what = "the raw event"

    DEFAULT_CSS = """
    RawPane #raw-search { height: 1; border: none; padding: 0 1; background: $surface; }
    RawPane #raw-search:focus { background: $boost; }
    RawPane #raw-info { height: 1; padding: 0 1; color: $text-muted; }
    """

    BINDINGS = [
        Binding("slash", "focus_search", "Search", id="event.raw.search"),
        # after the first enter the JSON has the focus: enter again still means "next match"
        Binding("enter", "next_match", "Next match", id="event.raw.next_match"),
    ]

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.matches: list[int] = []
        self.match_index = -1
        self._fresh = False

    def compose_body(self) -> ComposeResult:
        with Vertical(classes="pane-body"):
            yield Input(placeholder="/ search the JSON (enter: next match)", id="raw-search")
            yield Static(id="raw-info")
            yield RawJsonView(id="raw")

    @property
    def view(self) -> RawJsonView:
        return self.query_one(RawJsonView)

    def show(self, lines: list[str], *, mask: bool) -> None:
        self.view.set_lines(lines, mask=mask)
        self._search(self.query_one("#raw-search", Input).value, advance=False)

    def action_focus_search(self) -> None:
        self.query_one("#raw-search", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_match":
            return bool(self.matches)  # shown (and bound) only while a search has matches
        return True

    def action_next_match(self) -> None:
        self._search(self.query_one("#raw-search", Input).value, advance=True)

    @on(Input.Changed, "#raw-search")
    def _changed(self, event: Input.Changed) -> None:
        self._fresh = True
        self._search(event.value, advance=False)

    @on(Input.Submitted, "#raw-search")
    def _next(self, event: Input.Submitted) -> None:
        """The first enter after typing keeps the first match; later ones go to the next."""
        if not self._fresh:
            self._search(event.value, advance=True)
        self._fresh = False
        self.view.focus()

    def _search(self, needle: str, *, advance: bool) -> None:
        view = self.view
        if advance and needle == view.needle and self.matches:
            self.match_index = (self.match_index + 1) % len(self.matches)
        else:
            self.matches = search_lines(view.lines, needle)
            self.match_index = 0 if self.matches else -1
        self.refresh_bindings()
        current = self.matches[self.match_index] if self.match_index >= 0 else None
        view.set_search(needle, current)
        info = f"{len(view.lines):,} lines"
        if needle:
            if self.matches:
                info += f" · match {self.match_index + 1}/{len(self.matches)} (line {current + 1})"
            else:
                info += " · no match"
        self.query_one("#raw-info", Static).update(info)

    def clear_search(self) -> bool:
        box = self.query_one("#raw-search", Input)
        had = bool(box.value) or box.has_focus
        box.value = ""
        self.view.focus()
        return had
