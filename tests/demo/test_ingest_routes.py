"""The ingest HTTP endpoints: the real SDK over loopback, recorded envelopes, auth and bad input."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import brotli
import httpx
import pytest
import sentry_sdk
from sdk_capture import capture_raised

from dexter_tui.demo.runner import BackgroundServer
from dexter_tui.demo.store import Store
from dexter_tui.demo.world import World

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "envelopes"


def _count(store: Store, table: str) -> int:
    return int(store.query_one(f"SELECT COUNT(*) FROM {table}")[0])


@pytest.fixture
async def ingest(demo_app) -> AsyncIterator[httpx.AsyncClient]:
    """A client on the demo app without API credentials (ingest authenticates by DSN key)."""
    transport = httpx.ASGITransport(app=demo_app, client=("198.51.100.7", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://demo.test") as client:
        yield client


def _auth(key: str) -> dict[str, str]:
    return {
        "X-Sentry-Auth": f"Sentry sentry_key={key}, sentry_version=7, sentry_client=test/1.0",
        "Content-Type": "application/x-sentry-envelope",
    }


def _envelope(event: dict[str, Any], headers: dict[str, Any] | None = None) -> bytes:
    payload = json.dumps(event).encode()
    head = json.dumps(headers or {}).encode()
    return (
        head
        + b"\n"
        + json.dumps({"type": "event", "length": len(payload)}).encode()
        + b"\n"
        + payload
    )


# -- the real SDK over HTTP -----------------------------------------------------------------------


@contextmanager
def _http_sdk(server: BackgroundServer, world: World, **options: Any) -> Iterator[sentry_sdk.Scope]:
    """An isolated SDK client with its default HTTP transport, aimed at the live server."""
    keys = world.projects["checkout-api"]
    host = server.url.split("://", 1)[1].rstrip("/")
    client = sentry_sdk.Client(
        dsn=f"http://{keys.public_key}@{host}/{keys.project_id}",
        default_integrations=False,
        auto_enabling_integrations=False,
        **options,
    )
    with sentry_sdk.isolation_scope() as scope:
        scope.set_client(client)
        try:
            yield scope
        finally:
            client.flush()
            client.close()


def _fail() -> None:
    try:
        {}["missing"]
    except KeyError as exc:
        raise LookupError("config key missing") from exc


@pytest.mark.parametrize(
    "experiments",
    [
        {},  # brotli: the SDK's default when the module is importable
        {"transport_compression_algo": "gzip"},
        {"transport_compression_level": 0},  # no compression
    ],
)
def test_real_sdk_over_http(store: Store, world: World, live_server, experiments) -> None:
    with _http_sdk(live_server, world, _experiments=experiments) as scope:
        scope.set_tag("feature", "config")
        scope.set_user({"id": "7"})
        sentry_sdk.add_breadcrumb(category="boot", message="loading config")
        capture_raised(_fail)
        sentry_sdk.capture_message("Config reloaded")
    rows = store.query("SELECT title, type, data FROM events ORDER BY id")
    assert [(r["title"], r["type"]) for r in rows] == [
        ("LookupError: config key missing", "error"),
        ("Config reloaded", "default"),
    ]
    data = json.loads(rows[0]["data"])
    assert ["feature", "config"] in data["tags"]
    assert data["user"] == {"id": "7"}
    assert data["breadcrumbs"]["values"][-1]["message"] == "loading config"
    assert [g["short_id"] for g in store.query("SELECT short_id FROM groups ORDER BY id")] == [
        "CHECKOUT-API-1",
        "CHECKOUT-API-2",
    ]


# -- recorded envelopes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("case", "title", "kind"),
    [
        ("L01_zero_division", "ZeroDivisionError: division by zero", "error"),
        (
            "D08_lock_table_share_upgrade",
            "Ledger batch insert failed: deadlock detected",
            "default",
        ),
    ],
)
async def test_recorded_envelopes(ingest, store: Store, world: World, case, title, kind) -> None:
    recorded = json.loads((FIXTURES / f"{case}.request_headers.json").read_text())
    body = (FIXTURES / f"{case}.envelope.bin").read_bytes()
    headers = dict(recorded["headers"])
    assert headers["Content-Encoding"] == "gzip"
    headers.pop("Content-Length")
    headers.pop("Host")
    # the recording's own key belongs to no project here
    response = await ingest.post("/api/1/envelope/", content=gzip.compress(body), headers=headers)
    assert response.status_code == 403
    keys = world.projects["checkout-api"]
    headers["X-Sentry-Auth"] = headers["X-Sentry-Auth"].replace("publickey", keys.public_key)
    response = await ingest.post(
        f"/api/{keys.project_id}/envelope/", content=gzip.compress(body), headers=headers
    )
    assert response.status_code == 200
    header_id = json.loads(body.split(b"\n", 1)[0])["event_id"]
    assert response.json() == {"id": header_id}
    group = store.query_one("SELECT * FROM groups")
    assert (group["title"], group["type"]) == (title, kind)
    env = store.query_one("SELECT name FROM environments")
    assert env["name"] == "corpus"


# -- encodings ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda b: zlib.compress(b, wbits=-15)),
        ("br", brotli.compress),
        ("identity", lambda b: b),
    ],
)
async def test_compressed_bodies(ingest, store: Store, world: World, encoding, encode) -> None:
    keys = world.projects["billing-worker"]
    body = _envelope({"message": "Invoice run finished late", "level": "warning"})
    response = await ingest.post(
        f"/api/{keys.project_id}/envelope/",
        content=encode(body),
        headers={**_auth(keys.public_key), "Content-Encoding": encoding},
    )
    assert response.status_code == 200, response.text
    group = store.query_one("SELECT short_id, level FROM groups")
    assert (group["short_id"], group["level"]) == ("BILLING-WORKER-1", "warning")


async def test_unknown_encoding_is_rejected(ingest, store: Store, world: World) -> None:
    keys = world.projects["billing-worker"]
    response = await ingest.post(
        f"/api/{keys.project_id}/envelope/",
        content=b"whatever",
        headers={**_auth(keys.public_key), "Content-Encoding": "compress"},
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "unsupported content encoding: compress"}


# -- auth -----------------------------------------------------------------------------------------


async def test_missing_auth_is_401(ingest, store: Store, world: World) -> None:
    keys = world.projects["checkout-api"]
    response = await ingest.post(
        f"/api/{keys.project_id}/envelope/", content=_envelope({"message": "x"})
    )
    assert response.status_code == 401
    assert response.json() == {"detail": "missing authorization information"}
    assert _count(store, "events") == 0


async def test_key_of_another_project_or_unknown_project_is_403(ingest, store: Store, world: World):
    checkout, billing = world.projects["checkout-api"], world.projects["billing-worker"]
    body = _envelope({"message": "x"})
    for project_id, key in (
        (checkout.project_id, billing.public_key),
        (checkout.project_id, "0" * 32),
        (999, checkout.public_key),
    ):
        response = await ingest.post(
            f"/api/{project_id}/envelope/", content=body, headers=_auth(key)
        )
        assert response.status_code == 403
        assert "rejected" in response.json()["detail"]
    assert _count(store, "events") == 0


async def test_auth_by_query_parameter_and_envelope_dsn(ingest, store: Store, world: World) -> None:
    keys = world.projects["notifications"]
    url = f"/api/{keys.project_id}/envelope/"
    response = await ingest.post(
        f"{url}?sentry_key={keys.public_key}&sentry_version=7", content=_envelope({"message": "q"})
    )
    assert response.status_code == 200
    dsn = f"https://{keys.public_key}@o1.ingest.example/{keys.project_id}"
    response = await ingest.post(url, content=_envelope({"message": "d"}, {"dsn": dsn}))
    assert response.status_code == 200
    other = (
        f"https://{keys.public_key}@o1.ingest.example/{world.projects['checkout-api'].project_id}"
    )
    response = await ingest.post(url, content=_envelope({"message": "d"}, {"dsn": other}))
    assert response.status_code == 403
    assert _count(store, "events") == 2


# -- malformed input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"", "empty body"),
        (b'{}\n{"type":"event","length":999}\n{}', "truncated"),
        (b'{}\n{"type":"event"}\n{"message": nope}', "not valid JSON"),
        (b'{}\n{"type":"event"}\n[1]', "must be a JSON object"),
    ],
)
async def test_malformed_envelope_is_400(ingest, store: Store, world: World, body, detail) -> None:
    keys = world.projects["checkout-api"]
    response = await ingest.post(
        f"/api/{keys.project_id}/envelope/", content=body, headers=_auth(keys.public_key)
    )
    assert response.status_code == 400
    assert detail in response.json()["detail"]
    assert _count(store, "events") == 0


async def test_rejected_envelope_stores_none_of_its_items(ingest, store: Store, world: World):
    keys = world.projects["checkout-api"]
    good = json.dumps({"message": "first item is fine"}).encode()
    body = (
        b"{}\n"
        + json.dumps({"type": "event", "length": len(good)}).encode() + b"\n" + good + b"\n"
        + b'{"type":"event"}\n{"broken"\n'
    )  # fmt: skip
    response = await ingest.post(
        f"/api/{keys.project_id}/envelope/", content=body, headers=_auth(keys.public_key)
    )
    assert response.status_code == 400
    assert _count(store, "events") == 0
    assert _count(store, "groups") == 0
    assert _count(store, "environments") == 0


async def test_oversized_event_is_413(ingest, store: Store, world: World) -> None:
    keys = world.projects["checkout-api"]
    body = _envelope({"message": "x" * (1024 * 1024)})
    response = await ingest.post(
        f"/api/{keys.project_id}/envelope/",
        content=gzip.compress(body),
        headers={**_auth(keys.public_key), "Content-Encoding": "gzip"},
    )
    assert response.status_code == 413
    assert _count(store, "events") == 0


async def test_envelope_without_events_answers_its_id(ingest, store: Store, world: World) -> None:
    keys = world.projects["checkout-api"]
    body = b'{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc"}\n{"type":"session"}\n{"sid":"1"}\n'
    response = await ingest.post(
        f"/api/{keys.project_id}/envelope/", content=body, headers=_auth(keys.public_key)
    )
    assert response.status_code == 200
    assert response.json() == {"id": "9ec79c33ec9942ab8353589fcb2e04dc"}
    assert _count(store, "events") == 0


# -- legacy /store/ -------------------------------------------------------------------------------


async def test_legacy_store_endpoint(ingest, store: Store, world: World) -> None:
    keys = world.projects["checkout-api"]
    event = {
        "event_id": "0f0e0d0c0b0a09080706050403020100",
        "exception": {"values": [{"type": "ValueError", "value": "bad sku"}]},
        "user": {"ip_address": "{{auto}}"},
    }
    response = await ingest.post(
        f"/api/{keys.project_id}/store/",
        content=gzip.compress(json.dumps(event).encode()),
        headers={**_auth(keys.public_key), "Content-Encoding": "gzip"},
    )
    assert response.status_code == 200
    assert response.json() == {"id": event["event_id"]}
    row = store.query_one("SELECT title, user_key FROM events")
    assert (row["title"], row["user_key"]) == ("ValueError: bad sku", "ip:198.51.100.7")
    response = await ingest.post(
        f"/api/{keys.project_id}/store/", content=b"{not json", headers=_auth(keys.public_key)
    )
    assert response.status_code == 400
    response = await ingest.post(f"/api/{keys.project_id}/store/", content=b"{}")
    assert response.status_code == 401
