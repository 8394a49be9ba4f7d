"""Events of every platform through the demo's real ingest endpoints, normalised as Relay does:
legacy interface keys, invalid fields dropped with `errors`, huge stacks trimmed, User-Agent
contexts, clamped timestamps, and what Relay refuses answered 400 with a reason, never 500."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from dexter_tui.demo.store import Store
from dexter_tui.demo.world import World
from tests.fixtures.events import EXPECTED, NAMES, auth_headers, big_stack, envelope, load

PROJECT = "checkout-api"


@pytest.fixture
async def ingest(demo_app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=demo_app, client=("198.51.100.7", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://demo.test") as client:
        yield client


async def _send(ingest: httpx.AsyncClient, world: World, event: Any, *, via: str) -> httpx.Response:
    keys = world.projects[PROJECT]
    if via == "envelope":
        body = envelope(event) if isinstance(event, dict) else event
        return await ingest.post(
            f"/api/{keys.project_id}/envelope/", content=body, headers=auth_headers(keys.public_key)
        )
    body = json.dumps(event).encode() if isinstance(event, dict) else event
    return await ingest.post(
        f"/api/{keys.project_id}/store/",
        content=body,
        headers=auth_headers(keys.public_key, envelope=False),
    )


async def _stored(
    ingest: httpx.AsyncClient, api: httpx.AsyncClient, world: World, event: dict, via: str
) -> dict[str, Any]:
    """Ingest `event` and read it back from the Web API (the JSON dexter draws)."""
    response = await _send(ingest, world, event, via=via)
    assert response.status_code == 200, response.text
    event_id = response.json()["id"]
    url = f"/api/0/projects/{world.org_slug}/{PROJECT}/events/{event_id}/"
    got = await api.get(url)
    assert got.status_code == 200, got.text
    return got.json()


def _entry(body: dict[str, Any], kind: str) -> Any:
    return next((e["data"] for e in body["entries"] if e["type"] == kind), None)


@pytest.mark.parametrize("via", ["envelope", "store"])
@pytest.mark.parametrize("name", NAMES)
async def test_every_platform_fixture_is_stored_and_titled(
    ingest, api, world: World, name: str, via: str
) -> None:
    body = await _stored(ingest, api, world, load(name), via)
    assert body["title"] == EXPECTED[name][0]
    assert body["entries"], "no interface survived"


async def test_legacy_interface_keys_are_aliases(ingest, api, world: World) -> None:
    body = await _stored(ingest, api, world, load("legacy_exception"), "store")
    exc = _entry(body, "exception")
    assert exc["values"][0]["type"] == "KeyError"
    assert exc["values"][0]["stacktrace"]["frames"][0]["function"] == "checkout"
    assert _entry(body, "request")["url"] == "https://legacy.shop.example/checkout"
    assert _entry(body, "breadcrumbs")["values"][0]["message"] == "SELECT 1"
    assert body["user"]["email"] == "ann@customers.example"
    assert body["culprit"] == "shop.views in checkout"

    body = await _stored(ingest, api, world, load("legacy_message"), "envelope")
    assert _entry(body, "message") == {
        "formatted": "User ann failed to log in",
        "message": "User %s failed to log in",
        "params": ["ann"],
    }
    assert _entry(body, "stacktrace")["frames"][0]["function"] == "login"


async def test_logentry_formatted_wins_and_params_format_the_template(
    ingest, api, world: World
) -> None:
    body = await _stored(ingest, api, world, load("logentry_formatted"), "store")
    assert _entry(body, "message")["formatted"] == "Payment 42 declined by the bank"
    assert _entry(body, "message")["params"] == ["42", "the bank"]
    body = await _stored(ingest, api, world, load("logentry_params"), "store")
    assert _entry(body, "message")["formatted"] == "Order A-17 shipped with 3 items"


async def test_invalid_fields_are_dropped_with_an_error_entry(ingest, api, world: World) -> None:
    body = await _stored(ingest, api, world, load("processing_errors"), "envelope")
    mechanism = _entry(body, "exception")["values"][0]["mechanism"]
    assert "description" not in mechanism
    assert "help_link" not in mechanism
    assert mechanism["type"] == "generic"
    errors = {(e["type"], e["data"].get("name")) for e in body["errors"]}
    assert ("invalid_data", "exception.values.0.mechanism.description") in errors
    assert ("invalid_data", "exception.values.0.mechanism.help_link") in errors
    assert ("invalid_data", "exception.values.0.stacktrace.frames.0.module") in errors
    assert ("past_timestamp", "timestamp") in errors
    message = next(e["message"] for e in body["errors"] if e["type"] == "invalid_data")
    assert message == "Discarded invalid value"


async def test_future_timestamp_is_clamped_and_recorded(
    ingest, api, world: World, store: Store
) -> None:
    event = load("logentry_params", timestamp=store.now() + 86400)
    body = await _stored(ingest, api, world, event, "store")
    assert [e["type"] for e in body["errors"]] == ["future_timestamp"]
    assert body["dateCreated"] == body["dateReceived"]


async def test_sdk_processing_errors_are_kept(ingest, api, world: World) -> None:
    body = await _stored(ingest, api, world, load("javascript"), "store")
    assert body["errors"][0]["type"] == "js_no_source"
    assert body["errors"][0]["data"]["url"] == "https://cdn.vendor.example/widget.min.js"


@pytest.mark.parametrize("via", ["envelope", "store"])
async def test_huge_stack_traces_are_trimmed_with_frames_omitted(
    ingest, api, world: World, via: str
) -> None:
    body = await _stored(ingest, api, world, big_stack(300), via)
    stack = _entry(body, "exception")["values"][0]["stacktrace"]
    assert len(stack["frames"]) == 250
    assert stack["framesOmitted"] == [125, 175]
    assert stack["frames"][124]["function"] == "walk_124"
    assert stack["frames"][125]["function"] == "walk_175"
    assert stack["frames"][-1]["function"] == "walk_299"  # the crashing frame is kept
    assert body["metadata"]["function"] == "walk_299"


async def test_user_agent_gives_browser_os_and_device(ingest, api, world: World) -> None:
    body = await _stored(ingest, api, world, load("ruby"), "store")  # a server SDK
    assert body["contexts"]["browser"] == {"name": "Firefox", "version": "128.0", "type": "browser"}
    assert body["contexts"]["client_os"] == {"name": "Ubuntu", "type": "os"}
    assert "os" not in body["contexts"]
    tags = {t["key"]: t["value"] for t in body["tags"]}
    assert tags["browser"] == "Firefox 128.0"
    assert tags["browser.name"] == "Firefox"
    assert tags["client_os.name"] == "Ubuntu"

    body = await _stored(ingest, api, world, load("javascript"), "envelope")  # a browser SDK
    assert body["contexts"]["browser"]["name"] == "Chrome"
    assert body["contexts"]["browser"]["version"] == "120.0.0"
    assert body["contexts"]["os"] == {"name": "Windows", "version": "10", "type": "os"}
    assert {t["key"]: t["value"] for t in body["tags"]}["os.name"] == "Windows"

    body = await _stored(ingest, api, world, load("legacy_exception"), "store")
    device = body["contexts"]["device"]
    assert (device["family"], device["model"], device["brand"]) == ("iPhone", "iPhone", "Apple")
    assert body["contexts"]["browser"]["name"] == "Mobile Safari"
    assert body["contexts"]["client_os"] == {"name": "iOS", "version": "17.5", "type": "os"}
    tags = {t["key"]: t["value"] for t in body["tags"]}
    assert tags["device"] == "iPhone"
    assert tags["device.family"] == "iPhone"


async def test_contexts_the_sdk_sent_win_over_the_user_agent(ingest, api, world: World) -> None:
    event = load("ruby")
    event["contexts"]["browser"] = {"name": "Headless Chrome", "version": "131"}
    body = await _stored(ingest, api, world, event, "store")
    assert body["contexts"]["browser"]["name"] == "Headless Chrome"


async def test_security_reports_keep_their_fields(ingest, api, world: World) -> None:
    body = await _stored(ingest, api, world, load("csp"), "store")
    assert body["type"] == "csp"
    csp = _entry(body, "csp")
    assert csp["blocked_uri"] == "https://evil.example/skimmer.js"
    assert csp["effective_directive"] == "script-src-elem"
    assert body["culprit"] == "script-src-elem"
    tags = {t["key"]: t["value"] for t in body["tags"]}
    assert tags["blocked-uri"] == "https://evil.example/skimmer.js"
    body = await _stored(ingest, api, world, load("hpkp"), "envelope")
    assert _entry(body, "hpkp")["hostname"] == "pay.shop.example"
    body = await _stored(ingest, api, world, load("expectct"), "store")
    assert _entry(body, "expectct")["scts"][0]["status"] == "invalid"


async def test_native_frames_and_images_reach_the_api(ingest, api, world: World) -> None:
    body = await _stored(ingest, api, world, load("cocoa"), "envelope")
    frames = _entry(body, "threads")["values"][0]["stacktrace"]["frames"]
    assert frames[-1]["instructionAddr"] == "0x104c2f8a4"
    assert frames[-1]["function"] is None
    assert frames[2]["symbolAddr"] == "0x104c2e8a0"
    assert frames[2]["package"].endswith("/Shop")
    images = _entry(body, "debugmeta")["images"]
    assert images[0]["debug_id"] == "a9b8c7d6-5e4f-3a2b-1c0d-9e8f7a6b5c4d"
    body = await _stored(ingest, api, world, load("javascript"), "store")
    frame = _entry(body, "exception")["values"][0]["stacktrace"]["frames"][-1]
    assert frame["colNo"] == 17
    assert frame["data"]["resolved_with"] == "release"


# -- what Relay refuses: 400 with a reason, nothing stored ------------------------------------


def _surrogate_body() -> bytes:
    return b'{"message": "broken \\ud800 text", "level": "error"}'


REFUSED = [
    (_surrogate_body(), "surrogate"),
    (b'{"message": "nan", "extra": {"ratio": NaN}}', "NaN"),
    (b'{"message": "inf", "extra": {"ratio": -Infinity}}', "Infinity"),
    (b'{"message": "big", "extra": {"ratio": 1e400}}', "out of range"),
    (b'{"message": "id", "extra": {"id": 18446744073709551616}}', "64 bits"),
    (b'{"message": "id", "extra": {"id": 9223372036854775808}}', "64 bits"),
    (b'{"message": "deep", "extra": ' + b"[" * 10_000 + b"]" * 10_000 + b"}", "nested"),
    (b'{"message": "deep", "extra": ' + b"[" * 200 + b"]" * 200 + b"}", "nested"),
    (b'{"message": "\xff\xfe"}', "UTF-8"),
]


@pytest.mark.parametrize("via", ["envelope", "store"])
@pytest.mark.parametrize(("body", "reason"), REFUSED)
async def test_what_relay_refuses_is_a_400_with_a_reason(
    ingest, world: World, store: Store, body: bytes, reason: str, via: str
) -> None:
    if via == "envelope":
        body = b'{}\n{"type":"event","length":%d}\n' % len(body) + body
    response = await _send(ingest, world, body, via=via)
    assert response.status_code == 400, response.text
    assert reason in response.json()["detail"]
    assert store.query_one("SELECT COUNT(*) FROM events")[0] == 0


async def test_a_surrogate_in_an_envelope_header_is_a_400(ingest, world: World) -> None:
    body = b'{"event_id": "\\udc00"}\n{"type":"event"}\n{"message": "x"}\n'
    response = await _send(ingest, world, body, via="envelope")
    assert response.status_code == 400
    assert "surrogate" in response.json()["detail"]


async def test_largest_accepted_integer_is_stored(ingest, api, world: World) -> None:
    event = load("logentry_params")
    event["extra"] = {"id": 2**63 - 1, "low": -(2**63)}
    body = await _stored(ingest, api, world, event, "store")
    assert body["context"]["id"] == 2**63 - 1
