"""`SentryClient`'s saved-search calls against the demo server over real HTTP."""

from __future__ import annotations

import pytest

from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.errors import BadRequest, NotFound, ReadOnlyError
from dexter_tui.sentry.resources.saved_searches import SavedSearch

ORG = "acme"


async def test_list_create_delete_round_trip(client: SentryClient) -> None:
    listed = await client.list_saved_searches(ORG)
    assert all(isinstance(s, SavedSearch) for s in listed)
    unresolved = next(s for s in listed if s.name == "Unresolved Issues")
    assert (unresolved.query, unresolved.sort, unresolved.is_global) == (
        "is:unresolved",
        "date",
        True,
    )
    assert unresolved.date_created is not None
    assert unresolved.date_created.tzinfo is not None

    made = await client.create_saved_search(
        ORG, "Prod errors", "is:unresolved level:error", sort="freq", visibility="owner"
    )
    assert (made.name, made.query, made.sort, made.visibility) == (
        "Prod errors",
        "is:unresolved level:error",
        "freq",
        "owner",
    )
    assert not made.is_global
    assert not made.is_pinned
    assert made.id in [s.id for s in await client.list_saved_searches(ORG)]
    assert made.id not in [s.id for s in await client.list_saved_searches(ORG, type=1)]

    with pytest.raises(BadRequest, match="already exists"):
        await client.create_saved_search(
            ORG, "again", "is:unresolved level:error", visibility="owner"
        )

    await client.delete_saved_search(ORG, made.id)
    assert made.id not in [s.id for s in await client.list_saved_searches(ORG)]
    with pytest.raises(NotFound):
        await client.delete_saved_search(ORG, made.id)


async def test_read_only_client_never_writes(make_client) -> None:
    async with make_client(read_only=True) as client:
        assert await client.list_saved_searches(ORG)  # reading is fine
        with pytest.raises(ReadOnlyError):
            await client.create_saved_search(ORG, "x", "is:unresolved")
        with pytest.raises(ReadOnlyError):
            await client.delete_saved_search(ORG, "1")
