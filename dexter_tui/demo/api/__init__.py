"""Sentry Web API routes (`/api/0/...`) of the demo server."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.routing import BaseRoute

    from dexter_tui.demo.server import ServerOptions
    from dexter_tui.demo.store import Store


def api_routes(store: Store, options: ServerOptions) -> list[BaseRoute]:
    """All `/api/0/` routes."""
    return []
