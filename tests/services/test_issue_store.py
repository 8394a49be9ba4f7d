"""The app's one issue store: keyed by id, tells its listeners exactly which ids changed."""

from __future__ import annotations

from dexter_tui.sentry.models import Issue
from dexter_tui.services.issue_store import IssueStore


def _issue(issue_id: str, status: str = "unresolved") -> Issue:
    return Issue.model_validate(
        {"id": issue_id, "shortId": f"API-{issue_id}", "title": "t", "status": status}
    )


def test_apply_updates_removes_and_tells_each_listener_once() -> None:
    store = IssueStore()
    store.put([_issue("1"), _issue("2"), _issue("3")])
    heard: list[tuple[dict[str, Issue], list[str]]] = []
    store.subscribe(lambda updated, removed: heard.append((updated, removed)))

    store.apply({"1": _issue("1", "resolved")}, ["2"])

    assert len(heard) == 1
    updated, removed = heard[0]
    assert set(updated) == {"1"}
    assert removed == ["2"]
    assert store.get("1").status == "resolved"
    assert "2" not in store
    assert "3" in store
    assert store.newest(_issue("1")).status == "resolved"
    assert store.newest(_issue("9")).id == "9"  # unknown ids come back as given


def test_an_empty_outcome_tells_no_one() -> None:
    store = IssueStore()
    heard: list[object] = []
    store.subscribe(lambda *args: heard.append(args))
    store.apply({}, [])
    assert heard == []
    assert len(store) == 0
