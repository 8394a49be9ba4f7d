"""`--large N`: N extra issues, fast, for trying the client and the TUI on big lists.

The payloads are still the real sentry-sdk's: every exception fault of the sample services is
captured once through the SDK (`scenario.sdk_capture`), then each new issue is one of those
payloads with its crash function renamed and its exception value varied, so that it hashes to a
new group, a new event id, a time in the last 14 days, a user, release and environment. They go in
through `ingest_events` in large transactions. Breadcrumbs, frame variables and the source lines
around each frame (not the frame's own line) are dropped from these copies to keep the database
small and ingest fast; the seed scenario keeps them.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Any

from dexter_tui.demo.scenario import Service, services
from dexter_tui.demo.scenario.sdk_capture import Occurrence, ServiceRecorder, event_of, iso
from dexter_tui.demo.store import Store, dumps, loads
from dexter_tui.demo.world import World, load_world

DAY = 86400.0
BATCH = 5000


@dataclass
class LargeReport:
    issues: int
    seconds: float

    @property
    def rate(self) -> float:
        """Issues per second."""
        return self.issues / self.seconds if self.seconds else 0.0


def _templates(world: World, now: float, rng: random.Random) -> list[tuple[Service, str]]:
    """One SDK capture of every exception fault, trimmed, as JSON text."""
    out: list[tuple[Service, str]] = []
    for service in services():
        keys = world.projects[service.project]
        dsn = f"http://{keys.public_key}@127.0.0.1:9/{keys.project_id}"
        captured: list[bytes] = []
        recorder = ServiceRecorder(service, dsn, captured.append)
        try:
            for fault in service.faults:
                before = len(captured)
                occurrence = Occurrence(
                    timestamp=now,
                    event_id=f"{rng.getrandbits(128):032x}",
                    environment="production",
                    release=service.releases[-1][0],
                    server_name=service.server_names[0],
                )
                recorder.capture(fault, occurrence, rng)
                if len(captured) == before:
                    continue
                event = event_of(captured[-1])
                if not (event.get("exception") or {}).get("values"):
                    continue  # messages group by text; exceptions are varied below
                event.pop("breadcrumbs", None)
                event.pop("fingerprint", None)
                for value in event["exception"]["values"]:
                    for frame in (value.get("stacktrace") or {}).get("frames") or []:
                        for key in ("vars", "pre_context", "post_context"):
                            frame.pop(key, None)
                out.append((service, dumps(event)))
        finally:
            recorder.close()
    return out


def _crash_frame(event: dict[str, Any]) -> dict[str, Any] | None:
    frames = (event["exception"]["values"][-1].get("stacktrace") or {}).get("frames") or []
    in_app = [f for f in frames if f.get("in_app")]
    return (in_app or frames or [None])[-1]


def add_large(
    store: Store,
    world: World | None = None,
    count: int = 10_000,
    *,
    now: float | None = None,
    random_seed: int = 0,
) -> LargeReport:
    """Add `count` new issues (one event each) spread over the last 14 days."""
    from dexter_tui.demo.ingest import ingest_events

    started = time.perf_counter()
    world = world or load_world(store)
    now = time.time() if now is None else now
    start_serial = int(store.get_meta("large_serial") or 0)
    # a later run continues the serials and draws new event ids
    rng = random.Random(random_seed * 1_000_003 + start_serial + 7919)
    templates = _templates(world, now, rng)
    pending: dict[int, list[dict[str, Any]]] = {}
    pending_count = 0
    for n in range(start_serial, start_serial + count):
        service, template = templates[n % len(templates)]
        event = loads(template)
        serial = f"{n:06d}"
        frame = _crash_frame(event)
        if frame is not None:
            frame["function"] = f"{frame.get('function') or 'handler'}_v{serial}"
        last = event["exception"]["values"][-1]
        last["value"] = f"{last.get('value') or ''} [variant {serial}]".strip()
        ts = now - rng.uniform(60, 14 * DAY)
        event["event_id"] = f"{rng.getrandbits(128):032x}"
        event["timestamp"] = iso(ts)
        event["_received"] = ts + rng.uniform(0.2, 2.0)  # ingest_events' per-event receive time
        event["environment"] = rng.choices(["production", "staging"], [0.8, 0.2])[0]
        event["release"] = rng.choice(service.releases)[0]
        event["server_name"] = rng.choice(service.server_names)
        event["user"] = {"id": str(rng.randrange(1, 50_000))}
        project_id = world.projects[service.project].project_id
        pending.setdefault(project_id, []).append(event)
        pending_count += 1
        if pending_count >= BATCH:
            for project_id, events in pending.items():
                ingest_events(store, project_id, events)
            pending, pending_count = {}, 0
    for project_id, events in pending.items():
        ingest_events(store, project_id, events)
    store.set_meta("large_serial", str(start_serial + count))
    return LargeReport(issues=count, seconds=time.perf_counter() - started)
