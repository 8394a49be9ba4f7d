"""Action payloads match Sentry's recipes, and undo restores exactly what was changed."""

from __future__ import annotations

import pytest

from dexter_tui.services import actions
from dexter_tui.services.actions import Assignee, IgnoreSpec, IssueState


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (IgnoreSpec("forever"), {"substatus": "archived_forever", "statusDetails": {}}),
        (
            IgnoreSpec("until_escalating"),
            {"substatus": "archived_until_escalating", "statusDetails": {}},
        ),
        (
            IgnoreSpec("duration", minutes=120),
            {"substatus": "archived_until_condition_met", "statusDetails": {"ignoreDuration": 120}},
        ),
        (
            IgnoreSpec("count", count=100, minutes=60),
            {
                "substatus": "archived_until_condition_met",
                "statusDetails": {"ignoreCount": 100, "ignoreWindow": 60},
            },
        ),
        (
            IgnoreSpec("users", count=10),
            {"substatus": "archived_until_condition_met", "statusDetails": {"ignoreUserCount": 10}},
        ),
    ],
)
def test_ignore_recipes(spec: IgnoreSpec, expected: dict) -> None:
    assert actions.ignore(spec).payload == {"status": "ignored", **expected}


def test_labels_name_the_choice() -> None:
    assert actions.ignore(IgnoreSpec("duration", minutes=1440)).label == "Ignore for 1d"
    assert actions.ignore(IgnoreSpec("count", count=5)).label == "Ignore until 5 more events"
    team = Assignee("team", "7", "payments")
    assert actions.assign(team).payload == {"assignedTo": "team:7"}
    assert actions.assign(team).label == "Assign to #payments"
    assert actions.merge().min_issues == 2
    assert actions.delete().destructive
    assert actions.delete().method == "DELETE"


def _state(**kw) -> IssueState:
    base = {
        "status": "unresolved",
        "substatus": "ongoing",
        "status_details": {},
        "assignee": None,
        "is_bookmarked": False,
        "has_seen": False,
    }
    base.update(kw)
    return IssueState(**base)


def test_undo_groups_issues_by_their_previous_state() -> None:
    before = {
        "1": _state(),
        "2": _state(),
        "3": _state(
            status="ignored",
            substatus="archived_until_condition_met",
            status_details={"ignoreCount": 5, "_countAtIgnore": 3},
        ),
    }
    plan = actions.undo_plan(before, actions.resolve(), ["1", "2", "3"])
    assert sorted((sorted(ids), body) for body, ids in plan) == [
        (["1", "2"], {"status": "unresolved"}),
        (
            ["3"],
            {
                "status": "ignored",
                "substatus": "archived_until_condition_met",
                "statusDetails": {"ignoreCount": 5},
            },
        ),
    ]


def test_undo_restores_only_the_changed_fields() -> None:
    before = {"1": _state(assignee="user:4", is_bookmarked=True)}
    [(body, ids)] = actions.undo_plan(before, actions.unassign(), ["1"])
    assert ids == ["1"]
    assert body == {"assignedTo": "user:4"}
    [(body, _)] = actions.undo_plan(before, actions.bookmark(False), ["1"])
    assert body == {"isBookmarked": True}
    [(body, _)] = actions.undo_plan(
        {"1": _state()}, actions.assign(Assignee("user", "2", "b")), "1"
    )
    assert body == {"assignedTo": ""}


def test_merge_and_delete_cannot_be_undone() -> None:
    with pytest.raises(ValueError, match="cannot be undone"):
        actions.undo_plan({"1": _state()}, actions.delete(), ["1"])
