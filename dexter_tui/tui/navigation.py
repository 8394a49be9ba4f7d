"""Navigation history: where you were, so `esc`/`q`/`ctrl+o` take you back there exactly.

Why: jumps (open an issue, tag → search, a view switch, a saved view, a new search) used to forget
the place they left — the query, the cursor row, the event and its tab. Each jump now records a
`Place` (a snapshot the screen it came from can be rebuilt or restored from) in a `History`; back
and forward walk it like a browser's or vim's jump list, and the trail of labels is the breadcrumb.

The app records and restores places (`navigator.py`); screens only say what their place is
(`place`) and take one back (`restore_place`). No Textual here but the messages screens post.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from textual.message import Message

#: at most this many places back (older ones are forgotten)
HISTORY_LIMIT = 50


@dataclass(frozen=True)
class Place:
    """A spot in the app: which view, its label in the breadcrumb, and what it needs to be rebuilt.

    `state` is the view's own snapshot (the list: query, reverse, cursor key and row, scroll; the
    event detail: issue, event id, tab, the view under it).
    """

    view: str
    label: str
    state: Mapping[str, Any] = field(default_factory=dict)

    def same_spot(self, other: Place) -> bool:
        """The same screen showing the same thing (cursor and scroll aside)."""
        return self.view == other.view and self.state.get("key") == other.state.get("key")


class History:
    """Back and forward stacks of places around the current one (which the app knows)."""

    def __init__(self, limit: int = HISTORY_LIMIT) -> None:
        self.limit = limit
        self.back_stack: list[Place] = []
        self.forward_stack: list[Place] = []

    @property
    def can_go_back(self) -> bool:
        return bool(self.back_stack)

    @property
    def can_go_forward(self) -> bool:
        return bool(self.forward_stack)

    def jump(self, here: Place) -> None:
        """Leaving `here` for somewhere new: it becomes a step back; forward is forgotten."""
        if self.back_stack and self.back_stack[-1] == here:
            return
        self.back_stack.append(here)
        self.forward_stack.clear()
        del self.back_stack[: -self.limit]

    def back(self, here: Place) -> Place | None:
        """The place to go back to (skipping ones that are where we are), `here` kept forward."""
        while self.back_stack:
            target = self.back_stack.pop()
            if not target.same_spot(here):
                self.forward_stack.append(here)
                return target
        return None

    def forward(self, here: Place) -> Place | None:
        while self.forward_stack:
            target = self.forward_stack.pop()
            if not target.same_spot(here):
                self.back_stack.append(here)
                return target
        return None

    def trail(self, here: Place, *, keep: int = 4) -> list[str]:
        """Breadcrumb labels, oldest first, ending with `here`; older ones folded into `…`."""
        labels = [p.label for p in self.back_stack] + [here.label]
        if len(labels) > keep:
            labels = ["…", *labels[-keep:]]
        return labels


class Jumped(Message):
    """A screen is about to leave `place` for somewhere new (e.g. it sent a new search)."""

    def __init__(self, place: Place) -> None:
        super().__init__()
        self.place = place


class GoBack(Message):
    """A screen asks to go back: to the previous place; with `close`, else close the screen.

    The list's `esc` sends it without `close` (nothing behind: nothing happens); a pushed
    screen's `q`/`esc` with `close` (nothing behind: it closes, as before history).
    """

    def __init__(self, *, close: bool = False) -> None:
        super().__init__()
        self.close = close


class TrailWanted(Message):
    """A screen came back on top: the app redraws its breadcrumb."""
