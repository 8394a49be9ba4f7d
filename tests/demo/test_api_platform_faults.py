"""Rate limiting and injected faults of the demo Web API (what the client's retry logic meets)."""

from __future__ import annotations

import json

import httpx
import pytest

from dexter_tui.demo.server import ServerOptions, create_app
from dexter_tui.demo.store import Store
from dexter_tui.demo.world import World

ORGS = "/api/0/organizations/"
FAULTS = "/api/0/_demo/faults/"
RATE_HEADERS = (
    "X-Sentry-Rate-Limit-Limit",
    "X-Sentry-Rate-Limit-Remaining",
    "X-Sentry-Rate-Limit-Reset",
    "X-Sentry-Rate-Limit-ConcurrentLimit",
    "X-Sentry-Rate-Limit-ConcurrentRemaining",
)


class FakeClock:
    def __init__(self, now: float):
        self.now = now

    def __call__(self) -> float:
        return self.now


async def test_every_api_answer_carries_rate_limit_headers(api: httpx.AsyncClient) -> None:
    for path in (ORGS, "/api/0/organizations/nope/", "/api/0/unknown/"):
        r = await api.get(path)
        for header in RATE_HEADERS:
            assert int(r.headers[header]) >= 0, (path, header)
    r = await api.get(ORGS)
    assert int(r.headers["X-Sentry-Rate-Limit-ConcurrentRemaining"]) < int(
        r.headers["X-Sentry-Rate-Limit-ConcurrentLimit"]
    )


async def test_unauthenticated_answers_are_limited_too(demo_app) -> None:
    transport = httpx.ASGITransport(app=demo_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://demo.test") as client:
        r = await client.get(ORGS)
    assert r.status_code == 401
    assert "X-Sentry-Rate-Limit-Remaining" in r.headers


class TestRateLimit:
    @pytest.fixture
    def server_options(self) -> ServerOptions:
        return ServerOptions(rate_limit=3)

    async def test_over_the_limit_is_429_until_the_reset_time(
        self, demo_app, api: httpx.AsyncClient
    ) -> None:
        clock = FakeClock(1_800_000_000.25)
        demo_app.state.rate_limiter.clock = clock
        remaining = []
        for _ in range(3):
            r = await api.get(ORGS)
            assert r.status_code == 200
            assert r.headers["X-Sentry-Rate-Limit-Limit"] == "3"
            assert r.headers["X-Sentry-Rate-Limit-Reset"] == "1800000001"
            remaining.append(int(r.headers["X-Sentry-Rate-Limit-Remaining"]))
        assert remaining == [2, 1, 0]

        r = await api.get(ORGS)
        assert r.status_code == 429
        assert r.json() == {
            "detail": "You are attempting to use this endpoint too frequently. "
            "Limit is 3 requests in 1 seconds"
        }
        assert r.headers["X-Sentry-Rate-Limit-Remaining"] == "0"
        assert r.headers["X-Sentry-Rate-Limit-Reset"] == "1800000001"
        assert "Retry-After" not in r.headers

        clock.now = 1_800_000_000.99  # still the same window
        assert (await api.get(ORGS)).status_code == 429
        clock.now = 1_800_000_001.0  # the advertised reset time
        r = await api.get(ORGS)
        assert r.status_code == 200
        assert r.headers["X-Sentry-Rate-Limit-Remaining"] == "2"
        assert r.headers["X-Sentry-Rate-Limit-Reset"] == "1800000002"

    async def test_each_token_has_its_own_window(
        self, demo_app, api: httpx.AsyncClient, world: World
    ) -> None:
        demo_app.state.rate_limiter.clock = FakeClock(1_800_000_000.5)
        for _ in range(3):
            await api.get(ORGS)
        assert (await api.get(ORGS)).status_code == 429
        r = await api.get(ORGS, headers={"Authorization": f"Bearer {world.read_token}"})
        assert r.status_code == 200

    async def test_the_fault_switchboard_is_not_limited(
        self, demo_app, api: httpx.AsyncClient
    ) -> None:
        demo_app.state.rate_limiter.clock = FakeClock(1_800_000_000.5)
        for _ in range(5):
            assert (await api.get(FAULTS)).status_code == 200

    def test_429_then_success_over_real_http(self, live_server, world: World) -> None:
        """Real clock: a client that sleeps until `Reset` gets through."""
        import time

        headers = {"Authorization": f"Bearer {world.token}"}
        with httpx.Client(base_url=live_server.url, headers=headers) as client:
            statuses = []
            for _ in range(8):  # some second boundary may pass; 8 > 2 windows' worth
                r = client.get(ORGS)
                statuses.append(r.status_code)
                if r.status_code == 429:
                    break
            assert statuses[-1] == 429
            reset = int(r.headers["X-Sentry-Rate-Limit-Reset"])
            time.sleep(max(reset - time.time(), 0) + 0.01)
            assert client.get(ORGS).status_code == 200


class TestFailRate:
    @pytest.fixture
    def server_options(self) -> ServerOptions:
        return ServerOptions(fail_rate=1.0, random_seed=7)

    async def test_every_request_fails_like_sentry_or_its_proxy(
        self, api: httpx.AsyncClient
    ) -> None:
        statuses = []
        for _ in range(30):
            r = await api.get(ORGS)
            statuses.append(r.status_code)
            if r.status_code == 500:
                body = r.json()
                assert body["detail"] == "Internal Error"
                assert len(body["errorId"]) == 32
                assert "X-Sentry-Rate-Limit-Limit" in r.headers
            else:
                assert r.status_code in (502, 503)
                assert r.headers["content-type"].startswith("text/html")
                with pytest.raises(json.JSONDecodeError):
                    json.loads(r.text)
        assert set(statuses) == {500, 502, 503}

    async def test_the_same_seed_fails_the_same_way(self, store: Store, world: World) -> None:
        async def run() -> list[int]:
            app = create_app(store, ServerOptions(fail_rate=0.5, random_seed=42))
            transport = httpx.ASGITransport(app=app)
            headers = {"Authorization": f"Bearer {world.token}"}
            async with httpx.AsyncClient(
                transport=transport, base_url="http://demo.test", headers=headers
            ) as client:
                return [(await client.get(ORGS)).status_code for _ in range(40)]

        first, second = await run(), await run()
        assert first == second
        assert 200 in first
        assert set(first) - {200}


async def test_malformed_json_once(api: httpx.AsyncClient) -> None:
    r = await api.post(FAULTS, json={"malformed_json": 1})
    assert r.status_code == 200
    assert r.json()["malformed_json"] == 1
    r = await api.get(ORGS)
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    assert int(r.headers["content-length"]) == len(r.content)
    with pytest.raises(json.JSONDecodeError):
        r.json()
    r = await api.get(ORGS)
    assert r.json()[0]["slug"] == "acme"


def test_dropped_connection_over_real_http(live_server, world: World) -> None:
    headers = {"Authorization": f"Bearer {world.token}"}
    with httpx.Client(base_url=live_server.url, headers=headers) as client:
        assert client.post(FAULTS, json={"drop_connection": 2}).status_code == 200
        for _ in range(2):
            with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
                client.get(ORGS)
        r = client.get(ORGS)
        assert r.status_code == 200
        assert client.get(FAULTS).json()["drop_connection"] == 0


async def test_dropped_connection_in_process_raises(api: httpx.AsyncClient) -> None:
    await api.post(FAULTS, json={"drop_connection": 1})
    with pytest.raises(ConnectionResetError):
        await api.get(ORGS)
    assert (await api.get(ORGS)).status_code == 200


async def test_clear_resets_every_fault(api: httpx.AsyncClient) -> None:
    await api.post(
        FAULTS,
        json={"bulk_fail_ids": ["3", 4], "malformed_json": 2, "missing_routes": ["/api/0/x/"]},
    )
    assert (await api.get(FAULTS)).json()["bulk_fail_ids"] == ["3", "4"]
    r = await api.post(FAULTS, json={"clear": True})
    assert r.json() == {
        "bulk_fail_ids": [],
        "drop_connection": 0,
        "malformed_json": 0,
        "missing_routes": [],
    }


async def test_missing_routes_answer_404_like_an_older_sentry(api: httpx.AsyncClient) -> None:
    searches = "/api/0/organizations/acme/searches/"
    assert (await api.get(searches)).status_code == 200
    r = await api.post(FAULTS, json={"missing_routes": [searches]})
    assert r.json()["missing_routes"] == [searches]
    gone = await api.get(searches)
    assert gone.status_code == 404
    assert gone.json() == {"detail": "The requested resource does not exist"}
    assert (await api.delete(f"{searches}1/")).status_code == 404  # the prefix: every sub-route
    assert (await api.get(ORGS)).status_code == 200  # the rest still served
    await api.post(FAULTS, json={"clear": True})
    assert (await api.get(searches)).status_code == 200


@pytest.mark.parametrize(
    "body",
    [[1, 2], {"drop_connection": -1}, {"bulk_fail_ids": ["x"]}, {"missing_routes": ["x/"]}],
)
async def test_bad_fault_requests_are_400(api: httpx.AsyncClient, body: object) -> None:
    r = await api.post(FAULTS, json=body)
    assert r.status_code == 400
    assert "detail" in r.json()


class TestLatency:
    @pytest.fixture
    def server_options(self) -> ServerOptions:
        return ServerOptions(latency_ms=5)

    async def test_slow_server_still_answers(self, api: httpx.AsyncClient) -> None:
        r = await api.get(ORGS)
        assert r.status_code == 200
        assert r.json()[0]["slug"] == "acme"
