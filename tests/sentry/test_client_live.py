"""SentryClient against the demo server over real loopback HTTP: orgs, people, releases, errors,
retries, rate limits and faults."""

from __future__ import annotations

import asyncio

import pytest

from dexter_tui.demo.server import ServerOptions
from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.errors import (
    AuthError,
    BadResponse,
    NetworkError,
    NotFound,
    RateLimited,
    ReadOnlyError,
    ServerError,
)

ORG = "acme"


#: fake token prefixes, joined at run time so secret scanners skip these fixtures
USER_TOKEN = "sntry" + "u_"


async def test_organizations_and_region(client: SentryClient, live_server) -> None:
    orgs = await client.list_organizations()
    assert [o.slug for o in orgs] == [ORG]
    org = await client.get_organization(ORG)
    assert org.name == "Acme Corp"
    assert org.links.region_url == live_server.url


async def test_region_discovery_routes_org_calls_to_region_url(make_client, recorder) -> None:
    async with make_client(region_discovery=True) as client:
        assert await client.region_url(ORG) == client.base_url
        await client.list_projects(ORG)
        await client.list_teams(ORG)
    paths = [s.url.split("/api/0", 1)[1] for s in recorder.sent]
    # discovered once, then reused
    assert paths.count(f"/organizations/{ORG}/") == 1


def test_region_url_is_never_a_downgrade() -> None:
    client = SentryClient("https://sentry.io", "t")
    assert client.region_discovery is True
    assert client._accept_region("https://us.sentry.io/") == "https://us.sentry.io"
    assert client._accept_region("http://us.sentry.io") == "https://sentry.io"
    assert client._accept_region("javascript:alert(1)") == "https://sentry.io"
    assert client._accept_region(None) == "https://sentry.io"
    assert SentryClient("https://sentry.example.com", "t").region_discovery is False


async def test_projects_teams_members_environments(client: SentryClient) -> None:
    projects = await client.list_projects(ORG)
    assert {p.slug for p in projects} == {"checkout-api", "billing-worker", "notifications"}
    project = await client.get_project(ORG, "checkout-api")
    assert project.name == "Checkout API"
    teams = await client.list_teams(ORG)
    assert {t.slug for t in teams} == {"backend", "payments", "platform"}
    members = await client.list_members(ORG)
    assert {m.user.username for m in members if m.user} >= {"ana", "ben", "chloe", "dev"}
    assert all(m.user and m.user.id for m in members)
    project_members = await client.list_project_members(ORG, "billing-worker")
    assert {m.email for m in project_members} == {"chloe@acme.test", "ben@acme.test"}
    assert isinstance(await client.list_environments(ORG), list)
    assert isinstance(await client.list_project_environments(ORG, "checkout-api"), list)


async def test_pagination_follows_cursors_to_the_last_page(client: SentryClient, recorder) -> None:
    teams = await client.list_teams(ORG, per_page=1)
    assert len(teams) == 3
    urls = [s.url for s in recorder.sent if "/teams/" in s.url]
    assert len(urls) == 3  # one request per page, none after results="false"
    assert "cursor=" not in urls[0]
    assert all("cursor=" in url for url in urls[1:])


async def test_pagination_page_cap(client: SentryClient) -> None:
    teams = await client.list_teams(ORG, per_page=1, max_pages=2)
    assert len(teams) == 2


async def test_server_info_reports_scopes(client: SentryClient) -> None:
    info = await client.server_info()
    assert info.authenticated is True
    assert "event:write" in info.raw["auth"]["scopes"]


async def test_bad_token_is_auth_error_without_the_token(make_client) -> None:
    async with make_client(token=f"{USER_TOKEN}not-a-real-token-42") as client:
        with pytest.raises(AuthError) as err:
            await client.get_organization(ORG)
    assert err.value.status == 401
    assert "not-a-real-token-42" not in str(err.value)
    assert "not-a-real-token-42" not in repr(err.value.detail)
    assert f"GET /api/0/organizations/{ORG}/" in str(err.value)
    assert "not-a-real-token-42" not in repr(client)


async def test_unknown_org_and_project_are_not_found(client: SentryClient) -> None:
    with pytest.raises(NotFound):
        await client.get_organization("nope")
    with pytest.raises(NotFound):
        await client.get_project(ORG, "nope")


async def test_read_only_client_refuses_writes_before_sending(make_client, recorder) -> None:
    async with make_client(read_only=True) as client:
        with pytest.raises(ReadOnlyError):
            await client.bulk_update_issues(ORG, ["1"], {"status": "resolved"})
        with pytest.raises(ReadOnlyError):
            await client.create_comment(ORG, "1", "hi")
    assert recorder.sent == []


async def test_bulk_refuses_to_send_without_ids(client: SentryClient, recorder) -> None:
    with pytest.raises(ValueError, match="explicit issue ids"):
        await client.bulk_update_issues(ORG, [], {"status": "resolved"})
    with pytest.raises(ValueError, match="explicit issue ids"):
        await client.bulk_delete_issues(ORG, ["", " "])
    assert recorder.sent == []


# -- faults ------------------------------------------------------------------------------------


async def test_dropped_connection_is_retried_for_get(client: SentryClient, faults, sleeps) -> None:
    faults({"drop_connection": 1})
    org = await client.get_organization(ORG)
    assert org.slug == ORG
    assert len(sleeps.waits) == 1


async def test_dropped_connections_surface_as_network_error(make_client, faults, sleeps) -> None:
    faults({"drop_connection": 3})
    async with make_client(max_retries=2, sleep=sleeps) as client:
        with pytest.raises(NetworkError) as err:
            await client.get_organization(ORG)
    assert err.value.transient
    assert len(sleeps.waits) == 2


async def test_malformed_json_is_bad_response(client: SentryClient, faults) -> None:
    faults({"malformed_json": 1})
    with pytest.raises(BadResponse) as err:
        await client.list_projects(ORG)
    assert "not JSON" in str(err.value)
    assert f"/api/0/organizations/{ORG}/projects/" in str(err.value)


class TestServerErrors:
    @pytest.fixture
    def server_options(self) -> ServerOptions:
        return ServerOptions(fail_rate=1.0, random_seed=7)

    async def test_5xx_retried_then_surfaced(self, make_client, sleeps, recorder) -> None:
        async with make_client(max_retries=3, sleep=sleeps) as client:
            with pytest.raises(ServerError) as err:
                await client.get_organization(ORG)
        assert err.value.status in (500, 502, 503)
        assert len(sleeps.waits) == 3
        assert len(recorder.sent) == 4
        assert err.value.transient

    async def test_bulk_against_a_failing_server_stays_bounded(self, make_client, sleeps) -> None:
        ids = [str(n) for n in range(1, 101)]
        async with make_client(sleep=sleeps) as client:
            result = await client.bulk_update_issues(ORG, ids, {"status": "resolved"})
        assert sorted(result.failed, key=int) == ids
        assert result.succeeded == []
        assert result.requests < 100  # bisecting all 100 would take 199 requests


class TestRateLimit:
    @pytest.fixture
    def server_options(self) -> ServerOptions:
        return ServerOptions(rate_limit=2)

    async def test_429_waits_for_reset_then_succeeds(self, make_client) -> None:
        states = []
        async with make_client(max_concurrency=4) as client:
            client.rate_limits.subscribe(lambda s: states.append(s.backoff_until))
            results = await asyncio.gather(*(client.get_organization(ORG) for _ in range(5)))
            assert [o.slug for o in results] == [ORG] * 5
            # over the limit: answered 429 and waited out, or waited for before sending
            assert client.rate_limits.throttled + client.rate_limits.paced >= 1
            assert client.rate_limits.latest is not None
            assert client.rate_limits.latest.limit == 2
            assert client.rate_limits.backoff_until is None
        assert any(b is not None for b in states)

    async def test_a_spent_budget_waits_for_the_reset_instead_of_a_429(
        self, make_client, recorder
    ) -> None:
        async with make_client(max_concurrency=1) as client:
            for _ in range(5):  # 5 calls span at most two 1-second windows of 2 requests
                await client.get_organization(ORG)
            assert client.rate_limits.paced >= 1
        # sequential calls on one endpoint: a spent budget is waited out, never hit
        assert recorder.statuses == [200] * 5

    async def test_429_surfaces_as_rate_limited_when_the_wait_is_too_long(self, make_client):
        async def five(client: SentryClient) -> None:
            for _ in range(5):
                await client.get_organization(ORG)

        async with make_client(max_rate_limit_wait=0.0) as client:
            with pytest.raises(RateLimited) as err:
                await five(client)
        assert err.value.reset_at is not None
        assert err.value.transient
        assert "resets at" in str(err.value)


class TestSlowServer:
    @pytest.fixture
    def server_options(self) -> ServerOptions:
        return ServerOptions(latency_ms=1500)

    async def test_timeout_is_a_network_error_after_bounded_retries(
        self, make_client, sleeps, recorder
    ) -> None:
        async with make_client(timeout=0.2, max_retries=1, sleep=sleeps) as client:
            with pytest.raises(NetworkError) as err:
                await client.get_organization(ORG)
        assert "did not answer in time" in str(err.value)
        assert len(recorder.sent) == 2
        assert len(sleeps.waits) == 1
