"""Sample services that really fail, captured by the real sentry-sdk for the demo data set.

Each service module (`checkout`, `billing`, `notifications`) holds small but genuine application
code whose handlers raise real exceptions (or log real errors), and a `SERVICE` describing which
of them happen, how often, since when, in which environments. `sdk_capture` runs them under an
isolated sentry-sdk client; `dexter_tui.demo.seed` turns the captured payloads into two weeks of
history.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

#: What a fault's `run` receives: a seeded random source for its inputs.
Runner = Callable[[random.Random], None]


@dataclass(frozen=True)
class Fault:
    """One failure mode of a service: becomes one issue.

    `run` executes the service code: it either raises (the driver reports the exception the way a
    framework integration would) or reports by itself (logging, `capture_message`, a handled
    `capture_exception`).
    """

    key: str
    run: Runner
    weight: float = 1.0  # relative event volume
    transaction: str | None = None  # route ("/api/carts/{cart_id}") or task name
    method: str = "GET"  # request method for web services
    since_days: float = 14.0  # first occurrence, days before "now"
    until_days: float = 0.0  # last occurrence, days before "now" (0 = still happening)
    environments: tuple[str, ...] = ("production", "staging")
    spikes: tuple[tuple[float, float, int], ...] = ()  # (days ago, hours long, extra events)
    handled: bool = False  # mechanism.handled for raised exceptions
    fingerprint: tuple[str, ...] | None = None  # custom grouping (messages with parameters)
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Service:
    """A sample service and the project its events go to."""

    project: str
    kind: str  # "web" (requests, customers) or "worker" (tasks)
    host: str  # request host for web services / base for worker URLs
    server_names: tuple[str, ...]
    releases: tuple[tuple[str, float], ...]  # (version, days before now it was deployed)
    faults: tuple[Fault, ...]
    mechanism: str = "generic"
    attach_stacktrace: bool = False
    deadlock_samples: tuple[str, ...] = ()  # file names under demo/data/deadlocks/
    extra_tags: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def services() -> list[Service]:
    """The three sample services, in a fixed order (ingest order decides short ids)."""
    from dexter_tui.demo.scenario import billing, checkout, notifications

    return [checkout.SERVICE, billing.SERVICE, notifications.SERVICE]
