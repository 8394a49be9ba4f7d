"""What sits between the network and the demo API handlers: Sentry's rate limiting and headers,
plus the faults `dexter demo-server` can inject (latency, random 5xx, dropped connections,
malformed JSON) and routes tests make vanish (`missing_routes`: 404 as on an older Sentry).

Rate limits follow Sentry's fixed-window limiter: a window of one second per caller (the bearer
token, or the client address without one). Every `/api/0/` answer carries

    X-Sentry-Rate-Limit-Limit          requests allowed per window (options.rate_limit, or
                                       DEFAULT_LIMIT when unlimited — advertised, not enforced)
    X-Sentry-Rate-Limit-Remaining      requests left in the current window
    X-Sentry-Rate-Limit-Reset          epoch seconds at which the current window ends
    X-Sentry-Rate-Limit-ConcurrentLimit / -ConcurrentRemaining   in-flight requests per caller

and the request after the limit gets Sentry's 429 (no `Retry-After`, as on sentry.io's web API).
The test-only `/api/0/_demo/` routes are exempt from limits and faults.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from dexter_tui.demo.api.errors import NOT_FOUND, ApiError, internal_error_response
from dexter_tui.demo.auth import bearer_token
from dexter_tui.demo.envelope import MAX_ENVELOPE_SIZE, MAX_EVENT_SIZE

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from dexter_tui.demo.faults import Faults
    from dexter_tui.demo.server import ServerOptions

API_PREFIX = "/api/0/"
EXEMPT_PREFIX = "/api/0/_demo/"
#: Advertised per-second limit when `--rate-limit` is not set (Sentry's SaaS default is 40;
#: self-hosted runs without a limiter). Not enforced.
DEFAULT_LIMIT = 1000
#: Concurrent requests per caller (the value sentry.io reports for most endpoints).
CONCURRENT_LIMIT = 25

_PROXY_BODIES = {
    502: "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n"
    "</html>\r\n",
    503: "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n"
    "<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>"
    "\r\n</body>\r\n</html>\r\n",
}


@dataclass(frozen=True)
class Quota:
    """The limiter's verdict for one request."""

    allowed: bool
    limit: int
    remaining: int
    reset: int  # epoch seconds: end of the current window
    concurrent_limit: int
    concurrent_remaining: int

    def headers(self) -> dict[str, str]:
        return {
            "X-Sentry-Rate-Limit-Limit": str(self.limit),
            "X-Sentry-Rate-Limit-Remaining": str(self.remaining),
            "X-Sentry-Rate-Limit-Reset": str(self.reset),
            "X-Sentry-Rate-Limit-ConcurrentLimit": str(self.concurrent_limit),
            "X-Sentry-Rate-Limit-ConcurrentRemaining": str(self.concurrent_remaining),
        }


class RateLimiter:
    """Fixed one-second windows per caller; `clock` is replaceable so tests need not sleep."""

    def __init__(self, limit: int | None, *, clock: Callable[[], float] = time.time):
        self.limit = limit
        self.clock = clock
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[int, int]] = {}  # caller -> (window start, count)
        self._in_flight: dict[str, int] = {}

    def admit(self, caller: str) -> Quota:
        """Count one request of `caller`; `allowed` is False once the window is used up."""
        now = self.clock()
        window = math.floor(now)
        limit = self.limit if self.limit is not None else DEFAULT_LIMIT
        with self._lock:
            start, count = self._windows.get(caller, (window, 0))
            if start != window:
                start, count = window, 0
            allowed = self.limit is None or count < self.limit
            if allowed:
                count += 1
            self._windows[caller] = (start, count)
            if len(self._windows) > 10_000:  # forget idle callers
                self._windows = {k: v for k, v in self._windows.items() if v[0] == window}
            in_flight = self._in_flight.get(caller, 0) + (1 if allowed else 0)
        return Quota(
            allowed=allowed,
            limit=limit,
            remaining=max(limit - count, 0) if allowed else 0,
            reset=window + 1,
            concurrent_limit=CONCURRENT_LIMIT,
            concurrent_remaining=max(CONCURRENT_LIMIT - in_flight, 0),
        )

    def enter(self, caller: str) -> None:
        with self._lock:
            self._in_flight[caller] = self._in_flight.get(caller, 0) + 1

    def leave(self, caller: str) -> None:
        with self._lock:
            left = self._in_flight.get(caller, 1) - 1
            if left > 0:
                self._in_flight[caller] = left
            else:
                self._in_flight.pop(caller, None)


def _caller_key(scope: Scope) -> str:
    """The rate-limit bucket: a digest of the bearer token, else the client address."""
    token = bearer_token(Request(scope))
    if token:
        return "token:" + hashlib.sha256(token.encode()).hexdigest()
    client = scope.get("client")
    return f"ip:{client[0] if client else '?'}"


class ApiMiddleware:
    """Applies rate limits, latency and faults to `/api/0/` requests."""

    def __init__(
        self, app: ASGIApp, *, options: ServerOptions, faults: Faults, limiter: RateLimiter
    ):
        self.app = app
        self.options = options
        self.faults = faults
        self.limiter = limiter

    async def _delay(self) -> None:
        """Wait `latency_ms`, re-read while waiting: lowering it releases requests in flight
        (a test that holds a request open lets it go at teardown)."""
        loop = asyncio.get_running_loop()
        start = loop.time()
        while True:
            left = self.options.latency_ms / 1000 - (loop.time() - start)
            if left <= 0:
                return
            await asyncio.sleep(min(left, 0.05))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] != "http"
            or not path.startswith(API_PREFIX)
            or path.startswith(EXEMPT_PREFIX)
        ):
            await self.app(scope, receive, send)
            return
        await self._delay()
        if self.faults.is_missing(path):  # an older Sentry without this route
            await JSONResponse({"detail": NOT_FOUND}, 404)(scope, receive, send)
            return
        if self.faults.take_drop():
            await _drop_connection(receive)
            return
        failure = self._roll_failure()
        if failure in _PROXY_BODIES:  # a proxy in front of Sentry answers: no Sentry headers
            await Response(_PROXY_BODIES[failure], failure, media_type="text/html")(
                scope, receive, send
            )
            return
        caller = _caller_key(scope)
        quota = self.limiter.admit(caller)
        if not quota.allowed:
            limit = self.limiter.limit
            detail = (
                "You are attempting to use this endpoint too frequently. "
                f"Limit is {limit} requests in 1 seconds"
            )
            await JSONResponse({"detail": detail}, 429, headers=quota.headers())(
                scope, receive, send
            )
            return
        self.limiter.enter(caller)
        try:
            if failure == 500:
                response = internal_error_response()
                response.headers.update(quota.headers())
                await response(scope, receive, send)
                return
            await self._call(scope, receive, send, quota)
        finally:
            self.limiter.leave(caller)

    def _roll_failure(self) -> int | None:
        rate = self.options.fail_rate
        if rate <= 0 or self.faults.random.random() >= rate:
            return None
        return self.faults.random.choice((500, 502, 503))

    async def _call(self, scope: Scope, receive: Receive, send: Send, quota: Quota) -> None:
        extra = [(k.lower().encode(), v.encode()) for k, v in quota.headers().items()]
        malformed = self.faults.malformed_json > 0
        held: list[Message] = []

        async def _send(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            if malformed:
                held.append(message)
                if message["type"] == "http.response.body" and not message.get("more_body"):
                    await _flush_malformed(held, send, self.faults)
                return
            await send(message)

        await self.app(scope, receive, _send)


async def _flush_malformed(held: list[Message], send: Send, faults: Faults) -> None:
    """Send a held response, its JSON body cut in half (when there is a JSON body to break)."""
    start = held[0]
    body = b"".join(m.get("body", b"") for m in held[1:])
    headers = list(start.get("headers", []))
    is_json = any(k == b"content-type" and b"json" in v for k, v in headers)
    if is_json and body and faults.take_malformed():
        body = body[: len(body) // 2] + b"\x00<!-- truncated"
        headers = [(k, v) for k, v in headers if k != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
    await send({**start, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _drop_connection(receive: Receive) -> None:
    """Close the client's connection without answering.

    Under uvicorn, `receive` is bound to the request cycle, which holds the socket transport;
    closing it is what a crashed upstream looks like to the client. In-process (no socket) the
    closest equivalent is an exception out of the app.
    """
    cycle = getattr(receive, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise ConnectionResetError("demo fault: connection dropped")
    transport.close()
    cycle.disconnected = True  # uvicorn: do not try to answer on the closed socket
    await asyncio.sleep(0)


#: Largest Web API request body: Django's default `DATA_UPLOAD_MAX_MEMORY_SIZE` (2.5 MiB).
API_BODY_LIMIT = 2_621_440


def body_limit(path: str) -> int:
    """The largest body a request to `path` may carry: Relay's limits on the ingest routes
    (one event on `/store/`, a whole envelope on `/envelope/`), `API_BODY_LIMIT` elsewhere."""
    if path.startswith("/api/") and not path.startswith(API_PREFIX):
        if path.endswith("/envelope/"):
            return MAX_ENVELOPE_SIZE
        if path.endswith("/store/"):
            return MAX_EVENT_SIZE
    return API_BODY_LIMIT


def _too_large(limit: int) -> ApiError:
    return ApiError(413, f"Request body too large: the limit is {limit} bytes.")


class BodyLimitMiddleware:
    """Refuse request bodies over `body_limit()` before reading them.

    A declared `Content-Length` over the limit is answered 413 without reading a byte; a body
    without one (chunked) is counted as it streams, and the read that crosses the limit raises
    the 413 inside the handler, so nothing bigger is ever held in memory.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope.get("path", ""))
        lengths = {v.strip() for k, v in scope.get("headers", []) if k == b"content-length"}
        if lengths:
            value = lengths.pop().decode("latin-1")
            if lengths or not (value.isascii() and value.isdigit()):
                error = ApiError(400, "Invalid Content-Length header.")
                await error.response()(scope, receive, send)
                return
            if int(value) > limit:
                await _too_large(limit).response()(scope, receive, send)
                return
        received = 0

        async def _receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _too_large(limit)
            return message

        await self.app(scope, _receive, send)


class HeadAsGetMiddleware:
    """HEAD is GET without the body (RFC 9110 §9.3.2), for every route that serves GET.

    Handlers only ever see GET, so a HEAD can never take a write branch; the answer keeps GET's
    status and headers (Content-Length included) and drops the body. The original method stays in
    `scope["dexter.method"]` for error messages. Routes without GET still answer 405 with `Allow`.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "HEAD":
            await self.app(scope, receive, send)
            return
        scope = {**scope, "method": "GET", "dexter.method": "HEAD"}

        async def _send(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app(scope, receive, _send)


def install(app: Starlette, options: ServerOptions, faults: Faults) -> RateLimiter:
    """Add the API middleware (outermost of the user middleware) and return its limiter."""
    limiter = RateLimiter(options.rate_limit)
    # inside ApiMiddleware: a dropped-connection fault needs the server's own `receive`
    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(ApiMiddleware, options=options, faults=faults, limiter=limiter)
    app.add_middleware(HeadAsGetMiddleware)  # outermost: everything below sees GET
    return limiter
