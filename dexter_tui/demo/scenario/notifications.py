"""notifications: renders templates and sends email, SMS and push messages.

Template context that lacks a key, an SMTP server that refuses the connection, payloads that do
not serialize, tokens that do not decode: real failures of the kind a notification service sees.
Warning-level messages are sent with `attach_stacktrace`, so they carry a thread stack.
"""

from __future__ import annotations

import base64
import json
import queue
import random
import smtplib
import string
from datetime import datetime, timedelta
from email.utils import parseaddr
from http.client import HTTPConnection
from zoneinfo import ZoneInfo

import sentry_sdk

from dexter_tui.demo.scenario import Fault, Service
from dexter_tui.demo.scenario._support import closed_port, quiet_logger

log = quiet_logger("notifications.sender")

TEMPLATES = {
    "order_shipped": "Hi {first_name}, your order {order_id} is on its way.",
    "invoice_ready": "Your invoice $invoice_id for $amount is ready.",
}
LOCALES = {"en": ["en-GB", "en-US"], "pt": []}


class InvalidRecipientError(ValueError):
    pass


def render_email(template: str, context: dict) -> str:
    return TEMPLATES[template].format(**context)


def render_invoice_text(context: dict) -> str:
    return string.Template(TEMPLATES["invoice_ready"]).substitute(context)


def send_email(recipient: str, body: str) -> None:
    log.info("Sending email to %s", recipient)
    with smtplib.SMTP("127.0.0.1", closed_port(), timeout=0.5) as smtp:
        smtp.sendmail("noreply@acme.test", [recipient], body)


def decode_template(raw: bytes) -> str:
    return raw.decode("utf-8")


def fallback_locale(language: str) -> str:
    return LOCALES[language][0]


def validate_recipient(address: str) -> str:
    _name, email = parseaddr(address)
    if "@" not in email:
        raise InvalidRecipientError(f"invalid recipient address: {address!r}")
    return email


def push_payload(device_tokens: set[str]) -> str:
    return json.dumps({"tokens": device_tokens, "title": "Your order shipped"})


def webhook_connection(target: str) -> HTTPConnection:
    return HTTPConnection(target, timeout=1)


def normalize_phone(number: str) -> int:
    return int(number.replace(" ", ""))


def local_send_time(tz_name: str) -> datetime:
    return datetime(2026, 11, 27, 9, 0, tzinfo=ZoneInfo(tz_name))


def prune_subscribers(subscribers: dict[str, bool]) -> None:
    for address, active in subscribers.items():
        if not active:
            del subscribers[address]


def preferences(payload: dict) -> bool:
    return payload["settings"].get("email", True)


def unsubscribe_token(token: str) -> bytes:
    return base64.b64decode(token, validate=True)


def enqueue_push(outbox: queue.Queue, message: str) -> None:
    outbox.put_nowait(message)


def reminder_time(start: datetime, days: int) -> datetime:
    return start + timedelta(days=days)


def _full_queue() -> queue.Queue:
    outbox: queue.Queue = queue.Queue(maxsize=1)
    outbox.put_nowait("pending")
    return outbox


def _bounce_rate(rng: random.Random) -> None:
    sentry_sdk.capture_message("Email bounce rate above 5% in the last hour", level="warning")


def _sms_rate_limited(rng: random.Random) -> None:
    log.error("SMS provider rate limited us; dropping %d messages", rng.randrange(5, 200))


def _digest_failed(rng: random.Random) -> None:
    try:
        normalize_phone("+44 20 7946 0958 ext")
    except ValueError:
        log.exception("Digest job failed for %d recipients", rng.randrange(10, 90))


def _unknown_unsubscribe(rng: random.Random) -> None:
    sentry_sdk.capture_message("Unsubscribe link used with an unknown token", level="warning")


def _prune(rng: random.Random) -> None:
    prune_subscribers({"a@acme.test": True, "b@acme.test": False, "c@acme.test": True})


FAULTS = (
    Fault(
        "template_missing_key",
        lambda r: render_email("order_shipped", {"order_id": f"o-{r.randrange(10**5)}"}),
        16,
        "notifications.tasks.send_order_email",
        spikes=((1.4, 2, 150),),
    ),
    Fault(
        "smtp_refused",
        lambda r: send_email("customer@example.com", "hi"),
        14,
        "notifications.tasks.send_order_email",
        spikes=((3.7, 1, 140),),
    ),
    Fault(
        "invoice_template",
        lambda r: render_invoice_text({"amount": "12.00 EUR"}),
        4,
        "notifications.tasks.send_invoice_email",
    ),
    Fault(
        "template_decode",
        lambda r: decode_template(b"Caf\xe9 order update"),
        2,
        "notifications.tasks.load_template",
    ),
    Fault("locale_fallback", lambda r: fallback_locale("pt"), 3, "notifications.tasks.localize"),
    Fault(
        "invalid_recipient",
        lambda r: validate_recipient("Ana <ana at acme>"),
        5,
        "notifications.tasks.send_order_email",
        handled=True,
    ),
    Fault(
        "push_payload_set",
        lambda r: push_payload({"tok-1", "tok-2"}),
        6,
        "notifications.tasks.send_push",
        since_days=5,
    ),
    Fault(
        "webhook_url",
        lambda r: webhook_connection("hooks.acme.test:80o"),
        1,
        "notifications.tasks.call_webhook",
    ),
    Fault(
        "timezone_unknown",
        lambda r: local_send_time(r.choice(["Mars/Olympus", "CET+1"])),
        2,
        "notifications.tasks.schedule_digest",
    ),
    Fault("prune_subscribers", _prune, 2, "notifications.tasks.prune_subscribers"),
    Fault(
        "preferences_str",
        lambda r: preferences({"settings": "email=off"}),
        3,
        "notifications.api.preferences",
    ),
    Fault(
        "unsubscribe_token",
        lambda r: unsubscribe_token("dW5zdWJzY3JpYmU"),
        2,
        "notifications.api.unsubscribe",
    ),
    Fault(
        "push_queue_full",
        lambda r: enqueue_push(_full_queue(), "hi"),
        3,
        "notifications.tasks.send_push",
        since_days=3,
    ),
    Fault(
        "reminder_overflow",
        lambda r: reminder_time(datetime(9999, 12, 1), 60),
        0.5,
        "notifications.tasks.schedule_reminder",
        environments=("staging",),
    ),
    Fault(
        "bounce_rate",
        _bounce_rate,
        4,
        "notifications.tasks.bounce_monitor",
        fingerprint=("bounce-rate-high",),
    ),
    Fault(
        "sms_rate_limited",
        _sms_rate_limited,
        5,
        "notifications.tasks.send_sms",
        fingerprint=("sms-rate-limited",),
    ),
    Fault("digest_failed", _digest_failed, 2, "notifications.tasks.send_digest"),
    Fault(
        "unknown_unsubscribe",
        _unknown_unsubscribe,
        2,
        "notifications.api.unsubscribe",
        fingerprint=("unsubscribe-unknown-token",),
    ),
)


SERVICE = Service(
    project="notifications",
    kind="worker",
    host="notifications",
    server_names=("notify-1", "notify-2"),
    releases=(
        ("notifications@3.2.0", 15),
        ("notifications@3.3.0", 5.2),
    ),
    faults=FAULTS,
    mechanism="celery",
    attach_stacktrace=True,
    extra_tags={"channel": ("email", "sms", "push")},
)
