"""Link header parsing and the page iterator (pure parts; over HTTP in test_client_live.py)."""

from __future__ import annotations

import httpx

from dexter_tui.sentry.pagination import Page, cursor_of, iterate_pages, parse_link_header

#: the example from Sentry's pagination docs (SENTRY_API.md §2.1)
SENTRY_LINK = (
    "<https://sentry.io/api/0/organizations/acme/issues/123/events/?&cursor=0:0:1>; "
    'rel="previous"; results="false"; cursor="0:0:1", '
    "<https://sentry.io/api/0/organizations/acme/issues/123/events/?&cursor=0:100:0>; "
    'rel="next"; results="true"; cursor="0:100:0"'
)


def test_parse_sentry_link_header_both_rels() -> None:
    links = parse_link_header(SENTRY_LINK)
    assert links["next"]["results"] == "true"
    assert links["next"]["cursor"] == "0:100:0"
    assert links["previous"]["results"] == "false"
    assert links["next"]["url"].endswith("cursor=0:100:0")


def test_parse_agrees_with_httpx() -> None:
    response = httpx.Response(200, headers={"Link": SENTRY_LINK})
    ours = parse_link_header(SENTRY_LINK)
    for rel, theirs in response.links.items():
        assert ours[rel]["url"] == theirs["url"]
        assert ours[rel]["cursor"] == theirs["cursor"]


def test_urls_with_commas_and_semicolons_in_query() -> None:
    url = "https://x/api/0/o/acme/events/?field=count_if(a,b,1)"
    value = (
        f'<{url}&query=a%3Bb&cursor=0:0:1>; rel="previous"; results="false"; cursor="0:0:1", '
        f'<{url}&cursor=0:50:0>; rel="next"; results="true"; cursor="0:50:0"'
    )
    links = parse_link_header(value)
    assert links["next"]["cursor"] == "0:50:0"
    assert "count_if(a,b,1)" in links["next"]["url"]


def test_cursor_from_url_when_parameter_missing() -> None:
    links = parse_link_header(
        '<https://x/api/0/p/?a=1&cursor=1420837533:0:0>; rel="next"; results="true"'
    )
    assert cursor_of(links["next"]) == "1420837533:0:0"


def test_empty_and_garbage_headers() -> None:
    assert parse_link_header(None) == {}
    assert parse_link_header("") == {}
    assert parse_link_header("not a link") == {}


def test_page_follows_next_only_while_results_true() -> None:
    headers = httpx.Headers({"Link": SENTRY_LINK, "X-Hits": "1234", "X-Max-Hits": "1000"})
    page = Page.from_headers([1, 2], headers)
    assert page.next_cursor == "0:100:0"
    assert page.prev_cursor is None
    assert page.hits == 1234
    assert page.max_hits == 1000
    last = Page.from_headers(
        [], httpx.Headers({"Link": SENTRY_LINK.replace('results="true"', 'results="false"')})
    )
    assert last.next_cursor is None
    assert not last.has_next
    assert Page.from_headers([], httpx.Headers()).hits is None


async def test_iterate_pages_stops_at_last_page_and_at_cap() -> None:
    calls: list[str | None] = []

    async def fetch(cursor: str | None) -> Page[int]:
        calls.append(cursor)
        n = 0 if cursor is None else int(cursor)
        return Page(items=[n], next_cursor=str(n + 1) if n < 4 else None)

    pages = [p async for p in iterate_pages(fetch, max_pages=10)]
    assert [p.items[0] for p in pages] == [0, 1, 2, 3, 4]
    assert calls == [None, "1", "2", "3", "4"]
    capped = [p async for p in iterate_pages(fetch, max_pages=2)]
    assert len(capped) == 2


async def test_iterate_pages_stops_on_a_repeated_cursor() -> None:
    async def fetch(cursor: str | None) -> Page[int]:
        return Page(items=[1], next_cursor="same")

    pages = [p async for p in iterate_pages(fetch, max_pages=50)]
    assert len(pages) == 2
