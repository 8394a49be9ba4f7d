"""checkout-api: a small order/checkout web service whose handlers really fail.

The handlers are ordinary code with ordinary bugs and unreliable dependencies (a payment gateway
that stops answering, a cache that is down, data that does not parse); the seed scenario calls them
with request-like inputs and the real sentry-sdk captures what they raise.
"""

from __future__ import annotations

import json
import math
import random
import re
import socket
import sqlite3
from decimal import Decimal
from pathlib import Path

import sentry_sdk

from dexter_tui.demo.scenario import Fault, Service
from dexter_tui.demo.scenario._support import SilentPeer, closed_port, quiet_logger

log = quiet_logger("checkout.api")
payments_log = quiet_logger("checkout.payments")

CARTS: dict[str, dict] = {
    "c-1001": {"customer_id": 17, "currency": "EUR", "items": {"SKU-RED-M": 2, "SKU-MUG": 1}},
    "c-1002": {"customer_id": 23, "currency": "CHF", "items": {"SKU-HAT": 1}},
}
PRICES = {"SKU-RED-M": "19.99", "SKU-MUG": "9.50", "SKU-HAT": "24,90 EUR", "SKU-SOCKS": "4.99"}
FX_RATES = {"EUR": Decimal("1"), "USD": Decimal("1.08"), "GBP": Decimal("0.86")}
SESSIONS: dict[str, dict] = {"s-live": {"customer_id": 17}}
ORDERS_BY_CUSTOMER = {17: ["o-1", "o-2", "o-3"], 23: []}


class PaymentError(Exception):
    """The payment provider could not complete a charge."""


class CouponExpiredError(ValueError):
    pass


class IdempotencyConflictError(RuntimeError):
    pass


class InsufficientStockError(Exception):
    pass


class CacheUnavailableError(ConnectionError):
    pass


class GiftCardNotFoundError(LookupError):
    pass


# -- handlers ---------------------------------------------------------------------------------


def get_cart_item(cart_id: str, sku: str) -> dict:
    cart = CARTS[cart_id]
    quantity = cart["items"][sku]
    return {"sku": sku, "quantity": quantity}


def parse_price(raw: str) -> Decimal:
    return Decimal(str(float(raw)))


def add_item(cart_id: str, sku: str) -> Decimal:
    unit_price = parse_price(PRICES[sku])
    return unit_price * CARTS[cart_id]["items"].get(sku, 1)


def charge_card(amount: Decimal, token: str, gateway_port: int) -> str:
    with socket.create_connection(("127.0.0.1", gateway_port), timeout=0.05) as conn:
        conn.sendall(f"CHARGE {token} {amount}\n".encode())
        return conn.recv(64).decode()


def submit_checkout(cart_id: str, card_token: str) -> str:
    amount = Decimal("42.49")
    payments_log.info("Charging %s EUR for cart %s", amount, cart_id)
    gateway = SilentPeer()
    try:
        return charge_card(amount, card_token, gateway.port)
    except TimeoutError as exc:
        raise PaymentError(f"payment gateway timed out charging {amount} EUR") from exc
    finally:
        gateway.close()


def apply_coupon(code: str, today: str = "2026-11-01") -> Decimal:
    coupons = {"BLACKFRIDAY": ("2026-10-31", Decimal("0.2"))}
    expires, discount = coupons.get(code, ("1970-01-01", Decimal(0)))
    if today > expires:
        raise CouponExpiredError(f"coupon {code!r} expired on {expires}")
    return discount


def convert_currency(amount: Decimal, currency: str) -> Decimal:
    return amount * FX_RATES[currency]


def quote(cart_id: str) -> Decimal:
    cart = CARTS[cart_id]
    return convert_currency(Decimal("24.90"), cart["currency"])


def compute_tax(net: str, rate: str) -> Decimal:
    return (Decimal(net) * Decimal(rate)).quantize(Decimal("0.01"))


def order_history(session_id: str) -> list[str]:
    session = SESSIONS.get(session_id)
    return ORDERS_BY_CUSTOMER[session.customer_id]  # type: ignore[union-attr]


def order_page(customer_id: int, page: int, per_page: int = 10) -> str:
    orders = ORDERS_BY_CUSTOMER[customer_id]
    return orders[page * per_page]


def payment_webhook(body: bytes) -> dict:
    return json.loads(body)


def verify_webhook(signature: str, expected: str) -> None:
    if signature != expected:
        raise PermissionError("invalid webhook signature")


def checkout_with_key(key: str, seen: dict[str, str]) -> None:
    if key in seen:
        raise IdempotencyConflictError(f"idempotency key {key} reused with a different payload")


def recommendations(customer_id: int) -> int:
    boosts = {17: 3}
    return sum(PRICES.__len__() for _ in range(2)) + boosts.get(customer_id)  # type: ignore[operator]


def shipping_quote(address: str) -> tuple[str, str]:
    street, city = address.split(",")
    return street.strip(), city.strip()


def reserve_stock(sku: str, wanted: int) -> None:
    on_hand = {"SKU-HAT": 0, "SKU-MUG": 4}
    if on_hand.get(sku, 0) < wanted:
        raise InsufficientStockError(f"insufficient stock for {sku}: wanted {wanted}")


def cached_product(product_id: int) -> dict:
    try:
        socket.create_connection(("127.0.0.1", closed_port()), timeout=0.5).close()
    except ConnectionRefusedError as exc:
        raise CacheUnavailableError("redis unavailable at 127.0.0.1:6379") from exc
    return {"id": product_id}


def redeem_gift_card(code: str) -> Decimal:
    cards = {"GIFT-ABCD": Decimal("25")}
    if code not in cards:
        raise GiftCardNotFoundError(f"gift card {code} not found")
    return cards[code]


def search_products(query: str) -> list[str]:
    pattern = re.compile(query, re.IGNORECASE)
    return [sku for sku in PRICES if pattern.search(sku)]


def product_image(product_id: int) -> bytes:
    return Path(f"/srv/checkout/media/products/{product_id}.webp").read_bytes()


def invoice_pdf_filename(customer_name: str) -> bytes:
    return customer_name.encode("ascii")


def promotion_decay(hours_live: float) -> float:
    return 1 / math.exp(hours_live)


def cart_total(items: dict[str, int]) -> Decimal:
    total = sum((Decimal(PRICES[s]) * q for s, q in items.items() if s != "SKU-HAT"), Decimal())
    expected = Decimal("49.47")  # cached from the pricing service
    assert total == expected, f"cart total mismatch: {total} != {expected}"
    return total


def save_order(order_number: str) -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE orders (number TEXT PRIMARY KEY)")
    db.execute("INSERT INTO orders VALUES (?)", (order_number,))
    db.execute("INSERT INTO orders VALUES (?)", (order_number,))


# -- what the seed runs -------------------------------------------------------------------------


def _sku(rng: random.Random) -> str:
    return rng.choice(["SKU-SOCKS", "SKU-SCARF", "SKU-BELT", "SKU-CAP"])


def _payment_provider_5xx(rng: random.Random) -> None:
    payments_log.error(
        "Payment provider returned HTTP %d for charge %s",
        rng.choice([502, 503]),
        rng.randrange(10**6),
    )


def _slow_checkout(rng: random.Random) -> None:
    sentry_sdk.capture_message(f"Slow checkout: {rng.randrange(3000, 9000)} ms", level="warning")


def _coupon_fallback(rng: random.Random) -> None:
    log.error("Coupon service unavailable, checkout continued without discount")


FAULTS = (
    Fault(
        "cart_missing_item",
        lambda r: get_cart_item("c-1001", _sku(r)),
        30,
        "/api/carts/{cart_id}/items/{sku}",
        spikes=((2.3, 3, 180),),
    ),
    Fault(
        "payment_timeout",
        lambda r: submit_checkout("c-1001", f"tok_{r.randrange(10**8)}"),
        18,
        "/api/checkout",
        "POST",
        spikes=((5.6, 2, 260),),
    ),
    Fault(
        "price_parse",
        lambda r: add_item("c-1002", "SKU-HAT"),
        9,
        "/api/carts/{cart_id}/items",
        "POST",
    ),
    Fault(
        "coupon_expired",
        lambda r: apply_coupon("BLACKFRIDAY"),
        6,
        "/api/carts/{cart_id}/coupon",
        "POST",
        until_days=4.2,
    ),
    Fault("currency_unknown", lambda r: quote("c-1002"), 5, "/api/quote"),
    Fault("tax_quantize", lambda r: compute_tax("12.5", "0.19%"), 2, "/api/checkout/tax", "POST"),
    Fault("session_missing", lambda r: order_history("s-expired"), 14, "/api/account/orders"),
    Fault("order_page", lambda r: order_page(17, r.randrange(1, 4)), 3, "/api/account/orders"),
    Fault(
        "webhook_json",
        lambda r: payment_webhook(b'{"type": "charge.succeeded",'),
        4,
        "/api/webhooks/payment",
        "POST",
    ),
    Fault(
        "webhook_signature",
        lambda r: verify_webhook("t=1,v1=deadbeef", "t=1,v1=cafe"),
        7,
        "/api/webhooks/payment",
        "POST",
        since_days=6,
    ),
    Fault(
        "idempotency",
        lambda r: checkout_with_key("idem-7", {"idem-7": "x"}),
        2,
        "/api/checkout",
        "POST",
        since_days=9,
    ),
    Fault(
        "recommendations",
        lambda r: recommendations(23),
        11,
        "/api/recommendations",
        since_days=3.1,
        environments=("production", "staging", "canary"),
    ),
    Fault(
        "shipping_address",
        lambda r: shipping_quote("Hauptstr. 5, 10115, Berlin"),
        3,
        "/api/shipping/quote",
        "POST",
    ),
    Fault(
        "insufficient_stock",
        lambda r: reserve_stock("SKU-HAT", r.randrange(1, 4)),
        8,
        "/api/checkout/reserve",
        "POST",
        handled=True,
    ),
    Fault(
        "cache_down",
        lambda r: cached_product(r.randrange(100, 999)),
        6,
        "/api/products/{product_id}",
        spikes=((8.4, 1, 120),),
        since_days=9,
        until_days=8.2,
    ),
    Fault(
        "gift_card",
        lambda r: redeem_gift_card(f"GIFT-{r.randrange(1000, 9999)}"),
        2,
        "/api/giftcards/redeem",
        "POST",
    ),
    Fault(
        "search_regex",
        lambda r: search_products(r.choice(["red(", "[mug", "*hat"])),
        3,
        "/api/search",
    ),
    Fault(
        "product_image",
        lambda r: product_image(r.randrange(100, 999)),
        1,
        "/api/products/{product_id}/image",
    ),
    Fault(
        "invoice_unicode",
        lambda r: invoice_pdf_filename("Zoë Müller"),
        1,
        "/api/invoices/{order_id}/pdf",
        since_days=1.5,
    ),
    Fault(
        "promotion_overflow",
        lambda r: promotion_decay(-1000.0 - r.random()),
        0.5,
        "/api/promotions",
        environments=("staging",),
    ),
    Fault(
        "cart_total_mismatch",
        lambda r: cart_total(CARTS["c-1001"]["items"]),
        1.5,
        "/api/checkout",
        "POST",
        environments=("canary", "staging"),
        since_days=2,
    ),
    Fault(
        "order_duplicate",
        lambda r: save_order(f"A-{r.randrange(10**5)}"),
        1,
        "/api/checkout",
        "POST",
    ),
    Fault(
        "payment_provider_5xx",
        _payment_provider_5xx,
        6,
        "/api/checkout",
        "POST",
        fingerprint=("payment-provider-5xx",),
    ),
    Fault(
        "slow_checkout", _slow_checkout, 5, "/api/checkout", "POST", fingerprint=("slow-checkout",)
    ),
    Fault(
        "coupon_fallback", _coupon_fallback, 2, "/api/carts/{cart_id}/coupon", "POST", since_days=4
    ),
)

SERVICE = Service(
    project="checkout-api",
    kind="web",
    host="shop.acme.test",
    server_names=("checkout-web-1", "checkout-web-2", "checkout-web-3"),
    releases=(
        ("checkout-api@2.13.0", 16),
        ("checkout-api@2.14.0", 9.3),
        ("checkout-api@2.14.1", 3.2),
        ("checkout-api@2.15.0-rc1", 1.1),
    ),
    faults=FAULTS,
    mechanism="starlette",
    deadlock_samples=(
        "D01_update_swap_2.json",
        "D01_update_swap_2.psycopg2.json",
        "D02_update_cycle_3.json",
        "D07_tuple_lock_chain_3.json",
        "D17_fk_insert_vs_parent_key_update.json",
        "D17_fk_insert_vs_parent_key_update.psycopg2.json",
    ),
    extra_tags={"payment_provider": ("stripe", "adyen"), "browser.name": ("Chrome", "Firefox")},
)
