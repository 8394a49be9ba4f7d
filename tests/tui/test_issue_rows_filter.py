"""Issue rows and the `/` filter over many rows: the table's chunked search text (sealed in
slices, with rows replaced and removed in between) gives exactly what a plain scan with
`matches_text` gives, typing forwards, backwards and with a sort on; an `IssueRow` shows and
sorts by what its issue says."""

from __future__ import annotations

import random

from dexter_tui.sentry.models import Issue
from dexter_tui.services.issues import priority_of
from dexter_tui.services.listed_issues import IssueMap
from dexter_tui.tui import issue_rows
from dexter_tui.tui.issue_rows import issue_row, matches_text, text_filter
from dexter_tui.tui.safe_text import safe_text
from dexter_tui.tui.widgets import search_store
from dexter_tui.tui.widgets.table_model import TableModel

WORDS = ["KeyError", "timeout", "Deadlock", "api", "ÄÖ", "sku", "db", "x[/]", "Ünï"]
NOW = 1_795_100_000.0


def make_issue(n: int, rng: random.Random, version: int = 0) -> Issue:
    return Issue.model_validate(
        {
            "id": str(n),
            "shortId": f"API-{n:X}",
            "title": " ".join(rng.sample(WORDS, 3)) + ("\nline two" if n % 7 == 0 else ""),
            "culprit": rng.choice([None, "cart.add", f"views.{rng.choice(WORDS)}"]),
            "assignedTo": rng.choice([None, {"type": "team", "id": "5", "name": "Payments"}]),
            "count": str(rng.randrange(1, 90_000) + version),
            "userCount": rng.randrange(0, 500),
            "lastSeen": "2026-11-18T04:00:00Z",
            "firstSeen": "2026-11-01T04:00:00Z",
            "stats": {"24h": [[NOW - 3600 * (23 - h), rng.randrange(9)] for h in range(24)]},
        }
    )


def test_the_filter_agrees_with_matches_text_while_rows_change(monkeypatch) -> None:
    monkeypatch.setattr(search_store, "CHUNK", 16)  # many chunks, some partly dead
    rng = random.Random(19)
    store = IssueMap("24h")
    prio = lambda issue: priority_of(issue, "24h", NOW)  # noqa: E731

    def row(issue: Issue):
        store[issue.id] = issue
        return issue_row(store.listed(issue.id), "24h", NOW, prio, "24h")

    model = TableModel()
    order = [str(n) for n in range(400)]
    model.replace([row(make_issue(n, rng)) for n in range(400)], track_new=False)
    model.seal_search(100)  # part sealed, the rest pending
    next_n = 400
    for round_ in range(12):
        sort = round_ % 3 == 1
        model.sort_column = "events" if sort else None
        model.sort_reverse = round_ % 2 == 0
        model.recompute()
        # a poll in between: changed, new and removed rows
        changed = [row(make_issue(int(k), rng, version=round_ + 1)) for k in rng.sample(order, 5)]
        new = [row(make_issue(n, rng)) for n in range(next_n, next_n + 3)]
        next_n += 3
        gone = rng.sample([k for k in order if k not in {r.key for r in changed}], 4)
        for key in gone:
            store.discard(key)
        order = [r.key for r in new] + [k for k in order if k not in gone]
        model.update(new + changed, removed=gone)
        model.seal_search(rng.choice([0, 7, 1000]))
        if round_ % 4 == 2:
            while not model.prime_filter(rng.choice([1, 100])):  # lines lined up ahead of `/`
                pass
        elif round_ % 4 == 3:
            model.release_filter()
        typed = rng.choice(["KEYERR api", "timeout  d", "äö sku", "x[/] pay", "ünï api-1"])
        steps = [typed[:i] for i in range(1, len(typed) + 1)]
        steps += [typed[:i] for i in range(len(typed) - 1, 0, -1)]  # and back
        for step, needle in enumerate(steps):
            if round_ % 4 == 0 and step == 3:
                model.prime_filter()  # lined up while typing (a key before the slices finished)
            words = [w for w in needle.split() if ":" not in w]
            model.set_filter(text_filter(needle) if words else None)
            shown = [r.key for r in model.visible]
            expected = [k for k in order if matches_text(store.listed(k), needle)]
            if sort:
                ref = TableModel()
                ref.replace([model.get(k) for k in expected], track_new=False)
                ref.sort_column, ref.sort_reverse = "events", model.sort_reverse
                ref.recompute()
                expected = [r.key for r in ref.visible]
            assert shown == expected, (round_, needle)
        model.set_filter(None)
    # every stored row left is a live one once the store compacts
    model.seal_search()
    model.search.compact(lambda r: model.get(r.key) is r)
    assert model.search.stored == model.row_count


def test_an_issue_row_shows_and_sorts_by_its_issue() -> None:
    rng = random.Random(5)
    store = IssueMap("24h")
    issue = make_issue(42, rng)
    store[issue.id] = issue
    listed = store.listed(issue.id)
    prio = lambda i: priority_of(i, "24h", NOW)  # noqa: E731
    clock = lambda: NOW  # noqa: E731
    row = issue_row(listed, "24h", clock, prio, "24h")
    other = issue_row(listed, "24h", clock, prio, "24h")
    assert row.data._packed is listed._packed  # the row keeps the stored bytes, no copy
    assert row.key == "42"
    assert not row.dim
    cells = {key: text.plain for key, text in row.get_cells().items()}
    assert cells["short_id"] == "API-2A"
    assert cells["title"] == safe_text(issue.title).plain
    expected_events = issue_rows.period_events(issue, "24h", "24h", NOW)
    assert cells["events"] == issue_rows.compact(expected_events)
    assert cells["priority"] == f"{priority_of(issue, '24h', NOW).total:.0f}"
    assert row.sort_value("events") == expected_events
    assert row.sort_value("users") == issue.user_count
    assert row.sort_value("last_seen") == issue.last_seen.timestamp()  # type: ignore[union-attr]
    assert row.sort_value("priority") == priority_of(issue, "24h", NOW).total
    assert row.sort_value("title") == cells["title"].casefold()
    assert "\n" not in row.search
    assert row.search == issue_rows.haystack(issue)
    assert row._view is not None
    assert other._view is row._view  # one view shared by the list's rows
