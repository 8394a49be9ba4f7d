"""The demo server's ASGI application: Sentry's ingest endpoints and Web API over one store."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.applications import Starlette

from dexter_tui.demo.api import api_routes, install_api
from dexter_tui.demo.ingest_routes import ingest_routes
from dexter_tui.demo.store import Store


@dataclass
class ServerOptions:
    """Knobs of `dexter demo-server` that change how the server answers (not what it stores)."""

    latency_ms: int = 0
    fail_rate: float = 0.0  # share of API requests answered with a random 500/502/503
    rate_limit: int | None = None  # API requests per second per token; None = unlimited
    random_seed: int | None = None  # makes fault injection repeatable


def create_app(store: Store, options: ServerOptions | None = None) -> Starlette:
    """Build the application; the same factory serves `dexter demo`, the CLI and the tests."""
    options = options or ServerOptions()
    app = Starlette(routes=[*ingest_routes(), *api_routes()])
    app.state.store = store
    app.state.options = options
    install_api(app, store, options)
    return app
