"""`/api/0/_demo/faults/`: the test-only switchboard for targeted faults (not part of Sentry)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.responses import JSONResponse
from starlette.routing import Route

from dexter_tui.demo.api.app_state import store_of
from dexter_tui.demo.api.body import decode_json
from dexter_tui.demo.api.errors import ApiError
from dexter_tui.demo.auth import authenticate

if TYPE_CHECKING:
    from starlette.requests import Request


async def faults(request: Request) -> JSONResponse:
    store = store_of(request)
    state = request.app.state.faults
    if request.method == "GET":
        authenticate(request, store)
        return JSONResponse(state.snapshot())
    authenticate(request, store, "org:write")
    try:
        body = decode_json(await request.body() or b"{}")
        if not isinstance(body, dict):
            raise ValueError("body must be an object")
        state.configure(body)
    except (ValueError, TypeError) as exc:
        raise ApiError(400, f"Invalid fault request: {exc}") from None
    return JSONResponse(state.snapshot())


def routes() -> list[Route]:
    return [Route("/api/0/_demo/faults/", faults, methods=["GET", "POST"])]
