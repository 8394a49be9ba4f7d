"""Sentry's error bodies for the demo Web API.

Handlers raise `ApiError` anywhere; the handlers installed here turn it into the JSON body Sentry
sends (`{"detail": ...}`, or a field-error dict as is). Anything else that escapes a handler becomes
Sentry's 500 body `{"detail": "Internal Error", "errorId": "<32 hex>"}` instead of a traceback.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

NOT_FOUND = "The requested resource does not exist"
NO_PERMISSION = "You do not have permission to perform this action."


class ApiError(Exception):
    """An error answer: `status` with `{"detail": detail}`, or `detail` as is when a dict."""

    def __init__(
        self, status: int, detail: str | dict[str, Any], *, headers: Mapping[str, str] | None = None
    ):
        super().__init__(detail if isinstance(detail, str) else str(detail))
        self.status = status
        self.detail = detail
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        if isinstance(self.detail, dict):
            return self.detail
        if self.status == 500:
            return internal_error_body(self.detail)
        return {"detail": self.detail}

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status, headers=self.headers)


def internal_error_body(detail: str = "Internal Error") -> dict[str, Any]:
    """Sentry's 500 body; `errorId` is what its UI asks users to quote."""
    return {"detail": detail, "errorId": uuid.uuid4().hex}


def internal_error_response() -> JSONResponse:
    return JSONResponse(internal_error_body(), status_code=500)


def not_found() -> ApiError:
    return ApiError(404, NOT_FOUND)


def forbidden() -> ApiError:
    return ApiError(403, NO_PERMISSION)


async def _api_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return exc.response()


async def _http_exception_handler(request: Request, exc: Exception) -> JSONResponse:
    """Starlette's own 404/405 (unknown route, wrong method) in Sentry's/DRF's words."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        detail = NOT_FOUND
    elif exc.status_code == 405:
        method = request.scope.get("dexter.method", request.method)
        detail = f'Method "{method}" not allowed.'
    else:
        detail = str(exc.detail)
    return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)


class CatchAllMiddleware:
    """Answer Sentry's 500 body for any exception a handler lets escape (and log it).

    Starlette's own 500 handler re-raises after answering, which would surface as an exception in
    in-process test clients; a faithful server just answers 500.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def _send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, _send)
        except Exception:
            if started:
                raise
            log.exception("unhandled error in %s %s", scope.get("method"), scope.get("path"))
            await internal_error_response()(scope, receive, send)


def install(app: Starlette) -> None:
    """Register the error handlers (and the 500 catch-all, innermost of the user middleware)."""
    app.add_exception_handler(ApiError, _api_error_handler)
    app.add_exception_handler(HTTPException, _http_exception_handler)
    app.add_middleware(CatchAllMiddleware)
