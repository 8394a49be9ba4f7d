"""The HTTP request of an event, as shown: pairs decoded, secrets masked."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dexter_tui.sentry.models import Event, RequestEntry
from dexter_tui.services.events.sensitive import MASK, is_sensitive, mask_data, mask_header
from dexter_tui.services.events.text import KeyValues, as_text
from dexter_tui.services.json_depth import RAW_MAX_DEPTH, clip_depth


def _pairs(value: Any) -> KeyValues:
    """Sentry's pair lists ([[k, v], ...]); a dict or a query string are accepted too."""
    if value is None:
        return []
    if isinstance(value, str):
        out = []
        for part in value.split("&"):
            if part:
                k, _, v = part.partition("=")
                out.append((k, v))
        return out
    if isinstance(value, Mapping):
        return [(str(k), as_text(v)) for k, v in value.items()]
    out = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, list | tuple) and len(item) == 2:
            out.append((as_text(item[0]), as_text(item[1])))
    return out


@dataclass
class RequestView:
    method: str
    url: str
    query: KeyValues
    fragment: str
    headers: KeyValues
    cookies: KeyValues
    body: str
    env: KeyValues
    content_type: str


def request_view(event: Event) -> RequestView | None:
    """The HTTP request of the event, with cookies, auth headers and secret fields masked."""
    entry = event.entry("request")
    if not isinstance(entry, RequestEntry):
        return None
    data = entry.data
    headers = [(k, mask_header(k, v)) for k, v in _pairs(data.headers)]
    cookies = [(k, MASK) for k, _ in _pairs(data.cookies)]
    query = [(k, MASK if is_sensitive(k) else v) for k, v in _pairs(data.query)]
    body = data.data
    if isinstance(body, str):
        body_text = mask_data(body)
    elif body is None:
        body_text = ""
    else:
        shown = clip_depth(mask_data(body), RAW_MAX_DEPTH)
        body_text = json.dumps(shown, indent=2, ensure_ascii=False, default=str)
    env = [(k, MASK if is_sensitive(k) else v) for k, v in _pairs(data.env)]
    return RequestView(
        method=data.method or "",
        url=data.url or "",
        query=query,
        fragment=data.fragment or "",
        headers=headers,
        cookies=cookies,
        body=body_text,
        env=env,
        content_type=data.inferred_content_type or "",
    )
