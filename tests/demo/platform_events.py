"""Events for the API platform tests, ingested through D1's real ingest path."""

from __future__ import annotations

import uuid
from typing import Any

from dexter_tui.demo.ingest import ingest_event
from dexter_tui.demo.store import Store


def error_event(
    exc_type: str = "ValueError",
    value: str = "bad input",
    *,
    timestamp: float,
    release: str | None = None,
    environment: str = "production",
    user: str | None = None,
    tags: dict[str, str] | None = None,
    function: str = "handler",
    transaction: str | None = None,
) -> dict[str, Any]:
    """A Python SDK-like error event; events of the same type+function group together."""
    event: dict[str, Any] = {
        "event_id": uuid.uuid4().hex,
        "timestamp": timestamp,
        "platform": "python",
        "level": "error",
        "environment": environment,
        "exception": {
            "values": [
                {
                    "type": exc_type,
                    "value": value,
                    "module": "builtins",
                    "mechanism": {"type": "generic", "handled": True},
                    "stacktrace": {
                        "frames": [
                            {
                                "filename": "app/views.py",
                                "abs_path": "/srv/app/views.py",
                                "module": "app.views",
                                "function": function,
                                "lineno": 42,
                                "in_app": True,
                            }
                        ]
                    },
                }
            ]
        },
        "tags": dict(tags or {}),
        "sdk": {"name": "sentry.python", "version": "2.30.0"},
    }
    if release:
        event["release"] = release
    if user:
        event["user"] = {"id": user, "email": f"{user}@customers.test"}
    if transaction:
        event["transaction"] = transaction
    return event


def ingest(store: Store, project_id: int, event: dict[str, Any]) -> tuple[str, int]:
    return ingest_event(store, project_id, event, received=event["timestamp"])
