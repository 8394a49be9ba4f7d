"""Event detail on events of every platform family, ingested through the demo's real /store/
endpoint: the title and the crashing frame a person reads (function, else file, else address),
native images, JS source-map state, security reports, log messages, processing errors — and no
failed pane. Also: the Raw tab masks request secrets; deep nesting never breaks a pane."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from dexter_tui.tui.screens.event_detail import EventDetailScreen
from dexter_tui.tui.screens.issues import IssuesScreen
from dexter_tui.tui.widgets.event_stack import FrameItem
from tests.fixtures.events import EXPECTED, NAMES, auth_headers, big_stack, load
from tests.tui.conftest import settle
from tests.tui.test_event_detail import text_of

SIZE = (160, 50)
PROJECT = "checkout-api"


def ingest(server, world, event: dict[str, Any]) -> str:
    """POST `event` to the running demo's /store/ endpoint, as an old SDK would."""
    keys = world.projects[PROJECT]
    response = httpx.post(
        f"{server.url}/api/{keys.project_id}/store/",
        content=json.dumps(event).encode(),
        headers=auth_headers(keys.public_key, envelope=False),
    )
    assert response.status_code == 200, response.text
    return response.json()["id"]


async def open_issue(pilot, title: str) -> EventDetailScreen:
    """From the list, open the issue titled `title` and wait for its panes."""
    screen = pilot.app.screen
    assert isinstance(screen, IssuesScreen)
    key = next(k for k, i in screen.feed.issues.items() if i.title == title)
    assert screen.table.move_cursor_to_key(key)
    await pilot.press("enter")
    await settle(pilot)
    detail = pilot.app.screen
    assert isinstance(detail, EventDetailScreen)
    return detail


def frame_heads(screen: EventDetailScreen) -> list[str]:
    return [text_of(item.render()).splitlines()[0] for item in screen.query(FrameItem)]


def stack_text(screen: EventDetailScreen) -> str:
    """Everything the stack tab draws (blocks, heads, frames), as plain text."""
    pane = screen.pane("stack")
    parts = []
    for widget in pane.query("#stack-body > Static"):
        parts.append(text_of(widget.render() if isinstance(widget, FrameItem) else widget.content))
    return "\n".join(parts)


async def assert_no_failed_pane(pilot, screen: EventDetailScreen) -> None:
    """Every event pane drew without failing (Raw is built when first shown: show it)."""
    shown = screen.active_tab
    screen.show_tab("raw")
    await settle(pilot)
    screen.show_tab(shown)
    await settle(pilot)
    for tab in ("stack", "breadcrumbs", "context", "request", "raw"):
        pane = screen.pane(tab)
        assert pane.ready, f"{tab} pane not ready"
        assert not pane.status.has_class("-error"), f"{tab} pane failed"


@pytest.mark.parametrize("name", NAMES)
async def test_every_platform_shows_its_title_and_crashing_frame(
    make_app, seeded_server, seeded_world, name: str
) -> None:
    """One platform per test, so the parallel runner spreads them over the workers."""
    ingest(seeded_server, seeded_world, load(name))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        list_screen = app.screen
        title, crash = EXPECTED[name]
        screen = await open_issue(pilot, title)
        header = text_of(screen.query_one("#event-header").content)
        assert title in header, name
        await assert_no_failed_pane(pilot, screen)
        heads = frame_heads(screen)
        if crash:
            assert any(crash in head for head in heads), (name, heads)
        for head in heads:
            assert "? ?" not in head, (name, head)
            assert head.strip() not in ("app  ?", "lib  ?"), (name, head)
        await pilot.press("q")
        await settle(pilot)
        assert app.screen is list_screen


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("cocoa", ["Images (3)", "Shop", "0x104c00000", "arm64",
                   "a9b8c7d6-5e4f-3a2b-1c0d-9e8f7a6b5c4d", "-[CheckoutViewController payTapped:]",
                   "Thread 0 com.apple.main-thread"]),
        ("native", ["Images (2)", "renderd", "_ZN6render5Frame4drawEv", "0x55d4e3a1b2c3",
                    "__libc_start_call_main  libc.so.6  0x7f3a1c229d90"]),
        ("javascript", ["source-mapped (release)", "./src/cart/Checkout.tsx:42:17",
                        "Source code was not found", "widget.min.js"]),
        ("java", ["com.acme.ledger.LedgerService.open  LedgerService.java:92",
                  "The exception above caused:",
                  "org.postgresql.Driver.connect  Driver.java:297", "Thread 14 pool-1-thread-1",
                  "WAITING", "No frames for this thread."]),
        ("dotnet", ["Shop.Services.PriceList.GetPrice  PriceList.cs:27:13", "Images (1)",
                    "Shop.dll"]),
        ("csp", ["Content Security Policy violation", "blocked uri",
                 "https://evil.example/skimmer.js", "effective directive", "script-src-elem",
                 "This event has no stack trace."]),
        ("hpkp", ["HTTP Public Key Pinning failure", "pay.shop.example", "known pins"]),
        ("expectct", ["Certificate Transparency (Expect-CT) failure", "api.shop.example", "scts"]),
        ("logentry_formatted", ["Message", "Payment 42 declined by the bank",
                                "template Payment %s declined by %s", 'params ["42", "the bank"]']),
        ("logentry_params", ["Order A-17 shipped with 3 items", "template Order %s shipped"]),
        ("legacy_message", ["User ann failed to log in", "com.acme.auth.LoginService.login"]),
        ("processing_errors", ["problems processing this event", "Discarded invalid value",
                               "exception.values.0.mechanism.description", "value = 5",
                               "Invalid timestamp (too old)"]),
        ("php", ["App\\Cart\\Checkout::total  /src/Cart/Checkout.php:64",
                 "/public/index.php  line 20"]),
    ],
)  # fmt: skip
async def test_platform_blocks_are_shown(
    make_app, seeded_server, seeded_world, name: str, expected: list[str]
) -> None:
    ingest(seeded_server, seeded_world, load(name))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_issue(pilot, EXPECTED[name][0])
        if name != "native":
            await pilot.press("f")  # the full stack: library frames too
            await settle(pilot)
        text = stack_text(screen)
        for snippet in expected:
            assert snippet in text, (snippet, text)
        await assert_no_failed_pane(pilot, screen)


async def test_frames_omitted_by_the_server_are_said(make_app, seeded_server, seeded_world) -> None:
    ingest(seeded_server, seeded_world, big_stack(300))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_issue(pilot, "RecursionError: maximum recursion depth exceeded")
        text = stack_text(screen)
        assert "50 frames (125–174) were omitted by Sentry" in text
        assert "walk_299" in frame_heads(screen)[-1]


async def test_raw_tab_masks_what_the_request_tab_masks(
    make_app, seeded_server, seeded_world
) -> None:
    event = load("ruby")
    event["request"]["headers"]["Cookie"] = "session_id=c00kie-s3cret"
    event["request"]["data"] = {"password": "hunter2", "amount": 3}
    event["extra"] = {"api_key": "k3y-s3cret"}
    ingest(seeded_server, seeded_world, event)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_issue(pilot, EXPECTED["ruby"][0])
        for mask_on in (False, True):  # `m` toggles PII masking; secrets stay masked either way
            screen.show_tab("raw")
            await settle(pilot)
            text = "\n".join(screen.pane("raw").view.lines)
            assert '"Bearer ********"' in text
            for secret in ("r0by-s3cret", "c00kie-s3cret", "hunter2", "k3y-s3cret"):
                assert secret not in text, secret
            assert '"amount": 3' in text
            assert screen.mask is mask_on
            await pilot.press("m")
            await settle(pilot)


async def test_deep_nesting_never_breaks_a_pane(
    make_app, seeded_server, seeded_world, seeded_store
) -> None:
    event_id = ingest(seeded_server, seeded_world, load("elixir"))
    # deeper than ingest accepts: an event from elsewhere (or an older store) must still draw
    row = seeded_store.query_one("SELECT data FROM events WHERE event_id = ?", (event_id,))
    data = json.loads(row["data"])
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(400):
        node["next"] = {}
        node = node["next"]
    data["extra"]["linked"] = deep
    data["contexts"]["deep"] = {"chain": deep}
    data["request"] = {"url": "https://shop.example/cart", "method": "POST", "data": {"c": deep}}
    seeded_store.conn.execute(
        "UPDATE events SET data = ? WHERE event_id = ?", (json.dumps(data), event_id)
    )
    seeded_store.conn.commit()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_issue(pilot, EXPECTED["elixir"][0])
        await assert_no_failed_pane(pilot, screen)
        assert any("Shop.Cart.total/1" in head for head in frame_heads(screen))
        raw = "\n".join(screen.pane("raw").view.lines)
        assert "… (depth " in raw
        screen.show_tab("context")
        await settle(pilot)
        context = text_of(screen.pane("context").query_one(".pane-text").content)
        assert "… (depth " in context
        screen.show_tab("request")
        await settle(pilot)
        request = text_of(screen.pane("request").query_one(".pane-text").content)
        assert "POST https://shop.example/cart" in request
        assert "… (depth " in request
