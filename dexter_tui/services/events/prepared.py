"""Everything event detail draws from one event, computed once in a worker thread.

Why: a 1 MB event holds thousands of breadcrumbs and hundreds of frames; turning them into view
models (and running the deadlock pre-check) on the UI thread froze the screen before the first
frame showed. The screen keeps the result and only lays out what is on screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dexter_tui.sentry.decoding import OFF_LOOP_BYTES
from dexter_tui.sentry.models import Event
from dexter_tui.services.event_blocks import EventBlocks, event_blocks
from dexter_tui.services.events.breadcrumbs import CrumbView, breadcrumb_views
from dexter_tui.services.events.context import context_groups
from dexter_tui.services.events.deadlocks import deadlock_analysis
from dexter_tui.services.events.raw import event_json
from dexter_tui.services.events.request import RequestView, request_view
from dexter_tui.services.events.stacks import (
    ExceptionView,
    ThreadView,
    exception_chain,
    thread_views,
)
from dexter_tui.services.events.text import KeyValues

#: an event whose body is smaller is prepared on the caller's thread (a few ms at most): the size
#: under which its body is decoded on the event loop too
SMALL_EVENT_BYTES = OFF_LOOP_BYTES

#: (in_app_only, newest_first) → the exception chain and threads in that order and filter
StackKey = tuple[bool, bool]


@dataclass
class PreparedEvent:
    """The event's view models; `stacks` holds the stack for the options it was built with."""

    raw: dict[str, Any]
    analysis: Any
    blocks: EventBlocks
    crumbs: list[CrumbView]
    context: list[tuple[str, KeyValues]]
    request: RequestView | None
    stacks: dict[StackKey, tuple[list[ExceptionView], list[ThreadView]]] = field(
        default_factory=dict
    )

    def stack(
        self, event: Event, *, in_app_only: bool, newest_first: bool
    ) -> tuple[list[ExceptionView], list[ThreadView]]:
        """The stack for these options, built now (on the caller's thread) if not yet built."""
        key = (in_app_only, newest_first)
        if key not in self.stacks:
            opts = {"in_app_only": in_app_only, "newest_first": newest_first}
            self.stacks[key] = (exception_chain(event, **opts), thread_views(event, **opts))
        return self.stacks[key]


def prepare_event(event: Event, *, in_app_only: bool, newest_first: bool) -> PreparedEvent:
    """All view models of `event` (call it in a thread); the Raw tab's lines are not built here:
    they cost as much as the rest together and wait until the tab is first opened."""
    raw = event_json(event)
    prepared = PreparedEvent(
        raw=raw,
        analysis=deadlock_analysis(event, raw),
        blocks=event_blocks(event),
        crumbs=breadcrumb_views(event),
        context=context_groups(event),
        request=request_view(event),
    )
    prepared.stack(event, in_app_only=in_app_only, newest_first=newest_first)
    return prepared
