"""The demo's PostgreSQL deadlock events come from the sample services' own code (run under the
real sentry-sdk), with the errors real PostgreSQL deadlocks gave psycopg: frames of
checkout-api / billing-worker, never the corpus generator that recorded the samples."""

from __future__ import annotations

import json
import re
from importlib import resources

from dexter_tui.demo.scenario._pg_replay import recorded
from dexter_tui.demo.scenario.billing import SERVICE as BILLING
from dexter_tui.demo.scenario.checkout import SERVICE as CHECKOUT
from dexter_tui.services.deadlock import analyze

SERVICE_FUNCTIONS = {
    "checkout-api": {"reserve_checkout", "reserve_checkout_v1", "sync_reservations"},
    "billing-worker": {"close_period", "close_period_legacy"},
}


def _events(store, world) -> list[tuple[str, dict]]:
    slugs = {p.project_id: slug for slug, p in world.projects.items()}
    rows = store.query("SELECT project_id, data FROM events WHERE title LIKE 'DeadlockDetected%'")
    return [(slugs[r[0]], json.loads(r[1])) for r in rows]


def _sample(name: str) -> dict:
    folder = resources.files("dexter_tui.demo.data").joinpath("deadlocks")
    return json.loads(folder.joinpath(name).read_text("utf-8"))


def test_deadlock_events_carry_the_services_frames(seeded_store, seeded_world) -> None:
    events = _events(seeded_store, seeded_world)
    assert len(events) >= 100
    seen_functions: dict[str, set[str]] = {"checkout-api": set(), "billing-worker": set()}
    for slug, event in events:
        assert "make_corpus" not in json.dumps(event)
        assert "corpus-generator" not in json.dumps(event)
        exc = event["exception"]["values"][-1]
        assert exc["type"] == "DeadlockDetected"
        assert exc["module"] in ("psycopg.errors", "psycopg2.errors")
        frames = exc["stacktrace"]["frames"]
        in_app = [f for f in frames if f.get("in_app")]
        assert in_app, "the service's own code is in the stack"
        assert {f["module"] for f in in_app} == {"dexter_tui.demo.scenario.pg_deadlocks"}
        assert all(f["abs_path"].startswith("/srv/dexter-demo/") for f in frames)
        # the service's unit of work sent the statement; the cursor raised PostgreSQL's answer
        assert in_app[-1]["function"] == "flush"
        assert in_app[-1]["context_line"].strip() == "self.cursor.execute(sql, params)"
        crumbs = event["breadcrumbs"]["values"]
        assert crumbs[-1]["category"] == "query"
        assert crumbs[-1]["message"] == frames[-1]["vars"]["sql"].strip("'")
        assert frames[-1]["function"] == "execute"
        assert not frames[-1].get("in_app")
        seen_functions[slug] |= {f["function"] for f in in_app} & SERVICE_FUNCTIONS[slug]
        assert event["transaction"] in ("/api/checkout/reserve", "billing.tasks.close_period")
    assert seen_functions == SERVICE_FUNCTIONS


def test_the_error_and_the_statement_are_the_real_ones(seeded_store, seeded_world) -> None:
    """Each sample's text, byte for byte, raised by the statement that really deadlocked; the
    analyzer reads the same deadlock from the service's event as from the recorded one."""
    samples = {
        recorded(name).message: name
        for name in (*CHECKOUT.deadlock_samples, *BILLING.deadlock_samples)
    }
    checked: set[str] = set()
    for _slug, event in _events(seeded_store, seeded_world):
        exc = event["exception"]["values"][-1]
        name = samples[exc["value"]]  # KeyError: a text no real server wrote
        deadlock = recorded(name)
        assert exc["module"] == deadlock.module
        sent = exc["stacktrace"]["frames"][-1]["vars"]["sql"]
        assert sent.strip("'") == deadlock.sql
        if name in checked:
            continue
        checked.add(name)
        mine, original = analyze(event).to_json(), analyze(_sample(name)).to_json()
        for key in ("is_deadlock", "victim", "cycles", "waits", "pattern"):
            assert mine[key] == original[key], (name, key)
        # plus the table of the victim's own statement, which the recorded event did not name
        assert set(original["relations"]) <= set(mine["relations"])
        # sentry-sdk's query breadcrumb names the statement: the victim's query is known
        victim = next(p for p in mine["processes"] if p["pid"] == mine["victim"])
        # (or the server's own text of it, from the `LINE 1:` marker: `$1` placeholders)
        assert re.sub(r"\$\d+", "%s", victim["query"]) == deadlock.sql
    assert checked == set(samples.values())
