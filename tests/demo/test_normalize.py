"""Normalization and rendering of real `sentry-sdk` payloads: title, culprit, tags, shapes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import sentry_sdk
from sdk_capture import RecordingTransport, StoreTransport, capture_raised, dsn_for, sdk_scope

from dexter_tui.demo.envelope import parse_envelope
from dexter_tui.demo.normalize import normalize_event, parse_timestamp
from dexter_tui.demo.render import full_event, simple_event
from dexter_tui.demo.store import Store
from dexter_tui.demo.world import World

NOW = 1_790_000_000.0
DSN = "http://0123456789abcdef0123456789abcdef@demo.test/1"
MODULE = __name__
FILENAME = __file__.rsplit("/", 1)[-1]


class PaymentDeclined(Exception):
    pass


def charge(amount: int) -> None:
    if amount > 100:
        raise PaymentDeclined(f"card declined for amount {amount}")


def checkout(amount: int) -> None:
    try:
        charge(amount)
    except PaymentDeclined as exc:
        raise RuntimeError("checkout failed") from exc


def sdk_payload(action: Callable[[sentry_sdk.Scope], None], **options: Any) -> dict[str, Any]:
    """The last event payload the real SDK sends for `action`."""
    transport = RecordingTransport(DSN)
    with sdk_scope(transport, **options) as scope:
        action(scope)
    items = [i for body in transport.envelopes for i in parse_envelope(body).items]
    events = [i.json() for i in items if i.type == "event"]
    assert events, "the SDK sent no event"
    return events[-1]


def normalized(raw: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return normalize_event(raw, received=kw.pop("received", NOW), **kw)


# -- error events -------------------------------------------------------------------------------


def test_chained_exception_title_metadata_culprit_location() -> None:
    raw = sdk_payload(lambda scope: capture_raised(lambda: checkout(500)))
    ev = normalized(raw)
    values = ev["exception"]["values"]
    assert [v["type"] for v in values] == ["PaymentDeclined", "RuntimeError"]  # cause first
    assert ev["type"] == "error"
    assert ev["title"] == "RuntimeError: checkout failed"
    assert ev["metadata"]["type"] == "RuntimeError"
    assert ev["metadata"]["value"] == "checkout failed"
    # the crash frame is the last in-app frame of the raised exception
    assert ev["metadata"]["function"] == "checkout"
    assert ev["metadata"]["filename"].endswith(FILENAME)
    assert ev["culprit"] == f"{MODULE} in checkout"
    assert ev["location"] == ev["metadata"]["filename"]
    assert ev["level"] == "error"
    tags = dict(ev["tags"])
    assert tags["handled"] == "yes"
    assert tags["mechanism"] == "generic"
    assert tags["level"] == "error"


def test_title_uses_first_line_of_value_and_truncates() -> None:
    def action(scope: sentry_sdk.Scope) -> None:
        capture_raised(lambda: (_ for _ in ()).throw(ValueError("x" * 150 + "\nsecond line")))

    ev = normalized(sdk_payload(action))
    assert ev["title"] == "ValueError: " + "x" * 97 + "..."
    assert "second line" in ev["metadata"]["value"]


def test_exception_without_value_titles_as_type() -> None:
    ev = normalized({"exception": {"values": [{"type": "KeyboardInterrupt"}]}})
    assert ev["title"] == "KeyboardInterrupt"
    assert ev["culprit"] == ""


def test_transaction_is_the_culprit_when_set() -> None:
    def action(scope: sentry_sdk.Scope) -> None:
        scope.set_transaction_name("/checkout/{cart_id}/")
        capture_raised(lambda: checkout(500))

    ev = normalized(sdk_payload(action))
    assert ev["culprit"] == "/checkout/{cart_id}/"
    assert dict(ev["tags"])["transaction"] == "/checkout/{cart_id}/"


# -- message events -----------------------------------------------------------------------------


def test_capture_message_is_a_default_event() -> None:
    raw = sdk_payload(lambda scope: sentry_sdk.capture_message("Cache warmup skipped"))
    assert isinstance(raw["message"], str)
    ev = normalized(raw)
    assert ev["type"] == "default"
    assert ev["logentry"] == {"formatted": "Cache warmup skipped"}
    assert ev["title"] == "Cache warmup skipped"
    assert ev["metadata"] == {"title": "Cache warmup skipped"}
    assert ev["level"] == "info"
    assert ev["location"] is None


def test_logging_error_keeps_template_and_logger() -> None:
    from sentry_sdk.integrations.logging import LoggingIntegration

    log = logging.getLogger("payments.gateway")

    raw = sdk_payload(
        lambda scope: log.error("Gateway %s answered %d", "stripe", 503),
        integrations=[LoggingIntegration(event_level=logging.ERROR)],
    )
    ev = normalized(raw)
    assert ev["logentry"]["formatted"] == "Gateway stripe answered 503"
    assert ev["logentry"]["message"] == "Gateway %s answered %d"
    assert ev["logger"] == "payments.gateway"
    assert ev["culprit"] == "payments.gateway"  # no transaction, no stacktrace
    assert ev["level"] == "error"
    assert dict(ev["tags"])["logger"] == "payments.gateway"


def test_long_message_title_is_first_line_truncated() -> None:
    ev = normalized({"message": "y" * 120 + "\nmore"})
    assert ev["title"] == "y" * 97 + "..."


# -- tags and user ------------------------------------------------------------------------------


def test_derived_tags_from_sdk_event() -> None:
    def action(scope: sentry_sdk.Scope) -> None:
        scope.set_tag("feature", "checkout")
        scope.set_user({"id": "42", "email": "a@example.test"})
        scope.set_context("runtime", {"name": "CPython", "version": "3.11.7"})
        scope.set_context("browser", {"name": "Firefox", "version": "133.0"})
        scope.set_context("os", {"name": "Linux", "version": "6.1"})
        capture_raised(lambda: checkout(500))

    ev = normalized(
        sdk_payload(action, release="shop@1.2.3", environment="staging", server_name="web-1")
    )
    tags = dict(ev["tags"])
    assert tags["feature"] == "checkout"
    assert tags["user"] == "id:42"
    assert tags["release"] == "shop@1.2.3"
    assert tags["environment"] == "staging"
    assert tags["server_name"] == "web-1"
    assert tags["runtime"] == "CPython 3.11.7"
    assert tags["runtime.name"] == "CPython"
    assert tags["browser"] == "Firefox 133.0"
    assert tags["browser.name"] == "Firefox"
    assert tags["os.name"] == "Linux"
    assert len(tags["trace"]) == 32
    assert [k for k, _ in ev["tags"]] == sorted(k for k, _ in ev["tags"])
    assert ev["contexts"]["runtime"]["type"] == "runtime"


@pytest.mark.parametrize(
    ("user", "tag"),
    [
        ({"id": 7, "email": "a@b.test"}, "id:7"),
        ({"email": "a@b.test", "username": "ann"}, "email:a@b.test"),
        ({"username": "ann", "ip_address": "10.0.0.1"}, "username:ann"),
        ({"ip_address": "{{auto}}"}, "ip:203.0.113.9"),
    ],
)
def test_user_tag_prefers_id_then_email_then_username_then_ip(user: dict, tag: str) -> None:
    ev = normalized({"message": "m", "user": user}, client_ip="203.0.113.9")
    assert dict(ev["tags"])["user"] == tag


def test_auto_ip_without_client_ip_is_dropped() -> None:
    ev = normalized({"message": "m", "user": {"id": "1", "ip_address": "{{auto}}"}})
    assert "ip_address" not in ev["user"]


def test_tags_as_pair_list_and_invalid_tags() -> None:
    ev = normalized(
        {
            "message": "m",
            "tags": [["shard", 3], ["empty", ""], ["multi", "a\nb"], ["k" * 201, "v"]],
            "level": "warn",
        }
    )
    tags = dict(ev["tags"])
    assert tags["shard"] == "3"
    assert "empty" not in tags
    assert "multi" not in tags
    assert tags["level"] == "warning"


# -- other interfaces ---------------------------------------------------------------------------


def test_timestamps_iso_and_float_and_clamping() -> None:
    expected = datetime(2026, 11, 27, 12, 16, 4, 158398, tzinfo=UTC).timestamp()
    assert parse_timestamp("2026-11-27T12:16:04.158398Z") == expected
    assert parse_timestamp("2026-11-27T12:16:04.158398+00:00") == expected
    assert parse_timestamp("2026-11-27T12:16:04.158398") == expected  # naive = UTC
    assert parse_timestamp(expected) == expected
    assert normalized({"message": "m", "timestamp": NOW - 10})["timestamp"] == NOW - 10
    assert normalized({"message": "m", "timestamp": NOW + 3600})["timestamp"] == NOW  # future
    assert normalized({"message": "m", "timestamp": "garbage"})["timestamp"] == NOW
    assert normalized({"message": "m"})["platform"] == "other"


def test_request_normalization() -> None:
    ev = normalized(
        {
            "message": "m",
            "request": {
                "url": "https://shop.test/cart?step=2#pay",
                "method": "post",
                "headers": {"User-Agent": "curl", "Content-Type": "application/json; charset=utf-8",
                            "Cookie": "sid=abc; theme=dark"},
                "data": {"items": 3},
            },
        }
    )  # fmt: skip
    req = ev["request"]
    assert req["url"] == "https://shop.test/cart"
    assert req["query"] == [["step", "2"]]
    assert req["fragment"] == "pay"
    assert req["method"] == "POST"
    assert req["headers"] == [
        ["Content-Type", "application/json; charset=utf-8"],
        ["User-Agent", "curl"],
    ]
    assert req["cookies"] == [["sid", "abc"], ["theme", "dark"]]
    assert req["inferred_content_type"] == "application/json"
    assert dict(ev["tags"])["url"] == "https://shop.test/cart"
    assert ev["culprit"] == "https://shop.test/cart"


# -- rendering ----------------------------------------------------------------------------------


def _stored_row(store: Store, world: World, action: Callable[[sentry_sdk.Scope], None], **opts):
    keys = world.projects["checkout-api"]
    transport = StoreTransport(store, keys.project_id, dsn_for(keys))
    with sdk_scope(transport, **opts) as scope:
        action(scope)
    return store.query_one("SELECT * FROM events ORDER BY id DESC LIMIT 1")


def test_full_event_shape_from_sdk_event(store: Store, world: World) -> None:
    def action(scope: sentry_sdk.Scope) -> None:
        sentry_sdk.add_breadcrumb(category="db", message="SELECT 1", level="info")
        scope.set_tag("feature", "checkout")
        scope.set_user({"id": "42"})
        scope.set_extra("cart", {"items": 3})
        capture_raised(lambda: checkout(500))

    row = _stored_row(store, world, action, release="shop@2.0.0")
    body = full_event(row)
    assert body["id"] == body["eventID"] == row["event_id"]
    assert body["groupID"] == str(row["group_id"])
    assert body["projectID"] == str(row["project_id"])
    assert body["type"] == "error"
    assert body["title"] == "RuntimeError: checkout failed"
    assert body["dateCreated"].endswith("Z")
    assert body["dateReceived"].endswith("Z")
    assert [e["type"] for e in body["entries"]] == ["exception", "breadcrumbs"]
    exc = body["entries"][0]["data"]
    assert [v["type"] for v in exc["values"]] == ["PaymentDeclined", "RuntimeError"]
    frame = exc["values"][-1]["stacktrace"]["frames"][-1]
    assert frame["function"] == "checkout"
    assert frame["inApp"] is True
    assert {"absPath", "lineNo", "colNo", "inApp", "rawFunction", "instructionAddr"} <= set(frame)
    hot = [line for n, line in frame["context"] if n == frame["lineNo"]]
    assert hot == ['        raise RuntimeError("checkout failed") from exc']
    crumb = body["entries"][1]["data"]["values"][-1]
    assert crumb["message"] == "SELECT 1"
    assert crumb["timestamp"].endswith("Z")
    assert {"key": "feature", "value": "checkout"} in body["tags"]
    assert body["tags"] == sorted(body["tags"], key=lambda t: t["key"])
    assert body["user"]["id"] == "42"
    assert body["context"] == {"cart": {"items": 3}}
    assert body["sdk"]["name"] == "sentry.python"
    assert body["release"]["version"] == "shop@2.0.0"
    assert body["fingerprints"] == [h for h in body["fingerprints"] if len(h) == 32]
    assert body["errors"] == []
    assert body["_meta"]["entries"] == {}
    assert body["message"] == ""


def test_message_entry_comes_first(store: Store, world: World) -> None:
    def action(scope: sentry_sdk.Scope) -> None:
        sentry_sdk.capture_message("Nightly export took 91s")

    body = full_event(_stored_row(store, world, action))
    assert body["entries"][0] == {
        "type": "message",
        "data": {"formatted": "Nightly export took 91s"},
    }
    assert body["message"] == "Nightly export took 91s"
    assert body["release"] is None or body["release"]["version"]


def test_request_entry_uses_pair_lists(store: Store, world: World) -> None:
    raw = {
        "message": "m",
        "request": {"url": "https://x.test/a", "query_string": "a=1&b=2", "headers": {"B": "2"}},
    }
    from dexter_tui.demo.ingest import ingest_event

    ingest_event(store, world.projects["checkout-api"].project_id, raw)
    body = full_event(store.query_one("SELECT * FROM events"))
    (request,) = [e["data"] for e in body["entries"] if e["type"] == "request"]
    assert request["query"] == [["a", "1"], ["b", "2"]]
    assert request["headers"] == [["B", "2"]]
    assert request["cookies"] == []
    assert {"url", "method", "fragment", "data", "env", "inferredContentType"} <= set(request)


def test_simple_event_shape(store: Store, world: World) -> None:
    row = _stored_row(store, world, lambda scope: capture_raised(lambda: checkout(500)))
    body = simple_event(row)
    assert set(body) == {
        "id", "event.type", "groupID", "eventID", "projectID", "message", "title", "location",
        "culprit", "user", "tags", "platform", "dateCreated", "crashFile", "metadata",
    }  # fmt: skip
    assert body["event.type"] == "error"
    assert "RuntimeError" in body["message"]  # the search message


def test_full_event_matches_openapi_schema(store: Store, world: World) -> None:
    from openapi_contract import check_response, schema_path

    if not schema_path().exists():
        pytest.skip("OpenAPI schema not beside the clone")

    def action(scope: sentry_sdk.Scope) -> None:
        sentry_sdk.add_breadcrumb(category="http", message="GET /x", data={"status_code": 200})
        scope.set_user({"id": "42", "email": "a@b.test"})
        capture_raised(lambda: checkout(500))

    row = _stored_row(store, world, action, release="shop@3.0.0")
    body = {**full_event(row), "nextEventID": None, "previousEventID": None}
    url = f"/api/0/organizations/acme/issues/{row['group_id']}/events/{row['event_id']}/"
    check = check_response("GET", url, 200, body)
    assert check.problems == []
    url = f"/api/0/projects/acme/checkout-api/events/{row['event_id']}/"
    check = check_response("GET", url, 200, body)
    assert check.problems == []
    assert {
        f for f in check.omitted if not f.startswith(("release.", "userReport.", "occurrence."))
    } == set()


@pytest.mark.parametrize(
    "raw",
    [
        {"exception": {"values": [{"type": 3, "value": ["x"], "mechanism": ["generic"]}]}},
        {"exception": {"values": [{"type": "E", "stacktrace": {"frames": [
            {"filename": {"a": 1}, "function": None, "lineno": "str", "pre_context": 5,
             "post_context": [{"x": 1}], "context_line": 7, "in_app": "yes", "vars": 3}]}}]}},
        {"message": "m", "request": {"url": ["http://x"], "headers": "nope", "cookies": 5}},
        {"message": "m", "breadcrumbs": {"values": [{"timestamp": 1e300}, None, "x"]}},
        {"message": "m", "timestamp": -1e300, "extra": 5, "contexts": [1], "user": "ann"},
        {"logentry": {"message": ["a"], "params": "b"}, "fingerprint": [None, 1, "{{ x.y }}"]},
        {"threads": {"values": [{"stacktrace": {"frames": [{"function": "f", "lineno": 2}]}}]}},
    ],
)  # fmt: skip
def test_hostile_payloads_store_and_render(store: Store, world: World, raw: dict) -> None:
    from dexter_tui.demo.ingest import ingest_event

    ingest_event(store, world.projects["checkout-api"].project_id, raw)
    row = store.query_one("SELECT * FROM events")
    body = full_event(row)
    assert isinstance(body["title"], str)
    assert isinstance(simple_event(row)["culprit"], str)
