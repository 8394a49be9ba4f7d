"""Undo puts back the unresolved substatus and says plainly what Sentry did not take back."""

from __future__ import annotations

from dexter_tui.sentry.models import BulkUpdateResponse
from dexter_tui.services import actions
from dexter_tui.services.actions import IssueState
from dexter_tui.services.bulk import BulkOutcome, kept_back


def _state(**kw: object) -> IssueState:
    base: dict[str, object] = {
        "status": "unresolved",
        "substatus": "new",
        "status_details": {},
        "assignee": None,
        "is_bookmarked": False,
        "has_seen": False,
    }
    return IssueState(**(base | kw))  # type: ignore[arg-type]


def test_undo_of_a_resolve_sends_the_new_regressed_and_escalating_flags_back() -> None:
    before = {"1": _state(), "2": _state(substatus="regressed"), "3": _state(substatus="ongoing")}
    plan = actions.undo_plan(before, actions.resolve(), ["1", "2", "3"])
    assert sorted((ids, body) for body, ids in ((b, tuple(i)) for b, i in plan)) == sorted(
        [
            (("1",), {"status": "unresolved", "substatus": "new"}),
            (("2",), {"status": "unresolved", "substatus": "regressed"}),
            (("3",), {"status": "unresolved"}),
        ],
        key=lambda pair: pair[0],
    )


def test_a_release_resolution_is_put_back_and_a_commit_one_is_named_as_lost() -> None:
    released = _state(status="resolved", substatus=None, status_details={"inRelease": "1.2"})
    [(body, _)] = actions.undo_plan({"1": released}, actions.unresolve(), ["1"])
    assert body == {"status": "resolved", "statusDetails": {"inRelease": "1.2"}}
    committed = _state(status="resolved", substatus=None, status_details={"inCommit": {"id": "a"}})
    assert actions.lost_on_undo(committed, actions.unresolve()) == (
        "resolved in a commit (now resolved)"
    )
    assert actions.lost_on_undo(committed, actions.bookmark()) is None


def test_a_substatus_sentry_did_not_take_is_reported_not_counted_as_restored() -> None:
    asked = {"status": "unresolved", "substatus": "new"}
    assert kept_back(asked, [BulkUpdateResponse(status="unresolved", substatus="new")]) is None
    lost = kept_back(asked, [BulkUpdateResponse(status="unresolved", substatus="ongoing")])
    assert lost == "Sentry set substatus ongoing, not new"
    undo = actions.IssueAction("undo", "Undo Resolve", "Restored", {})
    outcome = BulkOutcome(undo, ["1", "2"], succeeded=["1", "2"], not_restored={"2": lost})
    assert outcome.summary == (
        "Restored 2/2 issues — 1 not as before: Sentry set substatus ongoing, not new"
    )


def test_undo_puts_an_issue_back_into_for_review_only_if_it_was_there() -> None:
    """Sentry drops an issue from the inbox when it is resolved or ignored and unresolving does
    not add it back: undo asks for `inbox: true` for the ones that were "for review"."""
    before = {"1": _state(in_inbox=True), "2": _state(substatus="ongoing")}
    plan = {
        tuple(ids): body
        for body, ids in actions.undo_plan(
            before, actions.ignore(actions.IgnoreSpec("forever")), ["1", "2"]
        )
    }
    assert plan == {
        ("1",): {"status": "unresolved", "substatus": "new", "inbox": True},
        ("2",): {"status": "unresolved"},
    }
    [(body, _)] = actions.undo_plan(before, actions.bookmark(), ["1"])
    assert "inbox" not in body  # a bookmark never took it out
