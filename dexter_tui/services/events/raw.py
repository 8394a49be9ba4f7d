"""The event's raw JSON: as the API sent it, pretty-printed into lines, and searched."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from typing import Any

from dexter_tui.sentry.models import Event


def event_json(event: Event) -> dict[str, Any]:
    """The event as the API sent it (fields it omitted stay omitted), for Raw and the analyzer."""
    return event.model_dump(mode="json", by_alias=True, exclude_unset=True)


def raw_lines(raw: Mapping[str, Any]) -> list[str]:
    """The event JSON pretty-printed, one string per line (the view draws only visible ones)."""
    return json.dumps(raw, indent=2, ensure_ascii=False, default=str).split("\n")


async def raw_lines_async(raw: Mapping[str, Any]) -> list[str]:
    """Same, in a thread: a multi-megabyte event must not stall the screen."""
    return await asyncio.to_thread(raw_lines, raw)


def search_lines(lines: Sequence[str], needle: str) -> list[int]:
    """Indices of the lines containing `needle` (case-insensitive)."""
    if not needle:
        return []
    folded = needle.casefold()
    return [n for n, line in enumerate(lines) if folded in line.casefold()]
