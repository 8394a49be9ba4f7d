"""A poll's first page merged into a big loaded feed: only what changed is reported, in order.

The merge is pure (a page in, the feed's state and a `PollChanges` out), so these tests hand it
pages built from `Issue` models; the HTTP side of polling is in test_issue_feed.py.
"""

from __future__ import annotations

from dexter_tui.sentry.models import Issue
from dexter_tui.sentry.pagination import Page
from dexter_tui.services.issues import IssueFeed, IssueQuery
from dexter_tui.services.listed_issues import IssueMap, ListedIssue


def issue(n: int, count: int = 1, substatus: str = "ongoing") -> Issue:
    return Issue(
        id=str(n), short_id=f"API-{n}", title=f"Error {n}", count=count, substatus=substatus
    )


def loaded_feed(n: int) -> IssueFeed:
    feed = IssueFeed(None, "org", IssueQuery())  # type: ignore[arg-type]  # no request is sent
    feed.issues = IssueMap(feed.query.stats_key, [issue(i) for i in range(n)])
    feed.order = [str(i) for i in range(n)]
    feed.next_cursor = "0:100:0"
    return feed


def test_a_tick_with_nothing_new_reports_nothing_and_keeps_the_order() -> None:
    feed = loaded_feed(1000)
    order = feed.order
    changes = feed.merge_first_page(Page([issue(i) for i in range(100)], next_cursor="0:100:0"))
    assert not changes.any
    assert feed.order is order  # not even rebuilt


def test_new_and_updated_issues_go_first_without_a_reorder() -> None:
    feed = loaded_feed(1000)
    page = [issue(5000), issue(5001)] + [issue(i, count=7 if i == 3 else 1) for i in range(98)]
    changes = feed.merge_first_page(Page(page, next_cursor="0:100:0"))
    assert changes.new == ["5000", "5001"]
    assert changes.updated == ["3"]
    assert not changes.reordered
    assert feed.order[:3] == ["5000", "5001", "0"]
    assert len(feed.order) == 1002
    assert feed.issues["3"].count == 7


def test_an_issue_moving_to_the_top_reorders() -> None:
    feed = loaded_feed(1000)
    page = [issue(700, count=9, substatus="regressed")] + [issue(i) for i in range(99)]
    changes = feed.merge_first_page(Page(page, next_cursor="0:100:0"))
    assert changes.reordered
    assert changes.regressed == ["700"]
    assert feed.order[:2] == ["700", "0"]
    assert feed.order.count("700") == 1
    assert feed.order == ["700"] + [str(i) for i in range(1000) if i != 700]


def test_a_last_first_page_removes_what_no_longer_matches() -> None:
    feed = loaded_feed(5)
    changes = feed.merge_first_page(Page([issue(0), issue(2), issue(4)]))
    assert changes.removed == ["1", "3"]
    assert not changes.reordered  # the rest kept its order
    assert feed.order == ["0", "2", "4"]
    assert feed.next_cursor is None


def test_loaded_issues_are_kept_slim_and_parse_back_equal() -> None:
    feed = loaded_feed(3)
    key = feed.query.stats_key
    full = Issue.model_validate(
        {
            "id": "77",
            "shortId": "API-77",
            "title": "KeyError: 'sku'",
            "culprit": "cart.add",
            "level": "warning",
            "status": "unresolved",
            "substatus": "regressed",
            "project": {"id": "2", "slug": "checkout-api", "name": "Checkout"},
            "assignedTo": {"type": "team", "id": "5", "name": "payments"},
            "metadata": {"type": "KeyError", "value": "'sku'"},
            "count": "123456789012",
            "userCount": 4,
            "firstSeen": "2026-11-01T10:00:00.123456Z",
            "lastSeen": "2026-11-18T04:00:00Z",
            "stats": {key: [[1795000000, 3], [1795003600, 0], [1795007200, 70000]]},
            "isBookmarked": True,
        }
    )
    feed.issues["77"] = full
    listed = feed.listed("77")
    assert isinstance(listed, ListedIssue)
    assert not hasattr(listed, "__dict__")  # slots only
    assert listed.buckets == [3, 0, 70000]
    assert (listed.short_id, listed.count, listed.is_bookmarked) == ("API-77", 123456789012, True)
    assert listed.project is not None
    assert listed.project.slug == "checkout-api"
    assert listed.last_seen == full.last_seen
    assert feed.priority(listed) == feed.priority(full)
    for n in range(2000):  # push it out of the parsed cache: the next read parses it back
        feed.issues[str(10_000 + n)] = issue(10_000 + n)
    again = feed.issues["77"]
    assert again is not full
    assert again == full


def test_the_order_is_patched_in_place_when_issues_arrive_or_move() -> None:
    """100k ids are not copied per tick: the feed's order list stays the same object."""
    feed = loaded_feed(1000)
    order = feed.order
    feed.merge_first_page(Page([issue(5000)] + [issue(i) for i in range(99)], "0:100:0"))
    assert feed.order is order
    assert order[:2] == ["5000", "0"]
    page = [issue(800, count=3)] + [issue(5000)] + [issue(i) for i in range(98)]
    changes = feed.merge_first_page(Page(page, next_cursor="0:100:0"))
    assert changes.reordered
    assert feed.order is order
    assert order[:3] == ["800", "5000", "0"]
    assert order.count("800") == 1
    assert len(order) == 1001


def test_issues_moving_up_from_deep_down_keep_every_other_id_in_order(monkeypatch) -> None:
    """Ids found deeper than `NEAR` are deleted one by one, the rest rebuilt: the same order."""
    from dexter_tui.services import issues as feed_module

    monkeypatch.setattr(feed_module, "NEAR", 10)
    feed = loaded_feed(300)
    moved = [250, 5, 120, 30]
    page = [issue(m, count=2) for m in moved] + [issue(i) for i in range(96) if i not in moved]
    changes = feed.merge_first_page(Page(page, next_cursor="0:100:0"))
    assert changes.reordered
    ids = [p.id for p in page]
    assert feed.order == ids + [str(i) for i in range(300) if str(i) not in set(ids)]
