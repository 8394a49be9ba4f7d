"""The demo data set: two weeks of three services failing, and a team triaging them.

How the events are made (honestly):

* Every failure mode is real code in `demo/scenario/` that raises (or logs) for real, and the real
  sentry-sdk captures it: for each fault the first few occurrences (and at least one per
  environment it happens in) run the code under an isolated SDK client whose transport hands the
  serialized envelope to `ingest_envelope` in-process. `before_send` only moves the event (and its
  breadcrumbs) to its planned time and gives it a repeatable event id.
* The SDK costs ~3 ms per event here, so the remaining occurrences replay those SDK-captured
  payloads with a new event id, timestamp, user, release, environment, host and trace id, through
  `ingest_events` in time-ordered batches. The PostgreSQL deadlock events are raised by the
  services' own code (`scenario/pg_deadlocks`) under the SDK, with the errors real PostgreSQL
  deadlocks gave psycopg (`demo/data/deadlocks/`), then replayed the same way.
* Triage history (resolve, ignore in its three flavours, assign to users and teams, bookmarks,
  comments, releases and deploys, alert rules) goes through the demo server's own Web API
  in-process (the same code path as a real client), at simulated times: the store's clock is set to
  the action's time while it runs. Where a route is not served, the seed writes the same rows
  directly (`SeedReport.sql_fallbacks` says which).

Same `random_seed` and `now` give the same data set, byte for byte (see `sdk_capture.stabilize`).
"""

from __future__ import annotations

import math
import random
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

from dexter_tui.demo.api.saved_searches import seed_saved_searches
from dexter_tui.demo.code_history import seed_code_history
from dexter_tui.demo.scenario import Fault, Service, services
from dexter_tui.demo.scenario.sdk_capture import (
    Occurrence,
    ServiceRecorder,
    event_of,
    iso,
    shift_event_time,
)
from dexter_tui.demo.store import FULL_SCOPES, Store, dumps, loads
from dexter_tui.demo.world import World, load_world

DAY = 86400.0
HOUR = 3600.0
#: Events per unit of fault weight over the two weeks (before spikes).
EVENTS_PER_WEIGHT = 10.0
#: Occurrences of each fault captured through the SDK before replaying.
SDK_CAPTURES_PER_FAULT = 3
DEADLOCK_KEY = "postgres_deadlock"  # = scenario.pg_deadlocks.DEADLOCK_KEY
DEADLOCK_EVENTS = {"checkout-api": 60, "billing-worker": 40}
DEADLOCK_SPIKES = {"checkout-api": (6.4, 1.5, 45), "billing-worker": (2.6, 1.0, 30)}


@dataclass
class SeedReport:
    """What the seed did, for the CLI banner and the tests."""

    issues: int = 0
    events: int = 0
    sdk_events: int = 0
    replayed_events: int = 0
    deadlock_events: int = 0
    api_actions: int = 0
    sql_fallbacks: list[str] = field(default_factory=list)
    seconds: float = 0.0
    group_ids: dict[str, int] = field(default_factory=dict)  # "<project>/<fault>" -> group id


@dataclass
class Planned:
    """One event of the plan."""

    ts: float
    service: Service
    fault_key: str
    environment: str
    release: str
    server_name: str
    user: dict[str, str] | None
    event_id: str
    tags: dict[str, str]
    sdk: bool = False
    sample: str | None = None  # deadlock sample file


# -- shape of time ---------------------------------------------------------------------------


def activity_shape(ts: float) -> float:
    """Relative traffic at `ts`: a daily curve peaking mid-afternoon UTC, quieter weekends."""
    hour = (ts % DAY) / HOUR
    weekday = int(ts // DAY + 3) % 7  # 1970-01-01 was a Thursday; 0 = Monday
    daily = 0.18 + 0.82 * (1 + math.cos(2 * math.pi * (hour - 14.5) / 24)) / 2
    return daily * (0.55 if weekday >= 5 else 1.0)


def sample_times(rng: random.Random, start: float, end: float, n: int) -> list[float]:
    """`n` times in [start, end) following `activity_shape` (rejection sampling)."""
    out: list[float] = []
    if end <= start:
        return out
    while len(out) < n:
        ts = rng.uniform(start, end)
        if rng.random() < activity_shape(ts):
            out.append(ts)
    return out


def spike_times(rng: random.Random, start: float, hours: float, n: int) -> list[float]:
    """A burst: most events near the middle of the window."""
    return [rng.triangular(start, start + hours * HOUR) for _ in range(n)]


# -- who and where ---------------------------------------------------------------------------


def _user(
    service: Service, rng: random.Random, pool_offset: int, pool: int
) -> dict[str, str] | None:
    n = pool_offset + int(rng.paretovariate(1.2)) % pool
    if service.project == "checkout-api":
        if rng.random() < 0.08:
            return {"ip_address": f"198.51.100.{n % 250 + 1}"}
        return {
            "id": str(1000 + n),
            "email": f"customer{1000 + n}@example.com",
            "ip_address": f"203.0.113.{n % 250 + 1}",
        }
    if service.project == "billing-worker":
        return {"id": f"acct_{4000 + n}"}
    return {"email": f"recipient{n}@example.net"}


def release_for(service: Service, environment: str, ts: float, now: float) -> str:
    """The release a host of `environment` ran at `ts` (staging gets each release a day early)."""
    releases = [(v, now - d * DAY) for v, d in service.releases]
    if environment == "canary":
        candidates = [r for r in releases if "-rc" in r[0]]
        if candidates:
            return candidates[-1][0]
    lead = DAY if environment == "staging" else 0.0
    current = releases[0][0]
    for version, deployed in releases:
        if "-rc" in version and environment != "staging":
            continue
        if deployed - lead <= ts:
            current = version
    return current


def canary_since(service: Service, now: float) -> float | None:
    for version, days in service.releases:
        if "-rc" in version:
            return now - days * DAY
    return None


def _environment(
    service: Service, environments: tuple[str, ...], ts: float, now: float, rng: random.Random
) -> str:
    allowed = [e for e in environments if e != "canary"]
    since = canary_since(service, now)
    if since is not None and ts >= since and ("canary" in environments or "production" in allowed):
        allowed.append("canary")
    weights = {"production": 0.65, "staging": 0.2, "canary": 0.15}
    if not allowed:
        allowed = ["production"]
    return rng.choices(allowed, [weights[e] for e in allowed])[0]


def _event_id(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


# -- the plan --------------------------------------------------------------------------------


def plan_events(now: float, rng: random.Random) -> list[Planned]:
    """Every event of the scenario, in time order."""
    planned: list[Planned] = []
    for service in services():
        for index, fault in enumerate(service.faults):
            planned += _plan_fault(service, fault, now, rng, index)
        if service.deadlock_samples:
            planned += _plan_deadlocks(service, now, rng)
    planned.sort(key=lambda p: (p.ts, p.event_id))
    _mark_sdk_captures(planned)
    return planned


def _plan_fault(
    service: Service, fault: Fault, now: float, rng: random.Random, index: int
) -> list[Planned]:
    start = now - fault.since_days * DAY
    end = now - fault.until_days * DAY - 60
    n = max(2, round(fault.weight * EVENTS_PER_WEIGHT * (end - start) / (14 * DAY)))
    times = sample_times(rng, start, end, n)
    for days_ago, hours, extra in fault.spikes:
        times += spike_times(rng, now - days_ago * DAY, hours, extra)
    pool = max(3, int(len(times) * rng.uniform(0.2, 0.6)))
    forced = {
        now - days * DAY
        for project, key, days in REGRESSIONS
        if (project, key) == (service.project, fault.key)
    }
    times += sorted(forced)
    out = []
    for ts in times:
        env = _environment(service, fault.environments, ts, now, rng)
        out.append(
            Planned(
                ts=ts,
                service=service,
                fault_key=fault.key,
                environment=env,
                release=release_for(service, env, ts, now),
                server_name=rng.choice(service.server_names),
                user=_user(service, rng, index * 37, pool),
                event_id=_event_id(rng),
                tags={k: rng.choice(v) for k, v in service.extra_tags.items()},
                sdk=ts in forced,
            )
        )
    return out


def _plan_deadlocks(service: Service, now: float, rng: random.Random) -> list[Planned]:
    n = DEADLOCK_EVENTS[service.project]
    times = sample_times(rng, now - 13 * DAY, now - 600, n)
    days_ago, hours, extra = DEADLOCK_SPIKES[service.project]
    times += spike_times(rng, now - days_ago * DAY, hours, extra)
    out = []
    for ts in times:
        env = rng.choices(["production", "staging"], [0.85, 0.15])[0]
        out.append(
            Planned(
                ts=ts,
                service=service,
                fault_key=DEADLOCK_KEY,
                environment=env,
                release=release_for(service, env, ts, now),
                server_name=rng.choice(service.server_names),
                user=_user(service, rng, 900, 40),
                event_id=_event_id(rng),
                tags={k: rng.choice(v) for k, v in service.extra_tags.items()},
                sample=rng.choice(service.deadlock_samples),
            )
        )
    return out


def _mark_sdk_captures(planned: list[Planned]) -> None:
    """The first occurrences of each fault, and the first per environment, go through the SDK."""
    seen: dict[tuple[str, str], int] = {}
    seen_env: set[tuple[str, str, str]] = set()
    for p in planned:
        if p.sample is not None:
            continue
        key = (p.service.project, p.fault_key)
        env_key = (*key, p.environment)
        if seen.get(key, 0) < SDK_CAPTURES_PER_FAULT or env_key not in seen_env:
            p.sdk = True
        seen[key] = seen.get(key, 0) + 1
        seen_env.add(env_key)


# -- building payloads -----------------------------------------------------------------------


def _fill_route(route: str, rng: random.Random) -> str:
    values = {
        "{cart_id}": f"c-{rng.randrange(1000, 9999)}",
        "{sku}": rng.choice(["SKU-SOCKS", "SKU-SCARF", "SKU-BELT"]),
        "{product_id}": str(rng.randrange(100, 999)),
        "{order_id}": f"o-{rng.randrange(10**5)}",
    }
    for placeholder, value in values.items():
        route = route.replace(placeholder, value)
    return route


def _occurrence(p: Planned, fault: Fault, rng: random.Random) -> Occurrence:
    service = p.service
    crumbs: list[dict[str, Any]] = []
    request = None
    if service.kind == "web":
        path = _fill_route(fault.transaction or "/", rng)
        request = {
            "url": f"https://{service.host}{path}",
            "method": fault.method,
            "query_string": "" if fault.method != "GET" else f"ref=app&v={rng.randrange(1, 4)}",
            "headers": {
                "Host": service.host,
                "User-Agent": rng.choice(
                    [
                        "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
                        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 "
                        "(KHTML, like Gecko) Version/18.1 Safari/605.1.15",
                        "acme-ios/5.4.1 CFNetwork/1496.0.7 Darwin/23.5.0",
                    ]
                ),
                "Accept": "application/json",
                "X-Request-Id": f"{rng.getrandbits(64):016x}",
            },
            "env": {"SERVER_NAME": p.server_name, "SERVER_PORT": "8000"},
        }
        crumbs += [
            {
                "category": "http",
                "type": "http",
                "ago": 1.8,
                "data": {
                    "method": "GET",
                    "url": f"https://{service.host}/api/session",
                    "status_code": 200,
                },
            },
            {
                "category": "query",
                "type": "query",
                "ago": 0.9,
                "message": "SELECT carts.id, carts.customer_id FROM carts WHERE carts.id = %s",
            },
        ]
    else:
        crumbs += [
            {
                "category": "celery",
                "type": "default",
                "ago": 2.5,
                "message": f"Task {fault.transaction} received",
            },
            {
                "category": "query",
                "type": "query",
                "ago": 1.2,
                "message": "SELECT id, status FROM subscriptions WHERE status = 'active' LIMIT 500",
            },
        ]
    crumbs.append(
        {
            "category": "checkout" if service.kind == "web" else "worker",
            "level": "info",
            "ago": 0.3,
            "message": f"handling {fault.key.replace('_', ' ')}",
        }
    )
    return Occurrence(
        timestamp=p.ts,
        event_id=p.event_id,
        environment=p.environment,
        release=p.release,
        server_name=p.server_name,
        user=p.user,
        tags={**p.tags, **fault.tags},
        request=request,
        breadcrumbs=tuple(crumbs),
        contexts={
            "runtime": {"name": "CPython", "version": "3.12.7", "build": "3.12.7 (main)"},
            "os": {"name": "Linux", "version": "6.8.0"},
        },
    )


def _capture_deadlocks(planned: list[Planned], world: World) -> dict[tuple[str, str], str]:
    """Each service's deadlocks raised from its own code (`scenario/pg_deadlocks`) under the
    real SDK, once per sample at its first planned occurrence; the timeline replays these
    payloads. A private random source: the rest of the data set does not move."""
    from dexter_tui.demo.scenario.pg_deadlocks import deadlock_fault

    first: dict[tuple[str, str], Planned] = {}
    for p in planned:
        if p.sample is not None:
            first.setdefault((p.service.project, p.sample), p)
    templates: dict[tuple[str, str], str] = {}
    for service in services():
        keys = sorted(k for k in first if k[0] == service.project)
        if not keys:
            continue
        faults = {key: deadlock_fault(service.project, key[1]) for key in keys}
        as_recorded = replace(service, faults=tuple(faults.values()))
        captured: list[bytes] = []
        recorder = ServiceRecorder(as_recorded, _dsn(world, service.project), captured.append)
        rng = random.Random(f"deadlocks/{service.project}")
        try:
            for key in keys:
                before = len(captured)
                recorder.capture(faults[key], _occurrence(first[key], faults[key], rng), rng)
                if len(captured) != before + 1:
                    raise RuntimeError(f"{service.project}/{key[1]} produced no event")
                templates[key] = dumps(event_of(captured[-1]))
        finally:
            recorder.close()
    return templates


def replay(template: str, p: Planned, rng: random.Random) -> dict[str, Any]:
    """A new occurrence of an SDK-captured payload (JSON text): new id, time, user, host..."""
    event = loads(template)
    event["event_id"] = p.event_id
    shift_event_time(event, p.ts)
    event["environment"] = p.environment
    event["release"] = p.release
    event["server_name"] = p.server_name
    if p.user is not None:
        event["user"] = dict(p.user)
    else:
        event.pop("user", None)
    tags = dict(event.get("tags") or {})
    tags.update(p.tags)
    if tags:
        event["tags"] = tags
    event["_received"] = p.ts + rng.uniform(0.3, 2.5)  # ingest_events' per-event receive time
    trace = (event.get("contexts") or {}).get("trace")
    if isinstance(trace, dict):
        trace["trace_id"] = f"{rng.getrandbits(128):032x}"
        trace["span_id"] = f"{rng.getrandbits(64):016x}"
    return event


# -- running the plan ------------------------------------------------------------------------


class _SimClock:
    """The store's clock during the seed: follows the simulated timeline."""

    def __init__(self, value: float):
        self.value = value

    def __call__(self) -> float:
        return self.value


def seed(
    store: Store,
    world: World | None = None,
    *,
    now: float | None = None,
    random_seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> SeedReport:
    """Fill a store that holds `create_world`'s organisation (and no events) with the scenario.

    `progress` hears what the seed is doing (a short phrase, then percentages) for a progress
    line: the first `dexter demo` waits for it.

    Run it before serving the store: while it runs, the store's clock follows the simulated
    timeline (restored afterwards), so a request served meanwhile would see a past "now".
    """
    if store.query_one("SELECT 1 FROM events LIMIT 1") is not None:
        raise ValueError("the store already holds events; seed a new one")
    started = time.perf_counter()
    world = world or load_world(store)
    now = time.time() if now is None else now
    rng = random.Random(random_seed)
    report = SeedReport()
    planned = plan_events(now, rng)
    triage = _Triage(store, world, report)
    actions = triage.plan(now, planned)
    _backdate_world(store, world, now - 30 * DAY)
    original_clock = store.clock
    clock = _SimClock(now - 16 * DAY)
    store.clock = clock
    try:
        say = progress or (lambda _: None)
        say(f"capturing {sum(1 for p in planned if p.sdk)} events with the real sentry-sdk")
        bodies = _capture_with_sdk(planned, world, rng)
        say(f"storing {len(planned):,} events and the triage history")
        _run_timeline(store, world, planned, bodies, actions, clock, rng, report, say)
        clock.value = now
        triage.finish(now)
    finally:
        store.clock = original_clock
        triage.close()
    seed_code_history(store, world, now)
    seed_saved_searches(store, world.org_id, world.user_ids, now)
    report.issues = int(store.query_one("SELECT COUNT(*) FROM groups")[0])
    report.events = int(store.query_one("SELECT COUNT(*) FROM events")[0])
    report.seconds = time.perf_counter() - started
    return report


def _backdate_world(store: Store, world: World, when: float) -> None:
    """The organisation existed before its two weeks of events (it was created just now)."""
    with store.transaction() as conn:
        conn.execute(
            "UPDATE organizations SET date_created = min(date_created, ?) WHERE id = ?",
            (when, world.org_id),
        )
        for table in ("projects", "teams", "members"):
            conn.execute(
                f"UPDATE {table} SET date_created = min(date_created, ?) WHERE org_id = ?",
                (when, world.org_id),
            )
        conn.execute(
            "UPDATE users SET date_joined = min(date_joined, ?) WHERE id IN"
            " (SELECT user_id FROM members WHERE org_id = ?)",
            (when, world.org_id),
        )


def _dsn(world: World, slug: str) -> str:
    keys = world.projects[slug]
    return f"http://{keys.public_key}@127.0.0.1:9/{keys.project_id}"


def _capture_with_sdk(planned: list[Planned], world: World, rng: random.Random) -> dict[str, bytes]:
    """Run the faults marked `sdk` under the real SDK; envelope bytes by event id."""
    bodies: dict[str, bytes] = {}
    by_service: dict[str, list[Planned]] = {}
    for p in planned:
        if p.sdk:
            by_service.setdefault(p.service.project, []).append(p)
    for service in services():
        faults = {f.key: f for f in service.faults}
        captured: list[bytes] = []
        recorder = ServiceRecorder(service, _dsn(world, service.project), captured.append)
        try:
            for p in by_service.get(service.project, []):
                fault = faults[p.fault_key]
                before = len(captured)
                recorder.capture(fault, _occurrence(p, fault, rng), rng)
                if len(captured) != before + 1:
                    raise RuntimeError(f"{service.project}/{fault.key} produced no event")
                bodies[p.event_id] = captured[-1]
        finally:
            recorder.close()
    return bodies


Action = tuple[float, int, Callable[[], None]]


def _run_timeline(
    store: Store,
    world: World,
    planned: list[Planned],
    bodies: dict[str, bytes],
    actions: list[Action],
    clock: _SimClock,
    rng: random.Random,
    report: SeedReport,
    say: Callable[[str], None] = lambda _: None,
) -> None:
    from dexter_tui.demo.ingest import ingest_envelope, ingest_events

    templates: dict[tuple[str, str], list[str]] = {}
    for p in planned:
        if p.event_id in bodies:
            templates.setdefault((p.service.project, p.fault_key), []).append(
                dumps(event_of(bodies[p.event_id]))
            )
    deadlocks = _capture_deadlocks(planned, world)
    pending: list[tuple[int, dict[str, Any]]] = []
    batch_start = 0.0
    action_iter = iter(sorted(actions, key=lambda a: (a[0], a[1])))
    next_action = next(action_iter, None)

    def flush() -> None:
        nonlocal pending
        if not pending:
            return
        by_project: dict[int, list[dict[str, Any]]] = {}
        for project_id, event in pending:
            by_project.setdefault(project_id, []).append(event)
        for project_id, events in by_project.items():
            ingest_events(store, project_id, events)
        pending = []

    tenth = max(1, len(planned) // 10)
    for n, p in enumerate(planned):
        if n and n % tenth == 0:
            say(f"storing events {100 * n // len(planned)} %")
        while next_action is not None and next_action[0] <= p.ts:
            flush()
            clock.value = next_action[0]
            next_action[2]()
            next_action = next(action_iter, None)
        project_id = world.projects[p.service.project].project_id
        if p.sdk:
            flush()
            clock.value = p.ts + 0.8
            ingest_envelope(store, project_id, bodies[p.event_id])
            report.sdk_events += 1
            continue
        if p.sample is not None:
            event = replay(deadlocks[(p.service.project, p.sample)], p, rng)
            if p.service.kind == "web":
                event["transaction"] = "/api/checkout/reserve"
            else:
                event["transaction"] = "billing.tasks.close_period"
            report.deadlock_events += 1
        else:
            event = replay(rng.choice(templates[(p.service.project, p.fault_key)]), p, rng)
            report.replayed_events += 1
        if pending and (p.ts - batch_start > HOUR or len(pending) >= 1000):
            flush()
        if not pending:
            batch_start = p.ts
        pending.append((project_id, event))
        clock.value = p.ts + 1.0
    flush()
    while next_action is not None:
        clock.value = next_action[0]
        next_action[2]()
        next_action = next(action_iter, None)


# -- triage history --------------------------------------------------------------------------

#: (days ago, project, fault, action, argument, actor username)
SCRIPT: list[tuple[float, str, str, str, Any, str]] = [
    (12.5, "checkout-api", "cart_missing_item", "assign", "team:backend", "ana"),
    (
        12.4,
        "checkout-api",
        "cart_missing_item",
        "comment",
        "Carts keep SKUs that were removed from the catalogue; the item lookup needs a fallback.",
        "ben",
    ),
    (12.0, "checkout-api", "cart_missing_item", "bookmark", None, "ana"),
    (
        2.0,
        "checkout-api",
        "cart_missing_item",
        "comment",
        "Fix is in 2.15.0-rc1 on canary; watching the numbers before promoting.",
        "ben",
    ),
    (10.0, "checkout-api", "price_parse", "assign", "ben", "ana"),
    (10.0, "checkout-api", "slow_checkout", "ignore", {"substatus": "archived_forever"}, "ana"),
    (8.0, "checkout-api", "cache_down", "resolve", {}, "ana"),
    (
        8.0,
        "checkout-api",
        "cache_down",
        "comment",
        "Redis failover finished at 14:10 UTC; cache hit rate is back to normal.",
        "ana",
    ),
    (7.0, "checkout-api", DEADLOCK_KEY, "assign", "ben", "ana"),
    (
        6.9,
        "checkout-api",
        DEADLOCK_KEY,
        "comment",
        "Two transfers lock the same accounts in opposite order. Taking the row locks ordered by"
        " account id should remove the cycle.",
        "ben",
    ),
    (6.9, "checkout-api", DEADLOCK_KEY, "bookmark", None, "ben"),
    (
        6.0,
        "checkout-api",
        "session_missing",
        "ignore",
        {"substatus": "archived_until_escalating"},
        "ana",
    ),
    (6.5, "checkout-api", "gift_card", "ignore", {"substatus": "archived_until_escalating"}, "ben"),
    (5.5, "checkout-api", "payment_timeout", "assign", "chloe", "ana"),
    (
        5.45,
        "checkout-api",
        "payment_timeout",
        "comment",
        "Gateway p99 went to 30 s during the incident. Adding a circuit breaker and a 5 s timeout.",
        "chloe",
    ),
    (5.4, "checkout-api", "payment_timeout", "bookmark", None, "chloe"),
    (5.3, "checkout-api", "payment_timeout", "bookmark", None, "ana"),
    (4.0, "checkout-api", "webhook_signature", "assign", "team:payments", "chloe"),
    (
        3.0,
        "checkout-api",
        "coupon_expired",
        "resolve",
        {"statusDetails": {"inRelease": "checkout-api@2.14.1"}},
        "ben",
    ),
    (
        3.0,
        "checkout-api",
        "coupon_expired",
        "comment",
        "Expired coupons now answer 410 Gone instead of raising. Resolved in 2.14.1.",
        "ben",
    ),
    (11.0, "billing-worker", "card_declined", "ignore", {"substatus": "archived_forever"}, "chloe"),
    (9.0, "billing-worker", "plan_unknown", "assign", "chloe", "ana"),
    (6.0, "billing-worker", DEADLOCK_KEY, "assign", "team:payments", "ana"),
    (5.3, "billing-worker", "prorate_zero_period", "resolve", {}, "chloe"),
    (
        5.3,
        "billing-worker",
        "prorate_zero_period",
        "comment",
        "Same-day periods now bill zero instead of dividing by the period length.",
        "chloe",
    ),
    (5.0, "billing-worker", "charge_retry_exhausted", "assign", "team:payments", "ana"),
    (
        4.9,
        "billing-worker",
        "charge_retry_exhausted",
        "comment",
        "These follow the provider outage; retries now back off for up to 30 minutes.",
        "chloe",
    ),
    (4.0, "billing-worker", "ledger_imbalance", "assign", "chloe", "ana"),
    (4.0, "billing-worker", "ledger_imbalance", "bookmark", None, "chloe"),
    (9.0, "notifications", "template_missing_key", "assign", "dev", "ana"),
    (1.3, "notifications", "template_missing_key", "bookmark", None, "dev"),
    (
        7.0,
        "notifications",
        "bounce_rate",
        "ignore",
        {"substatus": "archived_until_condition_met", "statusDetails": {"ignoreCount": 500}},
        "dev",
    ),
    (
        5.0,
        "notifications",
        "sms_rate_limited",
        "ignore",
        {
            "substatus": "archived_until_condition_met",
            "statusDetails": {"ignoreCount": 10},
        },
        "dev",
    ),
    (
        3.6,
        "notifications",
        "smtp_refused",
        "comment",
        "The relay host was rotated; the sender now retries with backoff.",
        "dev",
    ),
    (3.5, "notifications", "smtp_refused", "assign", "team:platform", "ana"),
]
#: A resolved issue that happens again later (-> regressed): (project, fault, days ago).
REGRESSIONS = [("billing-worker", "prorate_zero_period", 0.8)]
RULES_CREATED_DAYS = 12.0


class _RouteMissingError(Exception):
    """The demo API does not serve this route (yet): the seed writes the rows itself."""


class _Triage:
    """Triage actions through the demo Web API in-process, with SQL for routes not served."""

    def __init__(self, store: Store, world: World, report: SeedReport):
        self.store = store
        self.world = world
        self.report = report
        self.first_event: dict[tuple[str, str], str] = {}
        self._tokens: dict[str, str] = {}
        self._client: Any = None
        self._app: Any = None

    # plumbing

    def _http(self) -> Any:
        if self._client is None:
            with warnings.catch_warnings():  # starlette nudges towards httpx2; httpx works
                warnings.filterwarnings("ignore", message=".*starlette.testclient.*")
                from starlette.testclient import TestClient

            from dexter_tui.demo.server import ServerOptions, create_app

            self._app = create_app(self.store, ServerOptions())
            self._client = TestClient(self._app)
        return self._client

    def _token(self, username: str) -> str:
        if username not in self._tokens:
            if username == "ana" and self.world.token:
                self._tokens[username] = self.world.token
            else:  # a temporary token for that user, deleted when the seed ends
                self._tokens[username] = self.store.create_token(
                    self.world.user_ids[username], FULL_SCOPES, org_id=self.world.org_id
                )
        return self._tokens[username]

    def _call(self, actor: str, method: str, path: str, **kw: Any) -> Any:
        client = self._http()
        if not _route_served(self._app, method, path.split("?")[0]):
            raise _RouteMissingError(f"{method} {path.split('?')[0]}")
        response = client.request(
            method, path, headers={"Authorization": f"Bearer {self._token(actor)}"}, **kw
        )
        if response.status_code >= 400:
            raise RuntimeError(
                f"seed: {method} {path} answered {response.status_code}: {response.text[:300]}"
            )
        self.report.api_actions += 1
        return response

    def _either(self, label: str, api: Callable[[], Any], sql: Callable[[], None]) -> None:
        try:
            api()
        except _RouteMissingError:
            if label not in self.report.sql_fallbacks:
                self.report.sql_fallbacks.append(label)
            sql()

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
        for username, token in self._tokens.items():
            if token != self.world.token or username != "ana":
                self.store.execute("DELETE FROM tokens WHERE token = ?", (token,))
        self._tokens.clear()

    def group_id(self, project: str, fault: str) -> int:
        event_id = self.first_event[(project, fault)]
        row = self.store.query_one(
            "SELECT group_id FROM events WHERE project_id = ? AND event_id = ?",
            (self.world.projects[project].project_id, event_id),
        )
        if row is None:
            raise LookupError(f"seed: no event yet for {project}/{fault}")
        self.report.group_ids[f"{project}/{fault}"] = int(row["group_id"])
        return int(row["group_id"])

    # the schedule

    def plan(self, now: float, planned: Iterable[Planned]) -> list[Action]:
        for p in planned:
            self.first_event.setdefault((p.service.project, p.fault_key), p.event_id)
        actions: list[Action] = []
        order = 0
        for service in services():
            for version, days in service.releases:
                deployed = now - days * DAY
                envs = ["staging", "canary"] if "-rc" in version else ["staging", "production"]
                first = deployed - DAY
                actions.append((first - 60, order, self._release(service.project, version)))
                order += 1
                for env in envs:
                    when = first if env == "staging" else deployed
                    actions.append((when - 30, order, self._deploy(version, env)))
                    order += 1
        actions.append((now - RULES_CREATED_DAYS * DAY, order, self._rules))
        order += 1
        for days, project, fault, kind, arg, actor in SCRIPT:
            actions.append(
                (now - days * DAY, order, self._action(project, fault, kind, arg, actor))
            )
            order += 1
        return actions

    def _release(self, project: str, version: str) -> Callable[[], None]:
        def api() -> None:
            self._call(
                "ana",
                "POST",
                f"/api/0/organizations/{self.world.org_slug}/releases/",
                json={"version": version, "projects": [project]},
            )

        def sql() -> None:
            now = self.store.now()
            project_id = self.world.projects[project].project_id
            with self.store.transaction() as conn:
                conn.execute(
                    "INSERT OR IGNORE INTO releases (org_id, version, date_created)"
                    " VALUES (?, ?, ?)",
                    (self.world.org_id, version, now),
                )
                release_id = conn.execute(
                    "SELECT id FROM releases WHERE org_id = ? AND version = ?",
                    (self.world.org_id, version),
                ).fetchone()[0]
                conn.execute(
                    "INSERT OR IGNORE INTO release_projects (release_id, project_id) VALUES (?, ?)",
                    (release_id, project_id),
                )

        return lambda: self._either("releases", api, sql)

    def _deploy(self, version: str, environment: str) -> Callable[[], None]:
        def api() -> None:
            now = self.store.now()
            self._call(
                "ana",
                "POST",
                f"/api/0/organizations/{self.world.org_slug}/releases/{quote(version, safe='')}"
                "/deploys/",
                json={
                    "environment": environment,
                    "dateStarted": iso(now - 240),
                    "dateFinished": iso(now),
                    "name": f"{version} to {environment}",
                },
            )

        def sql() -> None:
            now = self.store.now()
            with self.store.transaction() as conn:
                row = conn.execute(
                    "SELECT id FROM releases WHERE org_id = ? AND version = ?",
                    (self.world.org_id, version),
                ).fetchone()
                conn.execute(
                    "INSERT INTO deploys (release_id, environment, name, date_started,"
                    " date_finished) VALUES (?, ?, ?, ?, ?)",
                    (row[0], environment, f"{version} to {environment}", now - 240, now),
                )
                if environment == "production":
                    conn.execute(
                        "UPDATE releases SET date_released = ? WHERE id = ?"
                        " AND date_released IS NULL",
                        (now, row[0]),
                    )

        return lambda: self._either("deploys", api, sql)

    def _action(
        self, project: str, fault: str, kind: str, arg: Any, actor: str
    ) -> Callable[[], None]:
        def run() -> None:
            group_id = self.group_id(project, fault)
            if kind == "comment":
                self._either(
                    "comments",
                    lambda: self._call(
                        actor,
                        "POST",
                        f"/api/0/organizations/{self.world.org_slug}/issues/{group_id}/comments/",
                        json={"text": arg},
                    ),
                    lambda: self._sql_note(group_id, actor, arg),
                )
                return
            body = self._update_body(kind, arg)
            self._either(
                "issue updates",
                lambda: self._call(
                    actor,
                    "PUT",
                    f"/api/0/organizations/{self.world.org_slug}/issues/?id={group_id}",
                    json=body,
                ),
                lambda: self._sql_update(group_id, actor, kind, arg),
            )

        return run

    def _update_body(self, kind: str, arg: Any) -> dict[str, Any]:
        if kind == "assign":
            if arg.startswith("team:"):
                return {"assignedTo": f"team:{self.world.team_ids[arg[5:]]}"}
            return {"assignedTo": arg}
        if kind == "bookmark":
            return {"isBookmarked": True}
        if kind == "resolve":
            return {"status": "resolved", **arg}
        if kind == "ignore":
            return {"status": "ignored", **arg}
        raise ValueError(kind)

    def _rules(self) -> None:
        slug = "checkout-api"
        backend = self.world.team_ids["backend"]
        rules = [
            {
                "name": "New issue in checkout-api → email Backend team",
                "environment": None,
                "actionMatch": "all",
                "filterMatch": "all",
                "frequency": 30,
                "conditions": [
                    {"id": "sentry.rules.conditions.first_seen_event.FirstSeenEventCondition"}
                ],
                "filters": [],
                "actions": [
                    {
                        "id": "sentry.mail.actions.NotifyEmailAction",
                        "targetType": "Team",
                        "targetIdentifier": backend,
                    }
                ],
                "owner": f"team:{backend}",
            },
            {
                "name": "More than 100 events in 1h",
                "environment": "production",
                "actionMatch": "all",
                "filterMatch": "all",
                "frequency": 60,
                "conditions": [
                    {
                        "id": "sentry.rules.conditions.event_frequency.EventFrequencyCondition",
                        "value": 100,
                        "interval": "1h",
                        "comparisonType": "count",
                    }
                ],
                "filters": [],
                "actions": [
                    {
                        "id": "sentry.mail.actions.NotifyEmailAction",
                        "targetType": "IssueOwners",
                        "fallthroughType": "ActiveMembers",
                    }
                ],
                "owner": None,
            },
        ]
        for rule in rules:
            self._either(
                "rules",
                lambda rule=rule: self._call(
                    "ana",
                    "POST",
                    f"/api/0/projects/{self.world.org_slug}/{slug}/rules/",
                    json=rule,
                ),
                lambda rule=rule: self._sql_rule(slug, rule),
            )

    # SQL equivalents (used only for routes the API does not serve)

    def _activity(self, conn: Any, group_id: int, kind: str, user: str, data: dict) -> None:
        conn.execute(
            "INSERT INTO activities (group_id, project_id, type, user_id, data, date_created)"
            " SELECT id, project_id, ?, ?, ?, ? FROM groups WHERE id = ?",
            (kind, self.world.user_ids[user], dumps(data), self.store.now(), group_id),
        )

    def _sql_note(self, group_id: int, actor: str, text: str) -> None:
        with self.store.transaction() as conn:
            self._activity(conn, group_id, "note", actor, {"text": text})

    def _sql_update(self, group_id: int, actor: str, kind: str, arg: Any) -> None:
        now = self.store.now()
        user_id = self.world.user_ids[actor]
        with self.store.transaction() as conn:
            if kind == "bookmark":
                conn.execute(
                    "INSERT OR IGNORE INTO group_bookmarks (group_id, user_id, date_added)"
                    " VALUES (?, ?, ?)",
                    (group_id, user_id, now),
                )
            elif kind == "assign":
                if arg.startswith("team:"):
                    team_id = self.world.team_ids[arg[5:]]
                    conn.execute(
                        "UPDATE groups SET assigned_team_id = ?, assigned_user_id = NULL"
                        " WHERE id = ?",
                        (team_id, group_id),
                    )
                    data = {"assignee": str(team_id), "assigneeType": "team"}
                else:
                    assignee = self.world.user_ids[arg]
                    conn.execute(
                        "UPDATE groups SET assigned_user_id = ?, assigned_team_id = NULL"
                        " WHERE id = ?",
                        (assignee, group_id),
                    )
                    data = {"assignee": str(assignee), "assigneeType": "user"}
                self._activity(conn, group_id, "assigned", actor, data)
            elif kind == "resolve":
                details = arg.get("statusDetails", {})
                conn.execute(
                    "UPDATE groups SET status = 'resolved', substatus = NULL, resolved_at = ?,"
                    " status_details = ? WHERE id = ?",
                    (now, dumps(details), group_id),
                )
                activity = "set_resolved_in_release" if "inRelease" in details else "set_resolved"
                self._activity(conn, group_id, activity, actor, details)
            elif kind == "ignore":
                group = conn.execute(
                    "SELECT times_seen FROM groups WHERE id = ?", (group_id,)
                ).fetchone()
                details = {
                    **arg.get("statusDetails", {}),
                    "_ignoredAt": now,
                    "_countAtIgnore": group[0],
                }
                conn.execute(
                    "UPDATE groups SET status = 'ignored', substatus = ?, status_details = ?"
                    " WHERE id = ?",
                    (arg["substatus"], dumps(details), group_id),
                )
                self._activity(conn, group_id, "set_ignored", actor, arg.get("statusDetails", {}))

    def _sql_rule(self, slug: str, rule: dict[str, Any]) -> None:
        data = {k: v for k, v in rule.items() if k not in ("name", "environment")}
        self.store.execute(
            "INSERT INTO rules (project_id, name, environment, status, data, date_created,"
            " created_by) VALUES (?, ?, ?, 'active', ?, ?, ?)",
            (
                self.world.projects[slug].project_id,
                rule["name"],
                rule["environment"],
                dumps(data),
                self.store.now(),
                self.world.user_ids["ana"],
            ),
        )

    def finish(self, now: float) -> None:
        """Record when the rules would have fired (the demo server does not evaluate rules)."""
        rules = self.store.query(
            "SELECT r.id, r.project_id, r.date_created, r.data, r.environment FROM rules r"
            " JOIN projects p ON p.id = r.project_id WHERE p.org_id = ? ORDER BY r.id",
            (self.world.org_id,),
        )
        with self.store.transaction() as conn:
            for rule in rules:
                conditions = loads(rule["data"], {}).get("conditions") or []
                ids = {c.get("id", "") for c in conditions}
                fires: list[tuple[int, float]] = []
                if any(i.endswith("FirstSeenEventCondition") for i in ids):
                    fires = [
                        (r["id"], r["first_seen"])
                        for r in conn.execute(
                            "SELECT id, first_seen FROM groups WHERE project_id = ?"
                            " AND first_seen >= ?",
                            (rule["project_id"], rule["date_created"]),
                        )
                    ]
                elif any(i.endswith("EventFrequencyCondition") for i in ids):
                    fires = [
                        (r["group_id"], r["hour"] * HOUR + HOUR)
                        for r in conn.execute(
                            "SELECT group_id, CAST(timestamp / 3600 AS INTEGER) AS hour,"
                            " COUNT(*) AS n FROM events WHERE project_id = ? AND timestamp >= ?"
                            " AND (? IS NULL OR environment = ?)"
                            " GROUP BY group_id, hour HAVING n > 100",
                            (
                                rule["project_id"],
                                rule["date_created"],
                                rule["environment"],
                                rule["environment"],
                            ),
                        )
                    ]
                conn.executemany(
                    "INSERT INTO rule_fires (rule_id, group_id, event_id, date_added)"
                    " VALUES (?, ?, NULL, ?)",
                    [(rule["id"], g, min(t, now)) for g, t in fires],
                )
                if fires:
                    conn.execute(
                        "UPDATE rules SET last_triggered = ? WHERE id = ?",
                        (min(max(t for _, t in fires), now), rule["id"]),
                    )


def _route_served(app: Any, method: str, path: str) -> bool:
    """Whether one of the app's routes takes `method path` (the API is built in parallel)."""
    from starlette.routing import Match

    scope = {"type": "http", "method": method, "path": path, "root_path": ""}
    return any(route.matches(scope)[0] == Match.FULL for route in app.routes)
