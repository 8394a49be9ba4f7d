"""Sentry's cursor pagination: `per_page`/`cursor` in, a two-entry `Link` header out.

The `Link` header always carries both rels, e.g.

    <http://host/api/0/...?query=x&cursor=0:0:1>; rel="previous"; results="false"; cursor="0:0:1",
    <http://host/api/0/...?query=x&cursor=0:100:0>; rel="next"; results="true"; cursor="0:100:0"

Cursors are `value:offset:is_prev`; the demo pages by item offset, so `value` is always 0. Clients
treat cursors as opaque and stop when `next` says `results="false"`. Behind the offsets the issue
list seeks by key where it can (`KeysetCache`), so a deep page costs what the first one does.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode
from weakref import WeakKeyDictionary

from starlette.responses import JSONResponse

from dexter_tui.demo.api.errors import ApiError

if TYPE_CHECKING:
    from starlette.requests import Request

INVALID_CURSOR = "Invalid cursor parameter."
#: Largest cursor offset/value: SQLite's 64-bit INTEGER (an OFFSET beyond it raises).
MAX_OFFSET = 2**63 - 1


@dataclass(frozen=True)
class Cursor:
    value: int
    offset: int
    is_prev: bool

    def __str__(self) -> str:
        return f"{self.value}:{self.offset}:{int(self.is_prev)}"

    @classmethod
    def parse(cls, text: str) -> Cursor:
        """Read `value:offset:is_prev`; ValueError when it is not one."""
        parts = text.split(":")
        if len(parts) != 3:
            raise ValueError(text)
        value = int(float(parts[0]))  # OverflowError (a ValueError kin) on inf
        offset = int(parts[1])
        is_prev = int(parts[2])
        if not 0 <= offset <= MAX_OFFSET or is_prev not in (0, 1) or abs(value) > MAX_OFFSET:
            raise ValueError(text)
        return cls(value, offset, bool(is_prev))


def page_params(
    request: Request, *, param: str = "per_page", default: int = 100, maximum: int = 100
) -> tuple[int, int]:
    """`(offset, limit)` of the page asked for; 400 on a bad page size or an unreadable cursor."""
    raw = request.query_params.get(param)
    if raw is None or raw == "":
        limit = default
    else:
        try:
            limit = int(raw)
        except ValueError:
            raise ApiError(400, f"Invalid {param} parameter.") from None
        if limit < 1:
            raise ApiError(400, f"Invalid {param} parameter.")
        if limit > maximum:
            raise ApiError(400, f"Invalid {param} parameter. Cannot exceed {maximum}.")
    cursor = request.query_params.get("cursor")
    if not cursor:
        return 0, limit
    try:
        return Cursor.parse(cursor).offset, limit
    except (ValueError, OverflowError):
        raise ApiError(400, INVALID_CURSOR) from None


def _link(request: Request, rel: str, cursor: Cursor, has_results: bool) -> str:
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k != "cursor"]
    query = urlencode(pairs)
    raw_path = request.scope.get("raw_path")
    path = raw_path.decode("latin-1") if raw_path else quote(request.url.path)
    base = f"{request.url.scheme}://{request.url.netloc}{path}"
    url = f"{base}?{query}&cursor={cursor}" if query else f"{base}?cursor={cursor}"
    results = "true" if has_results else "false"
    return f'<{url}>; rel="{rel}"; results="{results}"; cursor="{cursor}"'


def link_header(request: Request, *, offset: int, limit: int, has_more: bool) -> str:
    """Sentry's `Link` header for the page at `offset` of size `limit`."""
    previous = Cursor(0, max(offset - limit, 0), True)
    following = Cursor(0, offset + limit, False)
    return ", ".join(
        [
            _link(request, "previous", previous, offset > 0),
            _link(request, "next", following, has_more),
        ]
    )


def paginated(
    request: Request,
    items: list[Any],
    *,
    offset: int,
    limit: int,
    has_more: bool,
    hits: int | None = None,
    status: int = 200,
) -> JSONResponse:
    """A JSON list answer with the `Link` header (and `X-Hits` when the total is known)."""
    headers = {"Link": link_header(request, offset=offset, limit=limit, has_more=has_more)}
    if hits is not None:
        headers["X-Hits"] = str(hits)
    return JSONResponse(items, status_code=status, headers=headers)


def paginate_list(
    request: Request,
    items: list[Any],
    *,
    param: str = "per_page",
    default: int = 100,
    maximum: int = 100,
    hits: bool = False,
) -> JSONResponse:
    """Slice an already-complete list into the requested page and answer it."""
    offset, limit = page_params(request, param=param, default=default, maximum=maximum)
    page = items[offset : offset + limit]
    return paginated(
        request,
        page,
        offset=offset,
        limit=limit,
        has_more=offset + limit < len(items),
        hits=len(items) if hits else None,
    )


class KeysetCache:
    """Keyset pagination behind Sentry's offset-style cursors, and cached hit counts.

    Why: `LIMIT … OFFSET n` walks n rows, so the last page of 100k issues cost 30× the first.
    Cursors stay `0:offset:0` (what Sentry sends and sentry-cli reads), but when a page is
    served the sort key of its last row is remembered for the offset where the next page
    starts; a request for that offset then seeks (`WHERE (key) < (last)`), the same rows an
    OFFSET would give on the same data. The `COUNT(*)` of a search (`X-Hits`) is kept for a
    few seconds. Both are dropped as soon as the database changes (`version`).
    """

    def __init__(self, size: int = 4096, hits_ttl: float = 5.0) -> None:
        self.size = size
        self.hits_ttl = hits_ttl
        self._bounds: OrderedDict[tuple[Hashable, int], tuple[int, tuple[Any, ...]]] = OrderedDict()
        self._hits: dict[Hashable, tuple[int, float, int]] = {}

    def boundary(self, search: Hashable, offset: int, version: int) -> tuple[Any, ...] | None:
        """The sort key of the row just before `offset`, if a page ending there was served."""
        found = self._bounds.get((search, offset))
        if found is None or found[0] != version:
            return None
        self._bounds.move_to_end((search, offset))
        return found[1]

    def remember(self, search: Hashable, offset: int, version: int, key: tuple[Any, ...]) -> None:
        self._bounds[(search, offset)] = (version, key)
        self._bounds.move_to_end((search, offset))
        while len(self._bounds) > self.size:
            self._bounds.popitem(last=False)

    def hits(self, search: Hashable, version: int) -> int | None:
        found = self._hits.get(search)
        if found is None or found[0] != version or found[1] < time.monotonic():
            return None
        return found[2]

    def remember_hits(self, search: Hashable, version: int, count: int) -> None:
        if len(self._hits) >= self.size:
            self._hits.clear()
        self._hits[search] = (version, time.monotonic() + self.hits_ttl, count)


_caches: WeakKeyDictionary[Any, KeysetCache] = WeakKeyDictionary()


def keyset_cache(owner: Any) -> KeysetCache:
    """The cache of one database (`owner`: the demo's store)."""
    cache = _caches.get(owner)
    if cache is None:
        cache = _caches[owner] = KeysetCache()
    return cache
