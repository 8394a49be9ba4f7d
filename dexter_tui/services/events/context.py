"""An event's contexts (user, os, runtime, ...), extra and sdk as readable key/value groups."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dexter_tui.sentry.models import Event
from dexter_tui.services.events.text import KeyValues, as_text

CONTEXT_ORDER = ("user", "os", "runtime", "browser", "device", "trace", "app")


def _flatten(value: Any, prefix: str = "", depth: int = 0) -> KeyValues:
    if isinstance(value, Mapping) and depth < 3:
        out: KeyValues = []
        for k, v in value.items():
            if k == "type" and depth == 0:
                continue
            out += _flatten(v, f"{prefix}.{k}" if prefix else str(k), depth + 1)
        return out
    if value is None or value == {} or value == []:
        return []
    return [(prefix, as_text(value))]


def context_groups(event: Event) -> list[tuple[str, KeyValues]]:
    """Readable key/value groups: user, os, runtime, browser, device, trace, app, the other
    contexts, extra, sdk."""
    groups: list[tuple[str, KeyValues]] = []
    contexts = dict(event.contexts)
    if event.user is not None:
        user = event.user.model_dump(by_alias=True, exclude_none=True)
        groups.append(("user", _flatten(user)))
    for name in CONTEXT_ORDER[1:]:
        if name in contexts:
            groups.append((name, _flatten(contexts.pop(name))))
    for name in sorted(contexts):
        groups.append((name, _flatten(contexts[name])))
    if event.context:
        groups.append(("extra", _flatten(event.context)))
    if event.sdk is not None:
        groups.append(("sdk", _flatten(event.sdk.model_dump(exclude_none=True))))
    return [(name, kv) for name, kv in groups if kv]
