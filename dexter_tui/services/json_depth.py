"""Nesting depth of JSON values: measured and clipped without recursion.

Why: Sentry events may nest hundreds of levels (an SDK serialising a linked structure); the
model, `json.dumps` and Rich all have recursion limits, so anything deeper than a pane can show
is replaced by `… (depth N)` first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: Raw JSON nested deeper than this is drawn as `… (depth N)` (and never breaks a pane).
RAW_MAX_DEPTH = 100
#: Inline (one-line) values are cut much earlier: they are read, not scrolled.
INLINE_MAX_DEPTH = 20


def json_depth(value: Any) -> int:
    """How many levels of objects/arrays `value` holds (iterative: no recursion limit)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, Mapping):
            depth += 1
            stack.extend((v, depth) for v in item.values())
        elif isinstance(item, list | tuple):
            depth += 1
            stack.extend((v, depth) for v in item)
        deepest = max(deepest, depth)
    return deepest


def clip_depth(value: Any, max_depth: int = RAW_MAX_DEPTH) -> Any:
    """`value` with every object/array deeper than `max_depth` replaced by `"… (depth N)"`, N
    being how deep the original went there. Returns `value` itself when nothing is that deep."""
    if json_depth(value) <= max_depth:
        return value
    root: list[Any] = [None]
    # (source, level, container to fill, key in it): iterative, so depth costs no stack
    stack: list[tuple[Any, int, Any, Any]] = [(value, 0, root, 0)]
    while stack:
        item, level, parent, key = stack.pop()
        if not isinstance(item, Mapping | list | tuple):
            parent[key] = item
        elif level >= max_depth:
            parent[key] = f"… (depth {level + json_depth(item)})"
        elif isinstance(item, Mapping):
            copy: dict[Any, Any] = {}
            parent[key] = copy
            for k, v in item.items():
                copy[k] = None
                stack.append((v, level + 1, copy, k))
        else:
            items: list[Any] = [None] * len(item)
            parent[key] = items
            stack.extend((v, level + 1, items, n) for n, v in enumerate(item))
    return root[0]
