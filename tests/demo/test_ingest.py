"""Ingest through the real `sentry-sdk` into the store: grouping, short ids, counts, life cycle."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest
import sentry_sdk
from sdk_capture import StoreTransport, capture_raised, dsn_for, sdk_scope

from dexter_tui.demo.envelope import EnvelopeError
from dexter_tui.demo.ingest import (
    base32_encode,
    ignore_bookkeeping,
    ingest_envelope,
    ingest_event,
    ingest_events,
)
from dexter_tui.demo.store import Store
from dexter_tui.demo.world import World

T0 = 1_790_000_000.0


class Clock:
    """A settable store clock (ingest's "now")."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(store: Store) -> Clock:
    clock = Clock()
    store.clock = clock
    return clock


@pytest.fixture
def send(store: Store, world: World) -> Callable[..., None]:
    """Run `action(scope)` under an SDK client whose envelopes go to checkout-api's ingest."""
    keys = world.projects["checkout-api"]

    def run(action: Callable[[sentry_sdk.Scope], Any], **options: Any) -> None:
        transport = StoreTransport(store, keys.project_id, dsn_for(keys))
        with sdk_scope(transport, **options) as scope:
            action(scope)

    return run


# sample code that really fails: each function raises from its own line


def load_cart(cart_id: int) -> dict:
    carts: dict[int, dict] = {}
    return carts[cart_id]


def load_order(order_id: int) -> dict:
    orders: dict[int, dict] = {}
    return orders[order_id]


def parse_amount(text: str) -> int:
    return int(text)


def raising(fn: Callable[..., Any], *args: Any) -> Callable[[sentry_sdk.Scope], None]:
    return lambda scope: capture_raised(lambda: fn(*args))


def groups(store: Store) -> list[dict[str, Any]]:
    return [dict(r) for r in store.query("SELECT * FROM groups ORDER BY id")]


def group(store: Store, group_id: int = 1) -> dict[str, Any]:
    return dict(store.query_one("SELECT * FROM groups WHERE id = ?", (group_id,)))


def activities(store: Store, group_id: int = 1) -> list[str]:
    rows = store.query("SELECT type FROM activities WHERE group_id = ? ORDER BY id", (group_id,))
    return [r["type"] for r in rows]


# -- grouping -----------------------------------------------------------------------------------


def test_same_error_twice_is_one_group_with_count_two(store: Store, send, clock: Clock) -> None:
    send(raising(load_cart, 1), release="shop@1.0")
    clock.now += 60
    send(raising(load_cart, 2), release="shop@1.1")  # other value, same code: same issue
    (g,) = groups(store)
    assert g["times_seen"] == 2
    assert g["short_id"] == "CHECKOUT-API-1"
    assert g["title"] == "KeyError: 2"  # the latest event names the issue
    assert g["status"] == "unresolved"
    assert g["substatus"] == "new"
    assert g["first_release"] == "shop@1.0"
    assert g["last_release"] == "shop@1.1"
    assert g["first_seen"] < g["last_seen"]
    assert activities(store) == ["first_seen"]
    rows = store.query("SELECT group_id, hashes FROM events")
    assert {r["group_id"] for r in rows} == {1}
    assert len({r["hashes"] for r in rows}) == 1


def test_different_line_is_a_different_group(store: Store, send) -> None:
    send(raising(load_cart, 1))
    send(raising(load_order, 1))  # same exception type, other code
    send(raising(parse_amount, "x"))
    assert [g["short_id"] for g in groups(store)] == [
        "CHECKOUT-API-1",
        "CHECKOUT-API-2",
        "CHECKOUT-API-3",
    ]
    assert [g["title"] for g in groups(store)][2].startswith("ValueError: invalid literal")


def test_chained_exceptions_group_on_the_whole_chain(store: Store, send) -> None:
    def chained(scope: sentry_sdk.Scope) -> None:
        def fail() -> None:
            try:
                load_cart(1)
            except KeyError as exc:
                raise RuntimeError("cart lookup failed") from exc

        capture_raised(fail)

    send(chained)
    send(chained)
    send(raising(load_cart, 1))  # only the cause: another issue
    assert [g["times_seen"] for g in groups(store)] == [2, 1]
    assert groups(store)[0]["title"] == "RuntimeError: cart lookup failed"


def test_custom_fingerprint_with_default(store: Store, send) -> None:
    def with_fingerprint(fingerprint: list[str] | None) -> Callable[[sentry_sdk.Scope], None]:
        def action(scope: sentry_sdk.Scope) -> None:
            if fingerprint is not None:
                scope.fingerprint = fingerprint
            capture_raised(lambda: load_cart(1))  # one code path for all of them

        return action

    send(with_fingerprint(None))
    send(with_fingerprint(["{{ default }}"]))  # same as no fingerprint
    send(with_fingerprint(["{{default}}"]))
    send(with_fingerprint(["{{ default }}", "eu"]))
    send(with_fingerprint(["{{  default  }}", "eu"]))
    send(with_fingerprint(["{{ default }}", "us"]))
    assert [g["times_seen"] for g in groups(store)] == [3, 2, 1]


def test_custom_fingerprint_hash_is_md5_of_values(store: Store, send) -> None:
    def action(fn: Callable[..., Any]) -> Callable[[sentry_sdk.Scope], None]:
        def run(scope: sentry_sdk.Scope) -> None:
            scope.fingerprint = ["payment-gateway", "timeout"]
            capture_raised(lambda: fn(1))

        return run

    send(action(load_cart))
    send(action(load_order))  # different code, one issue by fingerprint
    (g,) = groups(store)
    assert g["times_seen"] == 2
    expected = hashlib.md5(b"payment-gatewaytimeout", usedforsecurity=False).hexdigest()
    hashes = {r["hash"] for r in store.query("SELECT hash FROM group_hashes")}
    assert hashes == {expected}


def test_messages_group_by_parameterized_text(store: Store, send) -> None:
    send(lambda scope: sentry_sdk.capture_message("Export of 1200 rows took 91s"))
    send(lambda scope: sentry_sdk.capture_message("Export of 800 rows took 42s"))
    send(lambda scope: sentry_sdk.capture_message("Cache warmup skipped"))
    assert [(g["type"], g["times_seen"]) for g in groups(store)] == [
        ("default", 2),
        ("default", 1),
    ]


# -- short ids and counters -----------------------------------------------------------------------


def test_base32_short_ids() -> None:
    assert [base32_encode(n) for n in (1, 9, 10, 31, 32, 33, 1024)] == [
        "1", "9", "A", "Z", "10", "11", "100",
    ]  # fmt: skip


def test_short_id_counter_continues_in_base32(store: Store, world: World) -> None:
    keys = world.projects["billing-worker"]
    store.execute("UPDATE projects SET next_short_id = 31 WHERE id = ?", (keys.project_id,))
    for n in range(3):
        ingest_event(store, keys.project_id, {"message": f"distinct problem {'abc'[n]}"})
    assert [g["short_id"] for g in groups(store)] == [
        "BILLING-WORKER-Z",
        "BILLING-WORKER-10",
        "BILLING-WORKER-11",
    ]


def test_users_environments_releases_and_first_event(store: Store, world: World, send) -> None:
    def as_user(user_id: str) -> Callable[[sentry_sdk.Scope], None]:
        def run(scope: sentry_sdk.Scope) -> None:
            scope.set_user({"id": user_id})
            capture_raised(lambda: load_cart(1))

        return run

    send(as_user("1"), environment="production", release="shop@1.0")
    send(as_user("2"), environment="staging", release="shop@1.0")
    send(as_user("1"), environment="staging", release="shop@1.1")
    users = store.query("SELECT COUNT(DISTINCT user_key) AS n FROM events WHERE group_id = 1")
    assert users[0]["n"] == 2
    envs = store.query(
        "SELECT e.name FROM environments e JOIN environment_projects p ON p.environment_id = e.id"
        " ORDER BY e.name"
    )
    assert [r["name"] for r in envs] == ["production", "staging"]
    releases = store.query(
        "SELECT r.version FROM releases r JOIN release_projects p ON p.release_id = r.id"
        " ORDER BY r.version"
    )
    assert [r["version"] for r in releases] == ["shop@1.0", "shop@1.1"]
    project = store.query_one("SELECT first_event FROM projects WHERE slug = 'checkout-api'")
    assert project["first_event"] == group(store)["first_seen"]
    tags = store.query("SELECT key, value FROM event_tags WHERE key = 'user' ORDER BY event_row")
    assert [r["value"] for r in tags] == ["id:1", "id:2", "id:1"]


def test_duplicate_event_id_is_dropped(store: Store, world: World) -> None:
    project = world.projects["checkout-api"].project_id
    event = {"event_id": "9ec79c33ec9942ab8353589fcb2e04dc", "message": "once"}
    assert ingest_event(store, project, dict(event)) == (event["event_id"], 1)
    assert ingest_event(store, project, dict(event)) == (event["event_id"], 1)
    assert group(store)["times_seen"] == 1


def test_unhandled_errors_are_flagged_and_high_priority(store: Store, world: World) -> None:
    project = world.projects["checkout-api"].project_id
    exc = {
        "type": "OSError",
        "value": "disk full",
        "mechanism": {"type": "excepthook", "handled": False},
    }
    ingest_event(store, project, {"exception": {"values": [exc]}})
    g = group(store)
    assert g["is_unhandled"] == 1
    assert g["priority"] == "high"
    tags = dict(store.query("SELECT key, value FROM event_tags WHERE event_row = 1"))
    assert tags["handled"] == "no"
    assert tags["mechanism"] == "excepthook"


def test_bulk_ingest_in_one_transaction(store: Store, world: World) -> None:
    project = world.projects["notifications"].project_id
    events = [
        {"message": f"Problem number {chr(65 + n % 20)}", "timestamp": T0 + n, "_received": T0 + n}
        for n in range(200)
    ]
    results = ingest_events(store, project, events)
    assert len(results) == 200
    assert len({gid for _, gid in results}) == 20
    assert [g["times_seen"] for g in groups(store)] == [10] * 20
    assert store.query_one("SELECT MAX(received) AS r FROM events")["r"] == T0 + 199
    assert store.query_one("SELECT next_short_id FROM projects WHERE id = ?", (project,))[0] == 21


# -- life cycle ---------------------------------------------------------------------------------


def _set_status(store: Store, status: str, substatus: str | None, details: dict | None = None):
    store.execute(
        "UPDATE groups SET status = ?, substatus = ?, status_details = ?, resolved_at = ?"
        " WHERE id = 1",
        (
            status,
            substatus,
            json.dumps(details or {}),
            store.now() if status == "resolved" else None,
        ),
    )


def test_event_on_resolved_issue_regresses_it(store: Store, send, clock: Clock) -> None:
    send(raising(load_cart, 1))
    _set_status(store, "resolved", None)
    clock.now += 3600
    send(raising(load_cart, 1))
    g = group(store)
    assert (g["status"], g["substatus"], g["resolved_at"]) == ("unresolved", "regressed", None)
    assert activities(store) == ["first_seen", "set_regression"]


def test_resolved_in_release_ignores_events_from_older_releases(store: Store, send, clock: Clock):
    send(raising(load_cart, 1), release="shop@1.0")
    clock.now += 60
    send(raising(load_cart, 1), release="shop@1.1")
    _set_status(store, "resolved", None, {"inRelease": "shop@1.1"})
    clock.now += 60
    send(raising(load_cart, 1), release="shop@1.0")  # an old deployment still running
    assert group(store)["status"] == "resolved"
    clock.now += 60
    send(raising(load_cart, 1), release="shop@1.2")
    assert (group(store)["status"], group(store)["substatus"]) == ("unresolved", "regressed")


def test_resolved_in_next_release_regresses_only_on_newer_release(store: Store, send, clock: Clock):
    send(raising(load_cart, 1), release="shop@1.0")
    clock.now += 60
    _set_status(store, "resolved", None, {"inNextRelease": True})
    clock.now += 60
    send(raising(load_cart, 1), release="shop@1.0")
    assert group(store)["status"] == "resolved"
    send(raising(load_cart, 1), release="shop@2.0")
    assert group(store)["substatus"] == "regressed"


def _ignore(store: Store, details: dict[str, Any]) -> dict[str, Any]:
    full = ignore_bookkeeping(store, 1, details)
    _set_status(store, "ignored", "archived_until_condition_met", full)
    return full


def test_ignore_until_n_more_events_reopens_as_escalating(store: Store, send, clock: Clock):
    send(raising(load_cart, 1))
    send(raising(load_cart, 1))
    details = _ignore(store, {"ignoreCount": 3})
    assert details["_countAtIgnore"] == 2
    assert details["_ignoredAt"] == clock.now
    send(raising(load_cart, 1))
    send(raising(load_cart, 1))
    assert group(store)["status"] == "ignored"
    send(raising(load_cart, 1))
    g = group(store)
    assert (g["status"], g["substatus"], g["status_details"]) == ("unresolved", "escalating", "{}")
    assert activities(store) == ["first_seen", "set_escalating"]


def test_ignore_count_within_window(store: Store, send, clock: Clock) -> None:
    send(raising(load_cart, 1))
    _ignore(store, {"ignoreCount": 2, "ignoreWindow": 60})
    clock.now += 600
    send(raising(load_cart, 1))
    clock.now += 7200  # the first one left the window
    send(raising(load_cart, 1))
    assert group(store)["status"] == "ignored"
    clock.now += 60
    send(raising(load_cart, 1))
    assert group(store)["substatus"] == "escalating"


def test_ignore_until_n_more_users(store: Store, send, clock: Clock) -> None:
    def as_user(user_id: str) -> Callable[[sentry_sdk.Scope], None]:
        def run(scope: sentry_sdk.Scope) -> None:
            scope.set_user({"id": user_id})
            capture_raised(lambda: load_cart(1))

        return run

    send(as_user("a"))
    details = _ignore(store, {"ignoreUserCount": 2})
    assert details["_usersAtIgnore"] == 1
    send(as_user("a"))
    send(as_user("b"))
    assert group(store)["status"] == "ignored"
    send(as_user("c"))
    assert group(store)["substatus"] == "escalating"


def test_ignore_for_a_duration(store: Store, send, clock: Clock) -> None:
    send(raising(load_cart, 1))
    details = _ignore(store, {"ignoreDuration": 30})
    assert details["ignoreUntil"].endswith("Z")
    clock.now += 29 * 60
    send(raising(load_cart, 1))
    assert group(store)["status"] == "ignored"
    clock.now += 120
    send(raising(load_cart, 1))
    assert group(store)["substatus"] == "escalating"


def test_archived_forever_stays_ignored(store: Store, send) -> None:
    send(raising(load_cart, 1))
    _set_status(store, "ignored", "archived_forever")
    for _ in range(5):
        send(raising(load_cart, 1))
    assert group(store)["status"] == "ignored"
    assert group(store)["times_seen"] == 6


def test_archived_until_escalating_reopens_on_a_spike(store: Store, world: World, clock: Clock):
    project = world.projects["checkout-api"].project_id
    event = {"exception": {"values": [{"type": "TimeoutError", "value": "upstream"}]}}
    for hour in range(48):  # steady: one event an hour for two days
        clock.now = T0 + hour * 3600
        ingest_event(store, project, dict(event))
    full = ignore_bookkeeping(store, 1, {})
    _set_status(store, "ignored", "archived_until_escalating", full)
    for _ in range(3):  # 3 in an hour is within 3x the average
        clock.now += 60
        ingest_event(store, project, dict(event))
    assert group(store)["status"] == "ignored"
    clock.now += 60
    ingest_event(store, project, dict(event))
    assert (group(store)["status"], group(store)["substatus"]) == ("unresolved", "escalating")


def test_events_of_a_merged_child_land_in_the_parent(store: Store, send) -> None:
    send(raising(load_cart, 1))
    send(raising(load_order, 1))
    store.execute("UPDATE groups SET merged_into = 1 WHERE id = 2")
    send(raising(load_order, 1))
    assert [g["times_seen"] for g in groups(store)] == [2, 1]
    last = store.query_one("SELECT group_id FROM events ORDER BY id DESC LIMIT 1")
    assert last["group_id"] == 1


# -- envelopes ----------------------------------------------------------------------------------


def _envelope(*items: tuple[dict[str, Any], bytes]) -> bytes:
    out = b'{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc","sent_at":"2026-11-27T12:00:00Z"}\n'
    for headers, payload in items:
        out += json.dumps({**headers, "length": len(payload)}).encode() + b"\n" + payload + b"\n"
    return out


def test_envelope_skips_non_event_items(store: Store, world: World) -> None:
    project = world.projects["checkout-api"].project_id
    body = _envelope(
        ({"type": "session"}, b'{"sid":"x","status":"ok"}'),
        ({"type": "client_report"}, b'{"discarded_events":[]}'),
        ({"type": "transaction"}, b'{"type":"transaction","transaction":"/x","spans":[]}'),
        ({"type": "attachment", "filename": "a.txt"}, b"hello"),
        ({"type": "brand_new_item_type"}, b"\x00\x01"),
        ({"type": "event"}, b'{"message":"kept"}'),
    )
    ids = ingest_envelope(store, project, body)
    assert ids == ["9ec79c33ec9942ab8353589fcb2e04dc"]  # event id from the envelope header
    assert store.query_one("SELECT COUNT(*) FROM events")[0] == 1
    assert [g["title"] for g in groups(store)] == ["kept"]


def test_malformed_envelope_stores_nothing(store: Store, world: World) -> None:
    project = world.projects["checkout-api"].project_id
    body = _envelope(
        ({"type": "event"}, b'{"event_id":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","message":"fine"}'),
        ({"type": "event"}, b'{"message": broken'),
    )
    with pytest.raises(EnvelopeError, match="not valid JSON"):
        ingest_envelope(store, project, body)
    assert store.query_one("SELECT COUNT(*) FROM events")[0] == 0
    assert store.query_one("SELECT COUNT(*) FROM groups")[0] == 0
    with pytest.raises(EnvelopeError, match="must be a JSON object"):
        ingest_envelope(store, project, _envelope(({"type": "event"}, b"[1, 2]")))
