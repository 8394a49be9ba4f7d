"""The status header: where you are (org / projects / env) and how fresh the data is.

Freshness is spelled out with a glyph and a word — never colour alone — so a 16-colour SSH
terminal or a colour-blind reader sees "stale" as clearly as anyone.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from dexter_tui.sentry.ratelimit import RateLimitInfo
from dexter_tui.services.poller import LiveState, PollStatus
from dexter_tui.tui import offline
from dexter_tui.tui.context import TuiContext
from dexter_tui.tui.safe_text import safe_text

STATE_LOOK: dict[LiveState, tuple[str, str]] = {
    LiveState.LOADING: ("◌ loading", "bold"),
    LiveState.LIVE: ("● live", "bold green"),
    LiveState.PAUSED: ("‖ paused", "bold yellow"),
    LiveState.STALE: ("▲ stale", "bold yellow reverse"),
    LiveState.ERROR: ("✗ error", "bold red reverse"),
}


def ago(seconds: float | None) -> str:
    """`3s`, `4m`, `2h`, `5d` — short enough for a header."""
    if seconds is None:
        return "never"
    seconds = int(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@dataclass
class Where:
    org: str
    projects: list[str]
    environments: list[str]
    read_only: bool = False
    note: str = ""  # e.g. "demo"


class StatusHeader(Widget):
    """One line; repaints itself every second so "updated Ns ago" keeps counting, and at once
    when `progress` changes."""

    DEFAULT_CSS = """
    StatusHeader { height: 1; background: $panel; color: $text; }
    """

    def __init__(
        self,
        where: Where,
        poll: PollStatus,
        clock: Callable[[], float],
        rate: Callable[[], RateLimitInfo | None] = lambda: None,
        *,
        id: str | None = None,
        freshness: Callable[[PollStatus], Text | None] = lambda poll: None,
        rate_wait: Callable[[], tuple[float, bool] | None] = lambda: None,
    ):
        super().__init__(id=id)
        self.where = where
        self.poll = poll
        self.clock = clock
        self.rate = rate
        self.freshness = freshness  # "cached 3 min ago" / "offline — …" (tui/offline.py)
        self.rate_wait = rate_wait  # the client waiting out a 429 (or pacing)
        self.auto_refresh = 1.0

    #: what is being sent or loaded, e.g. "Resolve: 120 issues, 2 request(s)…" (repaints on change)
    progress: reactive[str] = reactive("")
    #: how the last issue action went, e.g. "Resolved 3/3 issues · z to undo": one at a time, the
    #: newest replaces the older, and never over the list's columns (toasts stacked there)
    outcome: reactive[str] = reactive("")

    def render(self) -> Text:
        left = Text(" dexter", style="bold")
        if self.where.note:
            left.append(f" [{self.where.note}]", style="italic")
        left.append(" · ")
        left.append_text(safe_text(self.where.org or "(no org)"))
        left.append(" / ")
        left.append_text(safe_text(", ".join(self.where.projects) or "all projects"))
        left.append(" · env:")
        left.append_text(safe_text(", ".join(self.where.environments) or "all"))
        if self.where.read_only:
            left.append(" · READ-ONLY", style="bold reverse")

        label, style = STATE_LOOK[self.poll.state]
        right = Text()
        if self.progress:
            right.append(self.progress + " · ", style="bold")
        elif self.outcome:
            right.append(self.outcome, style="bold reverse")
            right.append(" · ")
        fresh = self.freshness(self.poll)
        wait = self.rate_wait()
        if wait is not None:  # "loading" for a minute said nothing of why
            seconds, throttled = wait
            reason = "rate-limited by Sentry (429)" if throttled else "pacing to Sentry's limit"
            right.append(f"⏳ {reason}", style="bold yellow reverse")
            right.append(f" · retrying in {math.ceil(seconds)}s")
        elif fresh is not None:
            right.append_text(fresh)
        else:
            right.append(label, style=style)
            right.append(f" · {self.poll.cadence()}")  # the real wait: backoff, probing
            age = self.poll.age(self.clock())
            # nothing loaded yet: "◌ loading" says it ("updated never ago" did not)
            if age is not None:
                right.append(f" · updated {ago(age)} ago")
        info = self.rate()
        if info is not None and info.limit is not None and info.remaining is not None:
            right.append(f" · API {info.remaining}/{info.limit}")
        right.append(" ")
        width = self.size.width or 120
        gap = max(1, width - left.cell_len - right.cell_len)
        if left.cell_len + right.cell_len + 1 > width:
            left.truncate(max(10, width - right.cell_len - 1), overflow="ellipsis")
            gap = max(1, width - left.cell_len - right.cell_len)
        return Text.assemble(left, " " * gap, right, no_wrap=True, end="")


def header_for(ctx: TuiContext, status: PollStatus, environments: list[str]) -> StatusHeader:
    """The header every view shows: where you are, from the app's context, and `status`."""
    return StatusHeader(
        Where(
            org=ctx.org,
            projects=list(ctx.settings.project),
            environments=environments,
            read_only=ctx.read_only,
            note=ctx.note,
        ),
        status,
        ctx.clock,
        lambda: ctx.rate_limit() if ctx.show_rate else None,
        id="header",
        freshness=lambda poll: offline.freshness(ctx, poll),
        rate_wait=ctx.rate_wait,
    )
