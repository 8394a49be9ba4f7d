"""Sentry Web API routes (`/api/0/...`) of the demo server, and the plumbing around them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dexter_tui.demo import middleware
from dexter_tui.demo.api import (
    comments,
    discover,
    errors,
    events,
    fault_routes,
    issue_counts,
    issues,
    org,
    ownership,
    releases,
    rules,
    saved_searches,
    tag_values,
)
from dexter_tui.demo.faults import Faults

if TYPE_CHECKING:
    from starlette.applications import Starlette
    from starlette.routing import BaseRoute

    from dexter_tui.demo.server import ServerOptions
    from dexter_tui.demo.store import Store

#: Route modules, each exposing `routes() -> list[Route]` of module-level handlers that find the
#: store in the app state (`app_state.store_of`).
_MODULES = [
    fault_routes,
    org,
    releases,
    rules,
    discover,
    issues,
    events,
    comments,
    issue_counts,
    ownership,
    tag_values,
    saved_searches,
]


def api_routes() -> list[BaseRoute]:
    """All `/api/0/` routes."""
    return [route for module in _MODULES for route in module.routes()]


def install_api(app: Starlette, store: Store, options: ServerOptions) -> None:
    """Error handlers, fault state and API middleware; `server.create_app` calls this once."""
    app.state.faults = Faults(options.random_seed)
    errors.install(app)  # innermost: turns handler errors into Sentry bodies
    app.state.rate_limiter = middleware.install(app, options, app.state.faults)
