"""A listed issue keeps its distinct fields out of its compressed blob and still parses back to
the very issue it was made from, whatever the fields look like (odd series, other stats keys,
sub-second times); `same_as` tells a poll whether anything at all changed."""

from __future__ import annotations

import random

from dexter_tui.sentry.models import Issue
from dexter_tui.services.listed_issues import IssueMap


def payload(n: int, rng: random.Random) -> dict:
    start = 1_795_000_000 + rng.randrange(0, 3600 * 24) * 3600
    step = rng.choice([3600, 3600, 86400, 1800])  # 1800: not Sentry's step, kept in the blob
    return {
        "id": str(n),
        "shortId": f"API-{n:X}",
        "title": rng.choice(["KeyError: 'sku'", "Timeout\nin db", "[bold]x[/]", "ÄÖ ünïcode"]),
        "culprit": rng.choice([None, "cart.add", f"views.v{n}"]),
        "permalink": f"https://sentry.example/issues/{n}/",
        "level": rng.choice(["error", "warning", "fatal", "info"]),
        "status": rng.choice(["unresolved", "resolved", "ignored"]),
        "substatus": rng.choice([None, "new", "ongoing", "regressed", "escalating"]),
        "project": {"id": "2", "slug": "checkout-api", "name": "Checkout"},
        "assignedTo": rng.choice([None, {"type": "team", "id": "5", "name": "payments"}]),
        "metadata": {"type": "KeyError", "value": f"v{n}"},
        "count": str(rng.choice([rng.randrange(0, 2**40), 2**70])),  # 2**70: beyond 64 bits
        "userCount": rng.randrange(0, 5000),
        "firstSeen": rng.choice([None, "2026-11-01T10:00:00.123456Z", "2026-11-02T10:00:00Z"]),
        "lastSeen": rng.choice([None, "2026-11-18T04:00:00.000001Z", "2026-11-18T04:05:00Z"]),
        "stats": rng.choice(
            [
                {},
                {"24h": [[start + i * step, rng.randrange(0, 70_000)] for i in range(24)]},
                {
                    "24h": [[start + i * step, rng.random() * 5] for i in range(3)],
                    "14d": [[start + i * 86400, 2**33] for i in range(14)],
                },
            ]
        ),
        "isBookmarked": rng.random() < 0.5,
        "hasSeen": rng.random() < 0.5,
    }


def test_every_issue_parses_back_equal_after_leaving_the_parsed_cache() -> None:
    rng = random.Random(19)
    for stats_key in ("24h", "14d"):
        issues = [Issue.model_validate(payload(n, rng)) for n in range(300)]
        store = IssueMap(stats_key, issues)
        for issue in issues:
            store._parsed.clear()
            assert store[issue.id] == issue
            listed = store.listed(issue.id)
            assert (listed.title, listed.culprit, listed.count) == (
                issue.title,
                issue.culprit,
                issue.count,
            )
            series = issue.stats.get(stats_key) or []
            assert listed.buckets == [max(0, int(n)) for _t, n in series]


def test_same_as_tells_any_change_apart() -> None:
    rng = random.Random(3)
    base = payload(7, rng)
    store = IssueMap("24h")
    first = store.make(Issue.model_validate(base))
    assert first.same_as(store.make(Issue.model_validate(base)))
    for field, value in (
        ("count", "999999999"),
        ("lastSeen", "2027-01-01T00:00:00Z"),
        ("metadata", {"type": "KeyError", "value": "other"}),
        ("permalink", "https://sentry.example/issues/other/"),
        ("hasSeen", not base["hasSeen"]),
    ):
        changed = store.make(Issue.model_validate({**base, field: value}))
        assert not first.same_as(changed), field


def test_fresh_finds_an_unchanged_issue_without_encoding_and_any_change_with() -> None:
    """A poll's page is compared by `IssueMap.fresh`: None for an issue exactly as stored (the
    fast path, no new encoding), a new listed form for any difference, rare forms included."""
    rng = random.Random(5)
    for stats_key in ("24h", "14d"):
        payloads = [payload(n, rng) for n in range(200)]
        store = IssueMap(stats_key, [Issue.model_validate(p) for p in payloads])
        for base in payloads:
            assert store.fresh(Issue.model_validate(base)) is None, base["id"]
            before = store.listed(base["id"])
            for field, value in (
                ("count", "999999999"),
                ("userCount", 123456),
                ("title", "changed"),
                ("culprit", "elsewhere"),
                ("substatus", "regressed" if base["substatus"] != "regressed" else "new"),
                ("firstSeen", "2027-01-01T00:00:00.5Z"),
                ("lastSeen", "2027-01-01T00:00:00Z"),
                ("stats", {stats_key: [[1_795_000_000, 1], [1_795_003_600, 2]]}),
                ("metadata", {"type": "KeyError", "value": "other"}),
                ("numComments", 4),
                ("statusDetails", {"inRelease": "1.2.3"}),
                ("assignedTo", {"type": "user", "id": "9", "name": "Ana"}),
                ("isBookmarked", not base["isBookmarked"]),
            ):
                changed = Issue.model_validate({**base, field: value})
                listed = store.fresh(changed)
                assert listed is not None, (base["id"], field)
                assert not listed.same_as(before)
            assert store.listed(base["id"])._packed is before._packed  # comparing stores nothing


def test_fresh_gives_a_listed_form_for_an_issue_not_stored() -> None:
    store = IssueMap("24h", [Issue(id="1", title="a")])
    listed = store.fresh(Issue(id="2", title="b"))
    assert listed is not None
    assert listed.title == "b"
    assert "2" not in store


def test_texts_of_any_shape_are_kept_exactly_in_the_packed_bytes() -> None:
    """Short id, title and culprit live as UTF-8 inside the packed bytes: lone surrogates, NULs,
    empty and very long texts, a culprit of "" versus none all read back as they were."""
    shapes = ["", "\x00", "\ud800 lone", "emoji 🐍 ÄÖ", "[bold]x[/]\n\x1b[31m", "t" * 70_000]
    store = IssueMap("24h")
    for n, text in enumerate(shapes):
        for culprit in (None, "", text):
            issue = Issue(id=str(n), short_id=text, title=text[::-1], culprit=culprit, count=2**70)
            listed = store.make(issue)
            assert (listed.short_id, listed.title, listed.culprit) == (text, text[::-1], culprit)
            assert listed.search_texts() == (text, text[::-1], culprit or "")
            assert (listed.count, listed.user_count) == (2**70, 0)
            store[issue.id] = issue
            store._parsed.clear()
            assert store[issue.id] == issue
            assert store.fresh(issue) is None
