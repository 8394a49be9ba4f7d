"""Sentry ingest endpoints (`/api/{project_id}/envelope/` and `/store/`) of the demo server."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from dexter_tui.demo.store import Store


def ingest_routes(store: Store) -> list[BaseRoute]:
    """The ingest routes real SDKs post to."""
    return []
