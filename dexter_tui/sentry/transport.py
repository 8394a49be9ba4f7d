"""The sending half of `SentryClient`: one `httpx.AsyncClient` and everything around a request.

Kept apart from the endpoints so the rules that protect Sentry and the token live in one place:

* auth (`Authorization: Bearer`, nowhere else), keep-alive, timeouts, TLS verification (optional
  custom CA bundle), `User-Agent: dexter-tui/<version>`;
* an in-flight cap (`asyncio.Semaphore`, default 4) and an observable `RateLimitState` fed by
  every response's `X-Sentry-Rate-Limit-*` headers;
* 429: sleep until `X-Sentry-Rate-Limit-Reset` (+ jitter) or back off exponentially, then resend
  (a 429 means the request was refused unprocessed, so this holds for every method);
* retries, bounded with backoff: GET on network errors and 500/502/503/504; PUT/DELETE only when
  the caller marks the call idempotent (explicit-id bulk updates, deletes) and only on network
  errors and 502/503/504; POST never;
* redirects are never followed (the token must not travel), typed errors (`errors.py`) naming
  the endpoint, never the token;
* SaaS regions: org-scoped calls go to the org's `links.regionUrl` (discovered once per org).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, Self, TypeVar
from urllib.parse import urlsplit, urlunsplit

import httpx
from pydantic import BaseModel

from dexter_tui import __version__
from dexter_tui.sentry import tls
from dexter_tui.sentry.decoding import parse, parse_list
from dexter_tui.sentry.errors import (
    BadResponse,
    NetworkError,
    ReadOnlyError,
    SentryError,
    error_for_status,
)
from dexter_tui.sentry.models import Organization
from dexter_tui.sentry.pagination import Page, iterate_pages
from dexter_tui.sentry.ratelimit import (
    RateLimitState,
    backoff_delay,
    parse_rate_limit_headers,
    rate_limit_delay,
)
from dexter_tui.sentry.urls import API, Params, q

M = TypeVar("M", bound=BaseModel)

_RETRY_GET_STATUSES = frozenset({500, 502, 503, 504})
_RETRY_IDEMPOTENT_STATUSES = frozenset({502, 503, 504})
_WRITE_METHODS = frozenset({"PUT", "POST", "DELETE", "PATCH"})


def _without_userinfo(url: str) -> str:
    """`https://user:pw@host` → `https://host`: httpx would send the URL's credentials as Basic
    auth in place of the token, and Sentry authenticates by the token alone."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


class Transport:
    """Sends API calls; the resource parts of `SentryClient` build on it."""

    def __init__(
        self,
        url: str,
        token: str | None,
        *,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        ca_bundle: str | None = None,
        max_concurrency: int = 4,
        max_retries: int = 3,
        max_rate_limit_retries: int = 5,
        max_rate_limit_wait: float = 60.0,
        read_only: bool = False,
        region_discovery: bool | None = None,
        rate_limits: RateLimitState | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.base_url = _without_userinfo(url.rstrip("/").removesuffix("/api/0"))
        self.read_only = read_only
        self.max_retries = max_retries
        self.max_rate_limit_retries = max_rate_limit_retries
        self.max_rate_limit_wait = max_rate_limit_wait
        self.rate_limits = rate_limits or RateLimitState()
        self._sleep = sleep
        self._clock = clock
        self._semaphore = asyncio.Semaphore(max(1, max_concurrency))
        # writes queue on their own slots: a hung bulk action never starves the reads
        self._write_semaphore = asyncio.Semaphore(max(1, max_concurrency // 2))
        host = urlsplit(self.base_url).hostname or ""
        # Region URLs exist only on SaaS; elsewhere discovery would cost a request for nothing.
        self.region_discovery = (
            host == "sentry.io" or host.endswith(".sentry.io")
            if region_discovery is None
            else region_discovery
        )
        self._region: dict[str, str] = {}
        self._region_locks: dict[str, asyncio.Lock] = {}
        # what the server turned out to serve, per org (see resources/issue_routes.py):
        # True legacy `/issues/{id}/` routes, False org-scoped ones, absent not yet known
        self._legacy_issue_routes: dict[str, bool] = {}
        headers = {"User-Agent": f"dexter-tui/{__version__}", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        verify: Any
        if ca_bundle:
            import ssl

            # the system store plus the private CA (a proxy or self-hosted install)
            verify = ssl.create_default_context()
            verify.load_verify_locations(cafile=str(ca_bundle))
        else:  # the default trust store's context: built in a thread at start (tls.py)
            verify = tls.default_verify()
        self._http = httpx.AsyncClient(
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            verify=verify,
            transport=transport,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=max(1, max_concurrency) * 2),
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- regions ----------------------------------------------------------------------------------

    async def _base_for(self, org: str | None) -> str:
        """The host for a call: the org's region URL on SaaS, else the configured URL."""
        if org is None or not self.region_discovery:
            return self.base_url
        if org in self._region:
            return self._region[org]
        lock = self._region_locks.setdefault(org, asyncio.Lock())
        async with lock:
            if org not in self._region:
                response = await self._send("GET", self.base_url, f"{API}/organizations/{q(org)}/")
                found = parse(response, Organization)
                self._region[org] = self._accept_region(found.links.region_url)
        return self._region[org]

    def _accept_region(self, region_url: str | None) -> str:
        """Use `regionUrl` only when it is a proper URL and no downgrade from https."""
        if not region_url:
            return self.base_url
        parts = urlsplit(region_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return self.base_url
        if urlsplit(self.base_url).scheme == "https" and parts.scheme != "https":
            return self.base_url
        return region_url.rstrip("/")

    # -- sending ----------------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        org: str | None = None,
        params: Params = None,
        json: Any = None,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        """Send one API call (with retries and rate-limit waits); raise a typed error on failure.

        `org` routes the call to that org's region. `idempotent=True` allows retrying a
        PUT/DELETE on network errors and 502/503/504.
        """
        method = method.upper()
        if self.read_only and method in _WRITE_METHODS:
            raise ReadOnlyError(
                "read-only mode: dexter will not change anything in Sentry "
                "(drop --read-only / read_only = true to allow it)",
                method=method,
                path=path,
            )
        base = await self._base_for(org)
        return await self._send(method, base, path, params=params, json=json, idempotent=idempotent)

    async def _send(
        self,
        method: str,
        base: str,
        path: str,
        *,
        params: Params = None,
        json: Any = None,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        if idempotent is None:
            idempotent = method in ("GET", "HEAD")
        retry_statuses = (
            _RETRY_GET_STATUSES if method in ("GET", "HEAD") else _RETRY_IDEMPOTENT_STATUSES
        )
        url = base + path
        attempt = 0
        throttled = 0
        while True:
            await self._pace(f"{method} {path}")
            response: httpx.Response | None = None
            failure: SentryError | None = None
            slots = self._write_semaphore if method in _WRITE_METHODS else self._semaphore
            async with slots:
                self.rate_limits.request_started()
                try:
                    response = await self._http.request(method, url, params=params, json=json)
                except httpx.TimeoutException as exc:
                    failure = NetworkError(
                        f"Sentry did not answer in time ({type(exc).__name__}); "
                        "check the network or raise `timeout`",
                        method=method,
                        path=path,
                    )
                    failure.maybe_applied = _maybe_sent(method, exc)
                except httpx.TransportError as exc:
                    failure = NetworkError(network_message(exc, base), method=method, path=path)
                    failure.maybe_applied = _maybe_sent(method, exc)
                finally:
                    self.rate_limits.request_finished()
            if failure is not None:
                # a write that may have reached Sentry is not sent again: the timeout is per
                # request (not a chain of four), and the caller verifies what happened
                retry = not failure.maybe_applied
                if retry and idempotent and method != "POST" and attempt < self.max_retries:
                    await self._sleep(backoff_delay(attempt))
                    attempt += 1
                    continue
                raise failure
            assert response is not None
            info = parse_rate_limit_headers(
                response.headers, endpoint=f"{method} {path}", now=self._clock()
            )
            self.rate_limits.observe(info)
            status = response.status_code
            if status == 429:
                delay = rate_limit_delay(info, throttled, now=self._clock())
                if throttled < self.max_rate_limit_retries and delay <= self.max_rate_limit_wait:
                    self.rate_limits.set_backoff(self._clock() + delay)
                    try:
                        await self._sleep(delay)
                    finally:
                        self.rate_limits.set_backoff(None)
                        self.rate_limits.by_endpoint.pop(f"{method} {path}", None)
                    throttled += 1
                    continue
                raise error_of_response(
                    response, method, path, rate_reset=info.reset if info else None
                )
            if (
                status in retry_statuses
                and idempotent
                and method != "POST"
                and attempt < self.max_retries
            ):
                await self._sleep(backoff_delay(attempt))
                attempt += 1
                continue
            if 300 <= status < 400:
                # never followed: the token must not travel to wherever a redirect points
                location = response.headers.get("location", "elsewhere")
                raise BadResponse(
                    f"Sentry redirected to {location}; set `url` to the final address "
                    "(often https:// instead of http://)",
                    method=method,
                    path=path,
                    status=status,
                )
            if status >= 400:
                raise error_of_response(response, method, path)
            return response

    async def _pace(self, endpoint: str) -> None:
        """Wait for the window reset when this endpoint's budget is known to be spent.

        Saves the round trip of a certain 429. Unknown budgets (no headers) never wait.
        """
        info = self.rate_limits.by_endpoint.get(endpoint)
        if info is None or info.remaining != 0 or info.reset is None:
            return
        delay = rate_limit_delay(info, 0, now=self._clock())
        if info.reset <= self._clock() or delay > self.max_rate_limit_wait:
            return
        self.rate_limits.paced += 1
        self.rate_limits.set_backoff(self._clock() + delay, throttled=False)
        try:
            await self._sleep(delay)
        finally:
            self.rate_limits.set_backoff(None)
            # the budget renews at the reset: forget the spent one
            self.rate_limits.by_endpoint.pop(endpoint, None)

    def rate_wait(self) -> tuple[float, bool] | None:
        """(seconds left, caused by a 429) while requests wait out Sentry's rate limit."""
        return self.rate_limits.wait_left(self._clock())

    # -- typed GETs -------------------------------------------------------------------------------

    async def _get(self, path: str, model: type[M], *, org: str | None, params: Params = None) -> M:
        return parse(await self.request("GET", path, org=org, params=params), model)

    async def _get_page(
        self,
        path: str,
        model: type[M],
        *,
        org: str | None,
        params: list[tuple[str, str]],
        cursor: str | None,
        off_loop: bool = False,
    ) -> Page[M]:
        if cursor:
            params = [*params, ("cursor", cursor)]
        response = await self.request("GET", path, org=org, params=params)
        if off_loop:  # e.g. a poll tick: decoding and validating a page is the UI's longest wait
            return Page.from_headers(
                await asyncio.to_thread(parse_list, response, model), response.headers
            )
        return Page.from_headers(parse_list(response, model), response.headers)

    async def _all_pages(
        self,
        path: str,
        model: type[M],
        *,
        org: str | None,
        params: list[tuple[str, str]],
        max_pages: int,
    ) -> list[M]:
        items: list[M] = []
        async for page in iterate_pages(
            lambda c: self._get_page(path, model, org=org, params=params, cursor=c),
            max_pages=max_pages,
        ):
            items.extend(page.items)
        return items


def error_of_response(
    response: httpx.Response, method: str, path: str, *, rate_reset: float | None = None
) -> SentryError:
    try:
        body: Any = response.json()
    except ValueError:
        body = None
    return error_for_status(response.status_code, body, method, path, rate_reset=rate_reset)


def _maybe_sent(method: str, exc: httpx.TransportError) -> bool:
    """A write whose request may have reached the server (it was not refused at connect)."""
    if method not in _WRITE_METHODS:
        return False
    return not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


def network_message(exc: httpx.TransportError, base: str) -> str:
    """What went wrong without an HTTP answer, and what to check (TLS, connect, dropped)."""
    text = str(exc) or type(exc).__name__
    host = urlsplit(base).netloc.rpartition("@")[2]  # never user:password@
    if "CERTIFICATE_VERIFY_FAILED" in text or "SSL" in text or "certificate" in text.lower():
        return (
            f"TLS verification failed for {host}: {text}; if the server uses a private CA, "
            "set `ca_bundle` to its PEM file"
        )
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect to {host}: {text}; check the URL and the network"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the connection to {host} was dropped before an answer ({text})"
    return f"network error talking to {host}: {text}"
