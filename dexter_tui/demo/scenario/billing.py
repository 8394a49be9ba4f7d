"""billing-worker: a background worker that prorates, invoices and charges subscriptions.

Its tasks fail the way billing code does: a proration over a zero-length period, a charge whose
retries run out, plan ids nobody priced, dates that do not exist, and constraint violations from a
real (in-memory) SQLite database.
"""

from __future__ import annotations

import random
import socket
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

import sentry_sdk

from dexter_tui.demo.scenario import Fault, Service
from dexter_tui.demo.scenario._support import closed_port, quiet_logger

log = quiet_logger("billing.tasks")
dunning_log = quiet_logger("billing.dunning")

PLAN_PRICES = {"starter": Decimal("9"), "team": Decimal("49"), "business": Decimal("199")}


class RetryExhaustedError(Exception):
    """A task gave up after its last retry."""


class CardDeclinedError(Exception):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.code = code


class CurrencyMismatchError(ValueError):
    pass


class TaxServiceTimeoutError(TimeoutError):
    pass


def prorate(amount_cents: int, days_used: int, days_in_period: int) -> int:
    return amount_cents * days_used // days_in_period


def prorate_subscription(subscription: dict) -> int:
    start, end = subscription["period"]
    days_in_period = (end - start).days
    cents = int(PLAN_PRICES[subscription["plan"]] * 100)
    return prorate(cents, subscription["days_used"], days_in_period)


def post_charge(invoice_id: str, port: int) -> None:
    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()


def charge_invoice(invoice_id: str, attempts: int = 3) -> None:
    port = closed_port()
    last: Exception | None = None
    for attempt in range(1, attempts + 1):
        log.info("Charging invoice %s (attempt %d of %d)", invoice_id, attempt, attempts)
        try:
            post_charge(invoice_id, port)
            return
        except ConnectionRefusedError as exc:
            last = exc
    raise RetryExhaustedError(f"charge {invoice_id} failed after {attempts} attempts") from last


def plan_price(plan: str) -> Decimal:
    return PLAN_PRICES[plan]


def parse_billing_date(raw: str) -> date:
    return datetime.fromisoformat(raw).date()


def usage_per_seat(usage: int, seats: int) -> float:
    return usage / seats


def next_dunning_attempt(schedule: list[datetime | None], now: datetime) -> datetime:
    return min(t for t in schedule if t > now)  # type: ignore[operator]


def capture_payment(card: str) -> None:
    if card.endswith("0002"):
        raise CardDeclinedError("Your card was declined.", code="card_declined")


def tax_for(country: str) -> Decimal:
    try:
        with socket.create_connection(("127.0.0.1", closed_port()), timeout=0.5):
            return Decimal("0.19")
    except ConnectionRefusedError as exc:
        raise TaxServiceTimeoutError(f"tax service did not answer for {country}") from exc


def handle_provider_event(event: dict) -> str:
    return event["data"]["object"]["id"]


def post_ledger(debit: Decimal, credit: Decimal) -> None:
    assert debit == credit, f"ledger not balanced: debit {debit} != credit {credit}"


def add_line_item(invoice_currency: str, item_currency: str) -> None:
    if invoice_currency != item_currency:
        raise CurrencyMismatchError(f"line item in {item_currency} on a {invoice_currency} invoice")


def refund_amount(paid: Decimal, reason: str) -> Decimal:
    if reason == "duplicate":
        refund = paid
    elif reason == "partial":
        refund = paid / 2
    return refund  # the bug: no branch for other reasons (UnboundLocalError)


def default_payment_method(methods: Iterator[str]) -> str:
    return next(methods)


def store_invoice(number: str) -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE invoices (number TEXT UNIQUE, total_cents INTEGER)")
    db.execute("INSERT INTO invoices VALUES (?, 100)", (number,))
    db.execute("INSERT INTO invoices VALUES (?, 200)", (number,))


def monthly_revenue() -> int:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE invoices (number TEXT, total_cents INTEGER)")
    return db.execute("SELECT sum(amount_cents) FROM invoices").fetchone()[0]


def sync_to_crm(account_id: int) -> None:
    try:
        int(f"acct-{account_id}")
    except ValueError:
        log.exception("Failed to sync account %s to CRM", account_id)


def _negative_invoice(rng: random.Random) -> None:
    log.error("Invoice %s has a negative total %s", f"inv_{rng.randrange(10**6)}", "-12.00")


def _dunning_slow(rng: random.Random) -> None:
    sentry_sdk.capture_message(
        f"Dunning run took {rng.randrange(320, 900)}s (budget 300s)", level="warning"
    )


def _skipped_accounts(rng: random.Random) -> None:
    dunning_log.error("Skipped %d accounts without a payment method", rng.randrange(2, 40))


def _prorate_zero(rng: random.Random) -> None:
    same_day = datetime(2026, 11, rng.randrange(1, 28))
    prorate_subscription(
        {"plan": "team", "period": (same_day, same_day), "days_used": rng.randrange(1, 30)}
    )


def _dunning_none(rng: random.Random) -> None:
    next_dunning_attempt([datetime(2026, 11, 1), None], datetime(2026, 10, 1))


FAULTS = (
    Fault(
        "prorate_zero_period",
        _prorate_zero,
        12,
        "billing.tasks.prorate_subscription",
        until_days=5.5,
    ),
    Fault(
        "charge_retry_exhausted",
        lambda r: charge_invoice(f"inv_{r.randrange(10**6)}"),
        10,
        "billing.tasks.charge_invoice",
        handled=True,
        spikes=((5.6, 2, 90),),
    ),
    Fault(
        "plan_unknown",
        lambda r: plan_price(r.choice(["enterprise-2024", "team-annual"])),
        7,
        "billing.tasks.create_invoice",
    ),
    Fault(
        "billing_date",
        lambda r: parse_billing_date(f"2026-02-{r.randrange(29, 32)}"),
        3,
        "billing.tasks.import_subscriptions",
    ),
    Fault(
        "usage_zero_seats",
        lambda r: usage_per_seat(r.randrange(10, 500), 0),
        4,
        "billing.tasks.usage_report",
        since_days=7,
    ),
    Fault("dunning_none", _dunning_none, 5, "billing.tasks.dunning"),
    Fault(
        "card_declined",
        lambda r: capture_payment("4000000000000002"),
        20,
        "billing.tasks.charge_invoice",
        handled=True,
    ),
    Fault(
        "tax_timeout",
        lambda r: tax_for(r.choice(["DE", "FR", "NL"])),
        4,
        "billing.tasks.create_invoice",
        spikes=((10.2, 3, 70),),
    ),
    Fault(
        "provider_event_shape",
        lambda r: handle_provider_event({"type": "ping"}),
        3,
        "billing.webhooks.provider_event",
    ),
    Fault(
        "ledger_imbalance",
        lambda r: post_ledger(Decimal("120.00"), Decimal("119.99")),
        1,
        "billing.tasks.post_ledger",
        environments=("production",),
    ),
    Fault(
        "currency_mismatch",
        lambda r: add_line_item("EUR", r.choice(["USD", "GBP"])),
        2,
        "billing.tasks.create_invoice",
    ),
    Fault(
        "refund_unbound",
        lambda r: refund_amount(Decimal("30"), "goodwill"),
        2,
        "billing.tasks.refund",
        since_days=2.5,
    ),
    Fault(
        "no_payment_method",
        lambda r: default_payment_method(iter(())),
        3,
        "billing.tasks.charge_invoice",
    ),
    Fault(
        "invoice_number_taken",
        lambda r: store_invoice(f"2026-{r.randrange(10**4)}"),
        2,
        "billing.tasks.create_invoice",
    ),
    Fault(
        "revenue_column",
        lambda r: monthly_revenue(),
        1,
        "billing.reports.monthly_revenue",
        environments=("staging",),
    ),
    Fault("crm_sync", lambda r: sync_to_crm(r.randrange(1000, 9999)), 4, "billing.tasks.crm_sync"),
    Fault(
        "negative_invoice",
        _negative_invoice,
        3,
        "billing.tasks.create_invoice",
        fingerprint=("negative-invoice-total",),
    ),
    Fault(
        "dunning_slow", _dunning_slow, 2, "billing.tasks.dunning", fingerprint=("dunning-run-slow",)
    ),
    Fault(
        "skipped_accounts",
        _skipped_accounts,
        2,
        "billing.tasks.dunning",
        fingerprint=("dunning-skipped-accounts",),
    ),
)

SERVICE = Service(
    project="billing-worker",
    kind="worker",
    host="billing-worker",
    server_names=("billing-worker-7f9c", "billing-worker-2b1d"),
    releases=(
        ("billing-worker@1.8.2", 17),
        ("billing-worker@1.9.0", 6.8),
        ("billing-worker@1.9.1", 1.9),
    ),
    faults=FAULTS,
    mechanism="celery",
    deadlock_samples=(
        "D10_ddl_alter_vs_select.json",
        "D14_advisory_session_swap.json",
        "D29_bystander_not_in_cycle.json",
        "D29_bystander_not_in_cycle.psycopg2.json",
    ),
    extra_tags={"queue": ("billing", "billing-low"), "celery_task_retries": ("0", "1", "3")},
)
