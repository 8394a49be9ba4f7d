"""The demo Web API's cross-cutting protocol: auth, errors, pagination, faults."""

from __future__ import annotations

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from dexter_tui.demo.api.errors import ApiError
from dexter_tui.demo.auth import authenticate
from dexter_tui.demo.faults import check_bulk
from dexter_tui.demo.pagination import paginate_list
from dexter_tui.demo.server import ServerOptions, create_app
from dexter_tui.demo.store import Store
from dexter_tui.demo.world import World

FAULTS = "/api/0/_demo/faults/"


def _client(app, token: str | None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://demo.test", headers=headers
    )


async def test_missing_token_is_401(demo_app) -> None:
    async with _client(demo_app, None) as client:
        r = await client.get(FAULTS)
    assert r.status_code == 401
    assert r.json() == {"detail": "Authentication credentials were not provided."}


async def test_unknown_token_is_401(demo_app) -> None:
    async with _client(demo_app, "0" * 64) as client:
        r = await client.get(FAULTS)
    assert r.status_code == 401
    assert r.json() == {"detail": "Invalid token"}


async def test_read_only_token_cannot_write(demo_app, world: World) -> None:
    async with _client(demo_app, world.read_token) as client:
        r = await client.post(FAULTS, json={"clear": True})
    assert r.status_code == 403
    assert r.json() == {"detail": "You do not have permission to perform this action."}


async def test_unknown_route_is_404_json(api: httpx.AsyncClient) -> None:
    r = await api.get("/api/0/no-such-thing/")
    assert r.status_code == 404
    assert r.json() == {"detail": "The requested resource does not exist"}


# -- a tiny app exercising the helpers other route modules build on ------------------------------


def _helper_app(store: Store):
    items = [{"id": str(i)} for i in range(250)]

    async def listing(request: Request) -> JSONResponse:
        authenticate(request, store, "org:read")
        return paginate_list(request, items, hits=True)

    async def boom(request: Request) -> JSONResponse:
        raise RuntimeError("handler bug")

    async def field_error(request: Request) -> JSONResponse:
        raise ApiError(400, {"status": ["Not a valid choice."]})

    async def bulk(request: Request) -> JSONResponse:
        ids = request.query_params.getlist("id")
        check_bulk(request, ids)
        return JSONResponse({"changed": ids})

    app = create_app(store, ServerOptions())
    app.router.routes.extend(
        [
            Route("/api/0/test-bulk/", bulk, methods=["PUT"]),
            Route("/api/0/test-list/", listing),
            Route("/api/0/test-boom/", boom),
            Route("/api/0/test-field/", field_error),
        ]
    )
    return app


@pytest.fixture
async def helper(store: Store, world: World):
    async with _client(_helper_app(store), world.token) as client:
        yield client


async def test_pagination_walks_to_the_last_page(helper: httpx.AsyncClient) -> None:
    seen: list[str] = []
    url = "/api/0/test-list/?query=is%3Aunresolved&per_page=100"
    pages = 0
    while True:
        r = await helper.get(url)
        assert r.status_code == 200
        assert r.headers["X-Hits"] == "250"
        seen += [item["id"] for item in r.json()]
        pages += 1
        links = r.links
        assert set(links) == {"previous", "next"}
        assert links["previous"]["results"] == ("false" if pages == 1 else "true")
        # the link repeats the query string minus the cursor, on the request's own host
        assert links["next"]["url"].startswith(
            "http://demo.test/api/0/test-list/?query=is%3Aunresolved&per_page=100&cursor="
        )
        if links["next"]["results"] == "false":
            break
        url = links["next"]["url"]
    assert pages == 3
    assert seen == [str(i) for i in range(250)]
    assert links["next"]["cursor"] == "0:300:0"


async def test_first_page_link_header_is_sentrys_format(helper: httpx.AsyncClient) -> None:
    r = await helper.get("/api/0/test-list/?per_page=10")
    assert r.headers["Link"] == (
        '<http://demo.test/api/0/test-list/?per_page=10&cursor=0:0:1>; rel="previous"; '
        'results="false"; cursor="0:0:1", '
        '<http://demo.test/api/0/test-list/?per_page=10&cursor=0:10:0>; rel="next"; '
        'results="true"; cursor="0:10:0"'
    )


@pytest.mark.parametrize("cursor", ["abc", "1:2", "0:-5:0", "0:x:0", "0:0:7"])
async def test_unreadable_cursor_is_400(helper: httpx.AsyncClient, cursor: str) -> None:
    r = await helper.get("/api/0/test-list/", params={"cursor": cursor})
    assert r.status_code == 400
    assert r.json() == {"detail": "Invalid cursor parameter."}


async def test_per_page_over_100_is_400(helper: httpx.AsyncClient) -> None:
    r = await helper.get("/api/0/test-list/", params={"per_page": 101})
    assert r.status_code == 400
    assert "per_page" in r.json()["detail"]


async def test_unhandled_error_is_sentrys_500(helper: httpx.AsyncClient) -> None:
    r = await helper.get("/api/0/test-boom/")
    assert r.status_code == 500
    body = r.json()
    assert body["detail"] == "Internal Error"
    assert len(body["errorId"]) == 32
    int(body["errorId"], 16)


async def test_field_errors_pass_through(helper: httpx.AsyncClient) -> None:
    r = await helper.get("/api/0/test-field/")
    assert r.status_code == 400
    assert r.json() == {"status": ["Not a valid choice."]}


async def test_bulk_fail_ids_fail_the_whole_request(helper: httpx.AsyncClient) -> None:
    r = await helper.post(FAULTS, json={"bulk_fail_ids": ["12"]})
    assert r.status_code == 200
    ok = await helper.put("/api/0/test-bulk/", params=[("id", "11"), ("id", "13")])
    assert ok.json() == {"changed": ["11", "13"]}
    failed = await helper.put("/api/0/test-bulk/", params=[("id", "11"), ("id", "12")])
    assert failed.status_code == 500
    assert failed.json()["detail"] == "Internal Error"
