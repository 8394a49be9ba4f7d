"""The PostgreSQL deadlocks of checkout-api and billing-worker: the services' code paths that hit
them, run for real under sentry-sdk so the events carry the services' own frames.

Both services write through a small unit of work (statements queued, then flushed on one cursor).
Which statement deadlocked, and PostgreSQL's answer, come from real deadlocks
(`demo/data/deadlocks/`, see `_pg_replay`); everything above the cursor is this module's code:

* checkout-api `POST /api/checkout/reserve` (psycopg 3), the v1 endpoint still on psycopg2, and
  the reservation sync thread;
* billing-worker `billing.tasks.close_period` (psycopg 3) and its legacy psycopg2 twin.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

import sentry_sdk

from dexter_tui.demo.scenario import Fault
from dexter_tui.demo.scenario._pg_replay import Params, RecordedDeadlock, ReplayCursor, recorded

#: the fault key every deadlock sample is planned under (one per service in the seed)
DEADLOCK_KEY = "postgres_deadlock"


@dataclass
class UnitOfWork:
    """Statements queued by the request/task, sent on one cursor in one transaction."""

    cursor: ReplayCursor
    pending: list[tuple[str, Params]] = field(default_factory=list)

    def add(self, sql: str, params: Params) -> None:
        self.pending.append((sql, params))

    def flush(self) -> None:
        for sql, params in self.pending:
            # what sentry-sdk's database integrations record before each statement
            sentry_sdk.add_breadcrumb(category="query", type="query", message=sql)
            self.cursor.execute(sql, params)
        self.pending.clear()


# -- checkout-api ---------------------------------------------------------------------------


def reserve_checkout(deadlock: RecordedDeadlock, cart_id: str) -> None:
    """POST /api/checkout/reserve: hold the cart's stock and its store-credit transfer."""
    uow = UnitOfWork(ReplayCursor(deadlock))
    uow.add("SELECT id, customer_id FROM carts WHERE id = %s", (cart_id,))
    uow.add(deadlock.sql, deadlock.params)  # the cart's ledger/stock write
    uow.flush()


def reserve_checkout_v1(deadlock: RecordedDeadlock, cart_id: str) -> None:
    """POST /api/v1/checkout/reserve: the old endpoint, still on psycopg2."""
    uow = UnitOfWork(ReplayCursor(deadlock))
    uow.add("SELECT id, customer_id FROM carts WHERE id = %s", (cart_id,))
    uow.add(deadlock.sql, deadlock.params)
    uow.flush()


def sync_reservations(deadlock: RecordedDeadlock, batch: int) -> None:
    """The reservation sync thread: replays a batch of holds onto the ledger."""
    uow = UnitOfWork(ReplayCursor(deadlock))
    uow.add("SELECT id FROM reservations WHERE batch = %s", (batch,))
    uow.add(deadlock.sql, deadlock.params)
    uow.flush()


# -- billing-worker -------------------------------------------------------------------------


def close_period(deadlock: RecordedDeadlock, period: str) -> None:
    """billing.tasks.close_period: lock the period, charge the accounts, price the lines."""
    uow = UnitOfWork(ReplayCursor(deadlock))
    uow.add("SELECT id, status FROM billing_periods WHERE id = %s", (period,))
    uow.add(deadlock.sql, deadlock.params)
    uow.flush()


def close_period_legacy(deadlock: RecordedDeadlock, period: str) -> None:
    """The psycopg2 build of close_period, still deployed on one queue."""
    uow = UnitOfWork(ReplayCursor(deadlock))
    uow.add("SELECT id, status FROM billing_periods WHERE id = %s", (period,))
    uow.add(deadlock.sql, deadlock.params)
    uow.flush()


def _runner(project: str, deadlock: RecordedDeadlock) -> Callable[[random.Random], None]:
    """The code path of `project` that ran the sample's statement."""
    if project == "billing-worker":
        task = close_period_legacy if deadlock.driver == "psycopg2" else close_period
        return lambda rng: task(deadlock, f"2026-{rng.randrange(1, 12):02d}")
    if deadlock.sample.startswith("D07_"):  # a three-session tuple queue: the sync thread
        return lambda rng: sync_reservations(deadlock, rng.randrange(100, 999))
    handler = reserve_checkout_v1 if deadlock.driver == "psycopg2" else reserve_checkout
    return lambda rng: handler(deadlock, f"c-{rng.randrange(1000, 9999)}")


#: the route/task each service reports its deadlocks under (the seed's `transaction`)
TRANSACTIONS = {
    "checkout-api": "/api/checkout/reserve",
    "billing-worker": "billing.tasks.close_period",
}


def deadlock_fault(project: str, sample: str) -> Fault:
    """The fault that raises `sample`'s deadlock from `project`'s code."""
    deadlock = recorded(sample)
    return Fault(
        DEADLOCK_KEY,
        _runner(project, deadlock),
        transaction=TRANSACTIONS[project],
        method="POST",
        handled=deadlock.handled,
    )
