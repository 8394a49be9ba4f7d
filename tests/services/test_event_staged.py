"""A large event read in two steps: the stack first (no breadcrumbs), then the whole event, which
is what the one-step read returns; a small event is read whole at once."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from dexter_tui.demo.ingest import ingest_event
from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.models import Event
from dexter_tui.services.events import EventNavigator
from tests.conftest import SEED_NOW

CRUMBS = 3000


def _large_event() -> dict:
    frames = [
        {
            "filename": f"app/staged_{n}.py",
            "function": f"staged_{n}",
            "lineno": 5 + n,
            "in_app": True,
            "context_line": f"return staged_{n + 1}()",
            "vars": {"n": str(n)},
        }
        for n in range(30)
    ]
    return {
        "event_id": "5a" * 16,
        "timestamp": SEED_NOW - 5,
        "platform": "python",
        "level": "error",
        "exception": {
            "values": [
                {"type": "StagedError", "value": "two steps", "stacktrace": {"frames": frames}}
            ]
        },
        "breadcrumbs": {
            "values": [
                {"timestamp": SEED_NOW - 900 + n, "category": "query", "message": f"q {n} " * 8}
                for n in range(CRUMBS)
            ]
        },
    }


@pytest.fixture
async def client(seeded_server, seeded_world) -> AsyncIterator[SentryClient]:
    async with SentryClient(seeded_server.url, seeded_world.token) as c:
        yield c


async def _issue_titled(client: SentryClient, org: str, title: str) -> str:
    page = await client.list_issues(org, query="is:unresolved", limit=100)
    return next(i.id for i in page.items if title in i.title)


async def test_a_large_event_is_read_stack_first_then_whole(
    client, seeded_store, seeded_world
) -> None:
    project = seeded_world.projects["checkout-api"]
    event = _large_event()
    assert len(json.dumps(event)) > 64 * 1024  # above the off-loop size: read in two steps
    ingest_event(seeded_store, project.project_id, event, received=SEED_NOW - 4)
    org = seeded_world.org_slug
    issue_id = await _issue_titled(client, org, "StagedError")

    staged = await client.get_issue_event_staged(org, issue_id)
    assert not staged.done
    first = staged.first
    assert first.breadcrumbs == []  # not read yet
    values = first.exception.values if first.exception else []
    assert [v.type for v in values] == ["StagedError"]
    frames = values[0].stacktrace.frames if values[0].stacktrace else []
    assert [f.function for f in frames] == [f"staged_{n}" for n in range(30)]

    whole = staged.complete()
    assert staged.done
    assert staged.complete() is whole
    assert len(whole.breadcrumbs) == CRUMBS
    one_step = await client.get_issue_event(org, issue_id)
    assert whole.model_dump() == one_step.model_dump()
    assert whole.source == one_step.source  # the Raw tab shows the body as sent


async def test_the_navigator_shows_a_first_look_only_for_a_large_event(
    client, seeded_store, seeded_world
) -> None:
    project = seeded_world.projects["checkout-api"]
    ingest_event(seeded_store, project.project_id, _large_event(), received=SEED_NOW - 4)
    org = seeded_world.org_slug
    large = await _issue_titled(client, org, "StagedError")
    looks: list[Event] = []

    async def look(event: Event) -> None:
        looks.append(event)

    nav = EventNavigator(client, org, large, total=1)
    event = await nav.load("latest", first_look=look)
    assert len(looks) == 1
    assert looks[0].breadcrumbs == []
    assert looks[0].event_id == event.event_id
    assert len(event.breadcrumbs) == CRUMBS
    assert nav.event is event
    assert nav.position == 1

    page = await client.list_issues(org, query="is:unresolved", limit=100)
    small = next(i for i in page.items if "StagedError" not in i.title)
    looks.clear()
    nav = EventNavigator(client, org, small.id, total=small.count)
    event = await nav.load("latest", first_look=look)
    assert looks == []  # small: read whole at once, drawn once
    assert event.event_id
