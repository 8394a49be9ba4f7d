"""The frame every event-detail tab shares: a spinner while its data loads, its error with a retry
key when loading failed, else its body.

Why per pane: the stack trace, the tags and the comments come from different requests; one slow
or failing request must not blank the whole screen.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import Static

from dexter_tui.tui.safe_text import safe_text

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class PaneStatus(Static):
    """`⠋ Loading the stack trace…` (animated) or `✖ <error> — r to retry`."""

    DEFAULT_CSS = """
    PaneStatus { height: auto; padding: 1 2; display: none; }
    PaneStatus.-error { color: $error; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._frame = 0
        self._what = ""
        self._timer: Timer | None = None

    def loading(self, what: str) -> None:
        self._what = what
        self._frame = 0
        self.remove_class("-error")
        self.display = True
        self._draw()
        if self._timer is None and self.app.animation_level != "none":
            self._timer = self.set_interval(0.1, self._tick)

    def error(self, message: str, retry_key: str = "r") -> None:
        self._stop()
        self.add_class("-error")
        self.display = True
        self.update(
            Text.assemble(
                ("✖ Could not load this pane\n", "bold"),
                safe_text(message, multiline=True, no_wrap=False),
                "\n\n",
                (f"{retry_key}", "bold reverse"),
                " to retry",
            )
        )

    def hide(self) -> None:
        self._stop()
        self.display = False

    def _stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _tick(self) -> None:
        if not self.region.area:
            return  # a tab not shown: its spinner costs nothing until it is
        self._frame = (self._frame + 1) % len(SPINNER)
        self._draw(layout=False)  # same size: a repaint of one line, not a screen layout

    def _draw(self, *, layout: bool = True) -> None:
        self.update(
            Text(f"{SPINNER[self._frame]} Loading {self._what}…", style="italic"), layout=layout
        )


class EventPane(Vertical):
    """Base of the tab bodies. Subclasses yield their widgets from `compose_body`."""

    DEFAULT_CSS = """
    EventPane { height: 1fr; }
    EventPane > .pane-body { height: 1fr; }
    EventPane.-not-ready > .pane-body { display: none; }
    """

    #: what the spinner says ("the stack trace")
    what = "this pane"
    #: which loader the screen retries for this pane: "event", "tags", "activity", "hashes"
    source = "event"

    def compose(self) -> ComposeResult:
        yield PaneStatus()
        yield from self.compose_body()

    def compose_body(self) -> ComposeResult:
        yield from ()

    @property
    def status(self) -> PaneStatus:
        return self.query_one(PaneStatus)

    def show_loading(self) -> None:
        self.add_class("-not-ready")
        self.status.loading(self.what)

    def show_error(self, error: BaseException) -> None:
        self.add_class("-not-ready")
        self.status.error(str(error) or type(error).__name__)

    def show_ready(self) -> None:
        self.remove_class("-not-ready")
        self.status.hide()

    @property
    def ready(self) -> bool:
        return not self.has_class("-not-ready")
