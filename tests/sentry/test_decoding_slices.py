"""A long JSON list is validated in slices with turns of the event loop between them (a poll's
page of 100 issues no longer holds the UI in one go), with the same items and errors as
`parse_list`."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from dexter_tui.sentry.decoding import LIST_SLICE, parse_list, parse_list_in_slices
from dexter_tui.sentry.errors import BadResponse
from dexter_tui.sentry.models import Issue


def _response(body: object) -> httpx.Response:
    request = httpx.Request("GET", "https://sentry.example/api/0/organizations/acme/issues/")
    return httpx.Response(200, content=json.dumps(body).encode(), request=request)


async def test_items_come_in_order_and_the_loop_turns_between_slices() -> None:
    body = [{"id": str(n), "title": f"Error {n}", "count": str(n)} for n in range(100)]
    turns = 0

    async def ticker() -> None:
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0)  # the ticker starts
    started = turns
    items = await parse_list_in_slices(_response(body), Issue)
    ran = turns - started
    task.cancel()
    assert [i.id for i in items] == [str(n) for n in range(100)]
    assert items == parse_list(_response(body), Issue)
    assert ran >= 100 // LIST_SLICE - 1  # one turn between each two slices


async def test_a_bad_item_or_a_body_that_is_not_a_list_fails_like_parse_list() -> None:
    body = [{"id": str(n)} for n in range(60)] + [{"id": "60", "count": "many"}]
    with pytest.raises(BadResponse, match="count"):
        await parse_list_in_slices(_response(body), Issue)
    with pytest.raises(BadResponse, match="expected a JSON list"):
        await parse_list_in_slices(_response({"detail": "no"}), Issue)
