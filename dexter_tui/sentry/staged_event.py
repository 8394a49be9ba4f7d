"""A large event read in two steps: all but its breadcrumbs first, the whole event after.

Why: in a 1 MB event most of the bytes (and ~90 % of the validation time, ~40 ms) are thousands
of breadcrumbs, which the stack trace (what a person opens an event for) does not need. pydantic
holds the GIL while it validates, so even in a thread that time is taken from the UI thread:
validating the rest first lets the stack be drawn before the breadcrumbs are read.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx

from dexter_tui.sentry.decoding import OFF_LOOP_BYTES, json_body, validate
from dexter_tui.sentry.models import Event

#: entry types left out of the first step (read by `StagedEvent.complete`)
LATER_ENTRIES = frozenset({"breadcrumbs"})


@dataclass
class StagedEvent:
    """`first`: the event without its breadcrumbs' values (or the whole event when it is small
    or has none); `complete()` validates the whole body as `get_issue_event` does."""

    first: Event
    response: httpx.Response
    data: Any
    whole: Event | None = None

    @property
    def done(self) -> bool:
        return self.whole is not None

    def complete(self) -> Event:
        """The whole event (call it in a thread for a large body); once."""
        if self.whole is None:
            self.whole = validate(self.response, Event, self.data)
        return self.whole


def _without_later(data: Any) -> Any:
    """`data` with the later entries' values emptied (a shallow copy), or `data` when it has
    none."""
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        return data
    entries = data["entries"]
    later = [
        n
        for n, entry in enumerate(entries)
        if isinstance(entry, dict)
        and entry.get("type") in LATER_ENTRIES
        and isinstance(entry.get("data"), dict)
    ]
    if not later:
        return data
    slim = list(entries)
    for n in later:
        slim[n] = {**entries[n], "data": {**entries[n]["data"], "values": []}}
    return {**data, "entries": slim}


def read_staged(response: httpx.Response) -> StagedEvent:
    """The body decoded and its first step validated (`BadResponse` as `parse` raises it)."""
    data = json_body(response)
    slim = _without_later(data)
    first = validate(response, Event, slim)
    staged = StagedEvent(first, response, data)
    if slim is data:
        staged.whole = first  # nothing left for later
    return staged


async def read_staged_off_loop(response: httpx.Response) -> StagedEvent:
    """`read_staged`, in a worker thread when the body is large (as `parse_off_loop`)."""
    if len(response.content) < OFF_LOOP_BYTES:
        staged = read_staged(response)
        staged.complete()  # small: both steps at once
        return staged
    return await asyncio.to_thread(read_staged, response)
