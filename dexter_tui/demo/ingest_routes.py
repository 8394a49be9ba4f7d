"""Sentry ingest endpoints (`/api/{project_id}/envelope/` and `/store/`) of the demo server.

Answers like Relay: 401 when no auth is present, 403 when the key is unknown or belongs to another
project, 400/413 with `{"detail": ...}` on malformed or oversized input (nothing of such a request
is stored: all items of one envelope land in one transaction), 200 `{"id": "<event_id>"}`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from dexter_tui.demo.api.app_state import store_of
from dexter_tui.demo.envelope import (
    MAX_EVENT_SIZE,
    Auth,
    EnvelopeError,
    EnvelopeTooLarge,
    decompress,
    find_auth,
    loads_strict,
    parse_envelope,
)
from dexter_tui.demo.ingest import UnknownProject, ingest_envelope, ingest_event

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from dexter_tui.demo.store import Store

MISSING_AUTH = "missing authorization information"
REJECTED = "event submission rejected with_reason: ProjectId"


def _client_ip(request: Request) -> str | None:
    forwarded = request.headers.get("x-forwarded-for")
    if forwarded:
        return forwarded.split(",", 1)[0].strip() or None
    return request.client.host if request.client else None


def _error(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


def _authorized(store: Store, auth: Auth, project_id: int) -> bool:
    if auth.project_id is not None and auth.project_id != project_id:
        return False
    row = store.query_one("SELECT id FROM projects WHERE public_key = ?", (auth.public_key,))
    return row is not None and row["id"] == project_id


async def envelope(request: Request) -> JSONResponse:
    store = store_of(request)
    project_id: int = request.path_params["project_id"]
    try:
        body = decompress(await request.body(), request.headers.get("content-encoding"))
        auth = find_auth(request.headers, request.query_params, None)
        headers: dict[str, Any] = {}
        if auth is None:
            headers = parse_envelope(body).headers
            auth = find_auth(request.headers, request.query_params, headers)
        if auth is None:
            return _error(401, MISSING_AUTH)
        if not _authorized(store, auth, project_id):
            return _error(403, REJECTED)
        ids = await run_in_threadpool(
            ingest_envelope, store, project_id, body, client_ip=_client_ip(request)
        )
        if not ids and not headers:
            headers = parse_envelope(body).headers
    except EnvelopeError as exc:
        return _error(exc.status, str(exc))
    except UnknownProject:
        return _error(403, REJECTED)
    event_id = ids[0] if ids else headers.get("event_id")
    return JSONResponse({"id": event_id} if isinstance(event_id, str) else {})


async def store_event(request: Request) -> JSONResponse:
    store = store_of(request)
    project_id: int = request.path_params["project_id"]
    try:
        body = decompress(await request.body(), request.headers.get("content-encoding"))
        auth = find_auth(request.headers, request.query_params, None)
        if auth is None:
            return _error(401, MISSING_AUTH)
        if not _authorized(store, auth, project_id):
            return _error(403, REJECTED)
        if len(body) > MAX_EVENT_SIZE:
            raise EnvelopeTooLarge("event exceeded size limits")
        payload = loads_strict(body, "invalid event: payload")
        if not isinstance(payload, dict):
            raise EnvelopeError("invalid event: payload must be a JSON object")
        event_id, _ = await run_in_threadpool(
            lambda: ingest_event(
                store, project_id, payload, size=len(body), client_ip=_client_ip(request)
            )
        )
    except EnvelopeError as exc:
        return _error(exc.status, str(exc))
    except UnknownProject:
        return _error(403, REJECTED)
    return JSONResponse({"id": event_id})


def ingest_routes() -> list[BaseRoute]:
    """The ingest routes real SDKs post to."""
    return [
        Route("/api/{project_id:int}/envelope/", envelope, methods=["POST"]),
        Route("/api/{project_id:int}/store/", store_event, methods=["POST"]),
    ]
