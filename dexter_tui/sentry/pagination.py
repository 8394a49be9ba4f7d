"""Sentry's cursor pagination: `Link` header parsing, a page type and an async page iterator.

Both `previous` and `next` links are always present; `results="true|false"` says whether that
page has data. The client follows `next` only while `results="true"`, re-sending its own request
with the link's `cursor` (so the region host and parameters stay the client's own).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar
from urllib.parse import parse_qs, urlsplit

T = TypeVar("T")

#: the Link header value of one rel: url plus its parameters (rel, results, cursor)
LinkParams = dict[str, str]

_LINK_RE = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,]+=(?:\"[^\"]*\"|[^;,]*))*)")
_PARAM_RE = re.compile(r";\s*([^;=\s]+)\s*=\s*(\"[^\"]*\"|[^;,]*)")


def parse_link_header(value: str | None) -> dict[str, LinkParams]:
    """`{rel: {"url": ..., "rel": ..., "results": ..., "cursor": ...}}` from a Link header."""
    links: dict[str, LinkParams] = {}
    if not value:
        return links
    for match in _LINK_RE.finditer(value):
        params: LinkParams = {"url": match.group(1).strip()}
        for key, raw in _PARAM_RE.findall(match.group(2)):
            params[key.lower()] = raw.strip().strip('"')
        rel = params.get("rel")
        if rel:
            for name in rel.split():
                links[name] = params
    return links


def cursor_of(link: LinkParams) -> str | None:
    """The cursor of a link: its `cursor` parameter, else the URL's `cursor=` query value."""
    if link.get("cursor"):
        return link["cursor"]
    values = parse_qs(urlsplit(link.get("url", "")).query).get("cursor")
    return values[0] if values else None


@dataclass
class Page(Generic[T]):
    """One page of a list endpoint."""

    items: list[T]
    next_cursor: str | None = None  # None: this is the last page
    prev_cursor: str | None = None  # None: this is the first page
    hits: int | None = None  # X-Hits: total matching, when the endpoint counts
    max_hits: int | None = None  # X-Max-Hits
    links: dict[str, LinkParams] = field(default_factory=dict, repr=False)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @classmethod
    def from_headers(cls, items: list[T], headers: object) -> Page[T]:
        get = getattr(headers, "get", None)
        link_value = get("link") if get else None
        links = parse_link_header(link_value)
        nxt, prev = links.get("next"), links.get("previous")
        return cls(
            items=items,
            next_cursor=cursor_of(nxt) if nxt and nxt.get("results") == "true" else None,
            prev_cursor=cursor_of(prev) if prev and prev.get("results") == "true" else None,
            hits=_int_or_none(get("x-hits") if get else None),
            max_hits=_int_or_none(get("x-max-hits") if get else None),
            links=links,
        )


def _int_or_none(raw: str | None) -> int | None:
    if raw is None:
        return None
    try:
        return int(raw)
    except ValueError:
        return None


async def iterate_pages(
    fetch: Callable[[str | None], Awaitable[Page[T]]],
    *,
    cursor: str | None = None,
    max_pages: int = 10,
) -> AsyncIterator[Page[T]]:
    """Yield pages from `fetch(cursor)` following `next` while it has results, up to `max_pages`.

    A server that repeats a cursor would loop forever; a repeated cursor stops the iteration.
    """
    seen: set[str] = set()
    for _ in range(max(1, max_pages)):
        page = await fetch(cursor)
        yield page
        cursor = page.next_cursor
        if cursor is None or cursor in seen:
            return
        seen.add(cursor)
