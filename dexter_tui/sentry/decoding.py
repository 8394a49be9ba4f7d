"""Response bodies into pydantic models, or a `BadResponse` that says where the shape broke.

Every resource part decodes the same way, so a server answering HTML or an unexpected shape
produces one kind of message naming the endpoint and the first wrong field.
"""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from dexter_tui.sentry.errors import BadResponse

M = TypeVar("M", bound=BaseModel)


def json_body(response: httpx.Response) -> Any:
    """The decoded JSON body; `BadResponse` when it is not JSON."""
    try:
        return response.json()
    except ValueError:
        raise BadResponse(
            f"Sentry answered HTTP {response.status_code} with a body that is not JSON "
            f"({response.headers.get('content-type', 'no content type')})",
            method=response.request.method,
            path=response.request.url.path,
            status=response.status_code,
        ) from None


def validate(response: httpx.Response, model: type[M], data: Any) -> M:
    """`data` (part of `response`) as `model`; `BadResponse` naming the first invalid field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first.get("loc", ())) or "(top level)"
        raise BadResponse(
            f"unexpected {model.__name__} shape from Sentry at `{loc}`: {first.get('msg')}",
            method=response.request.method,
            path=response.request.url.path,
            status=response.status_code,
        ) from None


def parse(response: httpx.Response, model: type[M]) -> M:
    """The whole body as one `model`."""
    return validate(response, model, json_body(response))


#: bodies from this size on are decoded and validated in a worker thread
OFF_LOOP_BYTES = 64 * 1024


async def parse_off_loop(response: httpx.Response, model: type[M]) -> M:
    """`parse`, in a worker thread when the body is large: JSON decoding and validation of a
    multi-megabyte event take long enough to freeze the screen if done on the event loop."""
    if len(response.content) < OFF_LOOP_BYTES:
        return parse(response, model)
    return await asyncio.to_thread(parse, response, model)


def parse_list(response: httpx.Response, model: type[M]) -> list[M]:
    """The body as a JSON list of `model`."""
    data = json_body(response)
    if not isinstance(data, list):
        raise BadResponse(
            f"expected a JSON list of {model.__name__}, got {type(data).__name__}",
            method=response.request.method,
            path=response.request.url.path,
            status=response.status_code,
        )
    return [validate(response, model, item) for item in data]


def dict_list(data: Any) -> list[dict[str, Any]]:
    """The dicts of a JSON list (anything else: empty), for endpoints read as raw dicts."""
    return [d for d in data if isinstance(d, dict)] if isinstance(data, list) else []
