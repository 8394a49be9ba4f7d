"""The stack-trace tab: chained exceptions, frames with source and local variables, threads.

Frames are focusable rows (`j`/`k` move, `enter` shows or hides the frame's local variables).
Source lines are Python-highlighted with Rich's `Syntax`, which treats its input as code, never as
markup; the lines are cleaned of control characters first, so an escape sequence in a source
line or a variable is shown, not run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from rich.console import Group, RenderableType
from rich.style import Style
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Span, Text
from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from dexter_tui.services.event_blocks import EventBlocks
from dexter_tui.services.events import ExceptionView, FrameView, StackView, ThreadView
from dexter_tui.tui.widgets.event_blocks import BLOCKS_CSS, block_widgets, image_widgets
from dexter_tui.tui.widgets.event_pane import EventPane
from dexter_tui.tui.widgets.event_text import shown, shown_str

#: frames drawn at most per stack (deep recursion): the first and last halves
MAX_FRAMES = 200
#: widgets mounted per batch after the first screens, and the pause between batches (s)
REST_BATCH = 4
REST_PAUSE = 0.03


class _LaterFrame:
    """A frame's widget, made when it is mounted: a deep stack's hundreds of `FrameItem`s
    (Textual widgets, costly to create) are not built before the first ones are drawn."""

    __slots__ = ("frame", "mask")

    def __init__(self, frame: FrameView, mask: bool) -> None:
        self.frame = frame
        self.mask = mask

    def build(self) -> FrameItem:
        return FrameItem(self.frame, self.mask)


def _built(items: list[Static | _LaterFrame]) -> list[Static]:
    return [i.build() if isinstance(i, _LaterFrame) else i for i in items]


def _estimated_height(widget: Static | _LaterFrame) -> int:
    """Rows a widget will take, without laying it out: a frame is its head and source lines."""
    if isinstance(widget, FrameItem | _LaterFrame):
        return 2 + len(widget.frame.context)
    return 2


def _split_first_screens(
    widgets: list[Static | _LaterFrame], rows: int
) -> tuple[list[Static | _LaterFrame], list[Static | _LaterFrame]]:
    """The widgets that fill about `rows` rows (mounted before the first paint), and the rest."""
    used = 0
    for n, widget in enumerate(widgets):
        used += _estimated_height(widget)
        if used > rows:
            return widgets[: n + 1], widgets[n + 1 :]
    return widgets, []


_LEXER = Syntax("", "python", theme="monokai", background_color="default")
HOT_LINE = Style(bgcolor="grey23", bold=True)
#: the focused frame's gutter (others get blanks of the same width, so nothing shifts)
SELECTED = Text("▶ ", "bold")
UNSELECTED = Text("  ")


#: the theme's token styles without their background, by style (a theme has a few dozen)
_PLAIN: dict[Style, Style] = {}


def _plain_style(style: Style) -> Style:
    plain = _PLAIN.get(style)
    if plain is None:
        plain = Style(color=style.color, bold=style.bold, italic=style.italic)
        _PLAIN[style] = plain
    return plain


def _plain_background(text: Text) -> Text:
    """The theme's colours without its background, so code sits on the pane's own."""
    text.rstrip()
    text.style = ""
    text.spans = [
        Span(span.start, span.end, _plain_style(span.style))
        if isinstance(span.style, Style)
        else span
        for span in text.spans
    ]
    return text


def _context(frame: FrameView, mask: bool) -> Text | None:
    """Numbered source lines, the frame's line marked ❱ and reversed, Python-highlighted once.

    `Syntax.highlight` lexes the (cleaned) code into a `Text`; building the numbered lines from
    it here means layout passes redraw cached text instead of lexing again.
    """
    if not frame.context:
        return None
    numbers = [n for n, _ in frame.context]
    code = "\n".join(shown_str(line, mask).replace("\n", " ") for _, line in frame.context)
    highlighted = _plain_background(_LEXER.highlight(code))
    lines = highlighted.split("\n", allow_blank=True)
    width = len(str(max(numbers)))
    out = Text(no_wrap=True, overflow="ellipsis")
    for n, (number, line) in enumerate(zip(numbers, lines, strict=False)):
        hot = number == frame.line_no
        if n:
            out.append("\n")
        out.append("❱ " if hot else "  ", "bold red" if hot else "")
        out.append(f"{number:>{width}} ", "bold" if hot else "dim")
        line.rstrip()
        if hot:
            line.stylize(HOT_LINE)
        out.append_text(line)
    return out


def frame_label(frame: FrameView, mask: bool) -> Text:
    """`module.function` with the module in italics; else the function, file or address."""
    label = frame.label
    module = frame.module
    if module and label.startswith(module + ".") and label != module:
        text = Text()
        text.append_text(shown(module, mask, "italic"))
        text.append(".")
        text.append_text(shown(label[len(module) + 1 :], mask, "bold"))
        return text
    return shown(label, mask, "bold")


class FrameItem(Static, can_focus=True):
    """One frame: `module.function  file:line` and its source; variables when expanded."""

    DEFAULT_CSS = """
    FrameItem { height: auto; padding: 0 1; margin-bottom: 1; }
    FrameItem.-system { color: $text-muted; }
    FrameItem:focus { background: $boost; }
    FrameItem.-app { border-left: thick $accent; }
    """

    def __init__(self, frame: FrameView, mask: bool, *, expanded: bool = False) -> None:
        super().__init__(classes="-app" if frame.in_app else "-system")
        self.frame = frame
        self.mask = mask
        self.expanded = expanded
        self._source: Text | None = None
        self._cache: tuple[tuple[bool, bool], RenderableType] | None = None

    def toggle(self) -> None:
        self.expanded = not self.expanded
        self.refresh(layout=True)

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    def render(self) -> RenderableType:
        key = (self.expanded, self.has_focus)
        if self._cache is None or self._cache[0] != key:
            self._cache = (key, self._build())
        return self._cache[1]

    def _build(self) -> RenderableType:
        frame, mask = self.frame, self.mask
        head = Text()
        head.append("app  " if frame.in_app else "lib  ", "bold" if frame.in_app else "dim")
        head.append_text(frame_label(frame, mask))
        location = frame.location
        if location:
            head.append("  ")
            head.append_text(shown(location, mask, "underline" if frame.in_app else ""))
        if frame.instruction_addr and frame.label != frame.instruction_addr:
            head.append("  ")
            head.append_text(shown(frame.instruction_addr, False, "dim"))
        if frame.source_map:
            how = f" ({frame.resolved_with})" if frame.resolved_with else ""
            head.append(f"  source-mapped{how}", "dim green")
        elif frame.minified:
            head.append("  minified, no source map", "dim yellow")
        if frame.variables:
            sign = "▾" if self.expanded else "▸"
            head.append(f"  {sign} {len(frame.variables)} vars", "dim")
        if self.has_focus:  # a glyph and reverse video: the selection reads in 16 colours too
            head.stylize("reverse")
            head = Text.assemble(SELECTED, head)
        else:
            head = Text.assemble(UNSELECTED, head)
        parts: list[RenderableType] = [head]
        if self._source is None:
            self._source = _context(frame, mask) or Text("")
        if self._source.plain:
            parts.append(self._source)
        if self.expanded and frame.variables:
            table = Table.grid(padding=(0, 2))
            table.add_column(style="bold", no_wrap=True)
            table.add_column()
            for name, value in frame.variables:
                table.add_row(shown(name, mask), shown(value, mask, no_wrap=False))
            parts.append(table)
        return Group(*parts)


class StackPane(EventPane):
    """Exceptions (causal order), their frames, then the event's threads."""

    what = "the stack trace"

    DEFAULT_CSS = (
        """
    StackPane .exc-head { padding: 0 1; margin-bottom: 1; }
    StackPane .relation { padding: 0 1; color: $text-muted; text-style: italic; }
    StackPane .thread-head { padding: 0 1; background: $panel; margin-bottom: 1; }
    StackPane .hidden-note { padding: 0 1; color: $text-muted; margin-bottom: 1; }
    """
        + BLOCKS_CSS
    )

    BINDINGS = [
        Binding("j,down", "move(1)", "Next frame", show=False, id="event.stack.next"),
        Binding("k,up", "move(-1)", "Previous frame", show=False, id="event.stack.previous"),
        Binding("enter", "toggle_vars", "Variables", id="event.stack.vars"),
    ]

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self._pending: list[Static | _LaterFrame] = []
        self._generation = 0
        self._shown_generation = -1  # the generation whose first frames have been painted
        self._on_painted: list[Callable[[], object]] = []

    def compose_body(self) -> ComposeResult:
        yield VerticalScroll(classes="pane-body", id="stack-body")

    def on_mount(self) -> None:
        self.watch(self.query_one("#stack-body", VerticalScroll), "scroll_y", self._scrolled)

    async def _scrolled(self, _old: float, _new: float) -> None:
        body = self.query_one("#stack-body", VerticalScroll)
        if self._pending and body.scroll_y >= body.max_scroll_y - body.size.height:
            await self._mount_more()

    def show(
        self,
        exceptions: list[ExceptionView],
        threads: list[ThreadView],
        *,
        mask: bool,
        in_app_only: bool,
        blocks: EventBlocks | None = None,
    ) -> AwaitComplete:
        """Replace the frames; await the result before moving between the new frames.

        `blocks`: what the event holds beside frames (processing errors first, then the log
        message or security report; loaded images and unknown entries after the threads)."""
        body = self.query_one("#stack-body", VerticalScroll)
        removed = body.remove_children()
        blocks = blocks or EventBlocks()
        widgets: list[Static | _LaterFrame] = list(block_widgets(blocks, mask))
        has_context = bool(widgets)
        for exc in exceptions:
            if exc.relation:
                widgets.append(Static(Text(exc.relation), classes="relation"))
            head = Text()
            head.append_text(shown(exc.type, mask, "bold red"))
            if exc.value:
                head.append(": ")
                head.append_text(shown(exc.value, mask, multiline=True, no_wrap=False))
            if exc.mechanism:
                handled = {True: "handled", False: "unhandled", None: ""}[exc.handled]
                head.append(f"\nmechanism: {exc.mechanism} {handled}".rstrip(), "dim")
            widgets.append(Static(head, classes="exc-head"))
            if not exc.stack.total:
                where = " (see the crashed thread below)" if threads else ""
                note = f"No frames for this exception{where}."
                widgets.append(Static(note, classes="hidden-note"))
            widgets += self._frames(exc.stack, mask, in_app_only)
        for thread in threads:
            label = Text(f"Thread {thread.id}", "bold")
            if thread.name:
                label.append(" ")
                label.append_text(shown(thread.name, mask))
            flags = [
                w for w, on in (("crashed", thread.crashed), ("current", thread.current)) if on
            ]
            if thread.state:
                flags.append(thread.state)
            if flags:
                label.append(f"  ({', '.join(flags)})", "bold red" if thread.crashed else "dim")
            widgets.append(Static(label, classes="thread-head"))
            if not thread.stack.total:
                widgets.append(Static("No frames for this thread.", classes="hidden-note"))
            widgets += self._frames(thread.stack, mask, in_app_only)
        if not exceptions and not threads:
            note = "This event has no stack trace."
            widgets.append(Static(note, classes="hidden-note" + (" -after" if has_context else "")))
        widgets += image_widgets(blocks.images, mask)
        widgets += block_widgets(blocks, mask, after=True)
        first, rest = _split_first_screens(widgets, max(self.app.size.height, 24))
        self.workers.cancel_group(self, "stack-rest")  # an older event's frames stop here
        self._generation += 1
        generation = self._generation
        self._pending = []

        # the first frames of an empty pane are registered now, so the next layout (often the
        # screen's first) has them; old frames go first: j/k must never land on one being removed
        mounting = body.mount_all(_built(first)) if not body.children else None

        async def swap() -> None:
            await removed
            await (mounting or body.mount_all(_built(first)))
            body.scroll_home(animate=False)
            if generation != self._generation:
                return
            self._pending = rest
            self._after_paint(generation, self._painted)

        return AwaitComplete(swap())

    def when_painted(self, callback: Callable[[], object]) -> None:
        """Call `callback` once the current frames have been painted (at once if they have).

        Why: whatever else the screen builds (the other tabs, the frames below the first
        screens) would otherwise be laid out before the first frames reach the terminal."""
        if self._shown_generation == self._generation:
            self.call_later(callback)
        else:
            self._on_painted.append(callback)

    def _after_paint(self, generation: int, then: Callable[[int], None], tries: int = 0) -> None:
        """`then(generation)` after the refresh that laid out (and so painted) the frames."""
        if generation != self._generation or not self.is_attached:
            return
        body = self.query_one("#stack-body", VerticalScroll)
        laid_out = any(child.region.area for child in body.children)
        if laid_out or not self.region.area or tries >= 50:  # hidden tab: nothing to wait for
            then(generation)
        else:
            self.call_after_refresh(self._after_paint, generation, then, tries + 1)

    def _painted(self, generation: int) -> None:
        self._shown_generation = generation
        callbacks, self._on_painted = self._on_painted, []
        for callback in callbacks:
            self.call_later(callback)
        if self._pending:
            self.run_worker(
                self._mount_rest(generation),
                group="stack-rest",
                exclusive=True,
                exit_on_error=False,
            )

    async def _mount_rest(self, generation: int) -> None:
        """The widgets below the first screens, a few at a time while the reader looks at the
        top (each batch is laid out and highlighted between keystrokes)."""
        while self._pending and generation == self._generation:
            await asyncio.sleep(REST_PAUSE)
            if generation == self._generation:
                await self._mount_more()

    async def _mount_more(self, count: int = REST_BATCH) -> None:
        """Mount the next `count` pending widgets now (j at the last mounted frame, scrolling)."""
        if not self.is_attached:
            return
        bodies = self.query("#stack-body").results(VerticalScroll)
        body = next(bodies, None)
        if body is None or not body.is_attached:
            return  # the screen is going away
        batch, self._pending = self._pending[:count], self._pending[count:]
        if batch:
            await body.mount_all(_built(batch))

    @property
    def pending(self) -> int:
        """Widgets built but not yet mounted (below the first screens)."""
        return len(self._pending)

    def _frames(
        self, stack: StackView, mask: bool, in_app_only: bool
    ) -> list[Static | _LaterFrame]:
        out: list[Static | _LaterFrame] = []
        frames = stack.frames
        if stack.omitted is not None:
            start, end = stack.omitted
            out.append(
                Static(
                    f"⋯ {end - start} frames ({start}–{end - 1}) were omitted by Sentry"
                    " (frames_omitted) ⋯",
                    classes="hidden-note",
                )
            )
        if len(frames) > MAX_FRAMES:
            half = MAX_FRAMES // 2
            omitted = len(frames) - MAX_FRAMES
            out += [_LaterFrame(f, mask) for f in frames[:half]]
            out.append(Static(f"… {omitted} frames not drawn …", classes="hidden-note"))
            out += [_LaterFrame(f, mask) for f in frames[-half:]]
        else:
            out += [_LaterFrame(f, mask) for f in frames]
        if stack.hidden:
            what = "library frames hidden (f: full stack)"
            out.append(Static(f"{stack.hidden} {what}", classes="hidden-note"))
        elif not in_app_only and stack.total and any(not f.in_app for f in frames):
            out.append(Static("full stack (f: in-app only)", classes="hidden-note"))
        return out

    @property
    def frame_items(self) -> list[FrameItem]:
        return list(self.query(FrameItem))

    def focus_first_frame(self) -> None:
        items = self.frame_items
        if items:
            items[0].focus(scroll_visible=False)

    async def action_move(self, step: int) -> None:
        items = self.frame_items
        if not items:
            return
        focused = self.screen.focused
        index = items.index(focused) if isinstance(focused, FrameItem) and focused in items else -1
        while index + step >= len(items) - 1 and self._pending:
            await self._mount_more()  # the next frames exist before the cursor needs them
            items = self.frame_items
        target = items[max(0, min(len(items) - 1, index + step))]
        target.focus()
        target.scroll_visible(animate=False)

    def action_toggle_vars(self) -> None:
        focused = self.screen.focused
        if isinstance(focused, FrameItem):
            focused.toggle()
