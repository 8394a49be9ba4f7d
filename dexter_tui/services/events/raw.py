"""The event's raw JSON: as the API sent it, pretty-printed into lines, and searched."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from typing import Any

from dexter_tui.sentry.models import Event
from dexter_tui.services.json_depth import RAW_MAX_DEPTH, clip_depth


def event_json(event: Event) -> dict[str, Any]:
    """The event as the API sent it, for Raw and the analyzer: the JSON it was read from (so a
    field the model could not read is still shown, and no depth limit of the model applies)."""
    if event.source is not None:
        return event.source
    return event.model_dump(mode="json", by_alias=True, exclude_unset=True)


def raw_lines(raw: Mapping[str, Any]) -> list[str]:
    """The event JSON pretty-printed, one string per line (the view draws only visible ones),
    with the request's secrets masked as the Request tab masks them and nesting deeper than
    `RAW_MAX_DEPTH` shown as `… (depth N)`."""
    from dexter_tui.services.event_blocks import mask_secrets  # beside the other blocks

    shown = mask_secrets(clip_depth(raw, RAW_MAX_DEPTH))
    return json.dumps(shown, indent=2, ensure_ascii=False, default=str).split("\n")


async def raw_lines_async(raw: Mapping[str, Any]) -> list[str]:
    """Same, in a thread: a multi-megabyte event must not stall the screen."""
    return await asyncio.to_thread(raw_lines, raw)


def search_lines(lines: Sequence[str], needle: str) -> list[int]:
    """Indices of the lines containing `needle` (case-insensitive)."""
    if not needle:
        return []
    folded = needle.casefold()
    return [n for n, line in enumerate(lines) if folded in line.casefold()]
