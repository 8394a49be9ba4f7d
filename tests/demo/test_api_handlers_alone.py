"""Each demo API handler is a module-level function that finds its store in the app state, so
it can be mounted and tested alone: no other route, no middleware, no closure over a store."""

from __future__ import annotations

import inspect

import httpx
import pytest
from platform_events import error_event, ingest
from starlette.applications import Starlette
from starlette.routing import Route

from dexter_tui.demo import ingest_routes
from dexter_tui.demo.api import _MODULES, errors, issues, releases
from dexter_tui.demo.store import Store
from dexter_tui.demo.world import World


def _alone(store: Store, *routes: Route) -> httpx.AsyncClient:
    app = Starlette(routes=list(routes))
    app.state.store = store
    errors.install(app)  # ApiError -> Sentry's error body
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://one.test")


async def test_the_issue_handler_alone(store: Store, world: World) -> None:
    _, group_id = ingest(
        store,
        world.projects["checkout-api"].project_id,
        error_event(timestamp=1_795_000_000.0),
    )
    route = Route("/api/0/issues/{issue_id}/", issues.issue, methods=["GET", "PUT"])
    async with _alone(store, route) as client:
        client.headers["Authorization"] = f"Bearer {world.token}"
        r = await client.get(f"/api/0/issues/{group_id}/")
        assert r.status_code == 200
        assert r.json()["id"] == str(group_id)
        r = await client.put(f"/api/0/issues/{group_id}/", json={"status": "resolved"})
        assert r.json()["status"] == "resolved"
        assert (await client.get("/api/0/issues/999/")).json() == {"detail": errors.NOT_FOUND}


async def test_the_release_repositories_handler_alone(store: Store, world: World) -> None:
    route = Route("/api/0/organizations/{org}/repos/", releases.repositories, methods=["GET"])
    async with _alone(store, route) as client:
        r = await client.get(
            "/api/0/organizations/acme/repos/", headers={"Authorization": f"Bearer {world.token}"}
        )
    assert r.status_code == 200
    assert r.json() == []


@pytest.mark.parametrize("module", [*_MODULES, ingest_routes], ids=lambda m: m.__name__)
def test_route_handlers_are_module_level(module) -> None:
    """No handler is a closure: each is the module's own attribute and takes only the request."""
    routes = module.ingest_routes() if module is ingest_routes else module.routes()
    assert routes
    for route in routes:
        handler = route.endpoint
        assert getattr(module, handler.__name__) is handler, handler.__qualname__
        assert "<locals>" not in handler.__qualname__
        assert list(inspect.signature(handler).parameters) == ["request"]
