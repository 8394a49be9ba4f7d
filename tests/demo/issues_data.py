"""Test data for the issue/event API tests: variants of one event the real sentry-sdk produced.

`sdk_event()` captures a real exception through `sentry_sdk` (exception chain, frames, tags, user,
contexts, breadcrumbs) once; `make_event(...)` copies it and changes what a test needs (grouping
fingerprint, type/value, time, environment, release, user, tags), then `ingest` stores it through
the demo's real ingest.
"""

from __future__ import annotations

import copy
import functools
import json
from typing import Any

from sdk_capture import RecordingTransport, capture_raised, sdk_scope

from dexter_tui.demo.ingest import ingest_event
from dexter_tui.demo.store import Store


def _load_cart(cart: dict[str, int]) -> int:
    return cart["missing-item"]


def _checkout() -> None:
    try:
        _load_cart({"apple": 1})
    except KeyError as exc:
        raise RuntimeError("checkout failed") from exc


@functools.cache
def _captured() -> dict[str, Any]:
    transport = RecordingTransport("http://abc@demo.test/1")
    with sdk_scope(transport, environment="production", release="1.0.0") as scope:
        scope.set_tag("shard", "eu-1")
        scope.set_user({"id": "42", "email": "jo@example.com", "username": "jo"})
        scope.add_breadcrumb(category="db", message="SELECT 1")
        capture_raised(_checkout)
    (body,) = transport.envelopes
    lines = body.split(b"\n")
    for header, payload in zip(lines[1::2], lines[2::2], strict=False):
        if json.loads(header).get("type") == "event":
            return json.loads(payload)
    raise AssertionError("no event item in the envelope")


def sdk_event() -> dict[str, Any]:
    """A fresh copy of the real SDK event payload."""
    return copy.deepcopy(_captured())


def make_event(
    key: str = "a",
    *,
    ts: float | None = None,
    exc_type: str | None = None,
    value: str | None = None,
    environment: str | None = "production",
    release: str | None = "1.0.0",
    user: dict[str, Any] | None = None,
    tags: dict[str, str] | None = None,
    level: str | None = None,
    handled: bool | None = None,
) -> dict[str, Any]:
    """A variant of the SDK event; events with the same `key` group into the same issue."""
    event = sdk_event()
    event.pop("event_id", None)
    event["fingerprint"] = [f"issue-{key}"]
    if ts is not None:
        event["timestamp"] = ts
    last = event["exception"]["values"][-1]
    last["type"] = exc_type or f"Error{key.capitalize()}"
    last["value"] = value if value is not None else f"failure {key}"
    if handled is not None:
        last.setdefault("mechanism", {"type": "generic"})["handled"] = handled
    if environment is None:
        event.pop("environment", None)
    else:
        event["environment"] = environment
    if release is None:
        event.pop("release", None)
    else:
        event["release"] = release
    if user is not None:
        event["user"] = user
    if tags:
        event.setdefault("tags", {}).update(tags)
    if level:
        event["level"] = level
    return event


def ingest(store: Store, project_id: int, key: str = "a", **kw: Any) -> tuple[str, int]:
    """Ingest one `make_event(key, **kw)`; returns (event id, group id)."""
    received = kw.pop("received", None)
    return ingest_event(store, project_id, make_event(key, **kw), received=received)
