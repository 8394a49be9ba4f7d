"""Issue actions as data: what each bulk verb sends to Sentry and how to undo it.

Screens pick an action and a selection; `bulk.py` sends it. Keeping the payloads here (and only
here) means the list, the detail screen and the tests agree on what "ignore for 2h" means.
Recipes follow Sentry's bulk-update API (see SENTRY_API.md §4.1).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from dexter_tui.sentry.models import Issue

IgnoreKind = Literal["forever", "until_escalating", "duration", "count", "users"]


@dataclass(frozen=True)
class IgnoreSpec:
    """One choice of the ignore menu."""

    kind: IgnoreKind
    minutes: int | None = None  # duration, or the window for count/users
    count: int | None = None  # N more events / N users

    def describe(self) -> str:
        match self.kind:
            case "forever":
                return "forever"
            case "until_escalating":
                return "until escalating"
            case "duration":
                return f"for {format_minutes(self.minutes or 0)}"
            case "count":
                return f"until {self.count} more events"
            case "users":
                return f"until {self.count} more users"


IGNORE_DURATIONS = (30, 120, 1440, 10080)  # 30m, 2h, 24h, 7d


def format_minutes(minutes: int) -> str:
    if minutes % 1440 == 0:
        return f"{minutes // 1440}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


@dataclass(frozen=True)
class Assignee:
    """A user or team an issue can be assigned to (`user:<user id>` / `team:<team id>`)."""

    kind: Literal["user", "team"]
    id: str
    name: str
    email: str | None = None

    @property
    def actor(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def label(self) -> str:
        return f"#{self.name}" if self.kind == "team" else self.name


@dataclass(frozen=True)
class IssueAction:
    """A verb applied to a set of issues, with the body sent in one bulk PUT (or a DELETE)."""

    verb: str
    label: str  # "Resolve" — for confirmations: "Resolve 3 issues?"
    past: str  # "Resolved" — for toasts: "Resolved 3/4"
    payload: Mapping[str, Any] = field(default_factory=dict)
    method: Literal["PUT", "DELETE"] = "PUT"
    destructive: bool = False  # always confirmed
    min_issues: int = 1
    undoable: bool = True


def resolve() -> IssueAction:
    return IssueAction("resolve", "Resolve", "Resolved", {"status": "resolved"})


def resolve_in_next_release() -> IssueAction:
    return IssueAction(
        "resolve_next_release",
        "Resolve in next release",
        "Resolved in next release",
        {"status": "resolved", "statusDetails": {"inNextRelease": True}},
    )


def unresolve() -> IssueAction:
    return IssueAction("unresolve", "Unresolve", "Unresolved", {"status": "unresolved"})


def ignore(spec: IgnoreSpec) -> IssueAction:
    payload: dict[str, Any] = {"status": "ignored"}
    match spec.kind:
        case "forever":
            payload |= {"substatus": "archived_forever", "statusDetails": {}}
        case "until_escalating":
            payload |= {"substatus": "archived_until_escalating", "statusDetails": {}}
        case "duration":
            payload |= {
                "substatus": "archived_until_condition_met",
                "statusDetails": {"ignoreDuration": spec.minutes},
            }
        case "count":
            details: dict[str, Any] = {"ignoreCount": spec.count}
            if spec.minutes:
                details["ignoreWindow"] = spec.minutes
            payload |= {"substatus": "archived_until_condition_met", "statusDetails": details}
        case "users":
            details = {"ignoreUserCount": spec.count}
            if spec.minutes:
                details["ignoreUserWindow"] = spec.minutes
            payload |= {"substatus": "archived_until_condition_met", "statusDetails": details}
    return IssueAction("ignore", f"Ignore {spec.describe()}", "Ignored", payload)


def assign(assignee: Assignee) -> IssueAction:
    return IssueAction(
        "assign", f"Assign to {assignee.label}", "Assigned", {"assignedTo": assignee.actor}
    )


def unassign() -> IssueAction:
    return IssueAction("unassign", "Unassign", "Unassigned", {"assignedTo": ""})


def bookmark(on: bool = True) -> IssueAction:
    if on:
        return IssueAction("bookmark", "Bookmark", "Bookmarked", {"isBookmarked": True})
    return IssueAction("unbookmark", "Remove bookmark", "Unbookmarked", {"isBookmarked": False})


def mark_seen() -> IssueAction:
    return IssueAction("mark_seen", "Mark seen", "Marked seen", {"hasSeen": True})


PRIORITIES = ("high", "medium", "low")


def set_priority(priority: str) -> IssueAction:
    """Sentry's issue priority (bulk PUT `priority`); a manual set locks it against auto-changes."""
    if priority not in PRIORITIES:
        raise ValueError(f"priority must be one of {', '.join(PRIORITIES)}")
    return IssueAction(
        "priority", f"Set priority {priority}", f"Set to {priority}", {"priority": priority}
    )


def merge() -> IssueAction:
    return IssueAction("merge", "Merge", "Merged", {"merge": True}, min_issues=2, undoable=False)


def delete() -> IssueAction:
    return IssueAction(
        "delete", "Delete", "Deleted", method="DELETE", destructive=True, undoable=False
    )


def merge_problem(issues: Sequence[Issue]) -> str | None:
    """Why Sentry would refuse to merge these issues (a 400 after the confirm), or None."""
    projects = sorted({(i.project.slug or i.project.id) if i.project else "?" for i in issues})
    if len(projects) > 1:
        return (
            f"Cannot merge across projects ({', '.join(projects)}): "
            "Sentry merges issues of one project only"
        )
    return None


@dataclass(frozen=True)
class IssueState:
    """The parts of an issue a bulk action can change — what undo puts back."""

    status: str
    substatus: str | None
    status_details: Mapping[str, Any]
    assignee: str | None  # actor string "user:1" / "team:2", or None
    is_bookmarked: bool
    has_seen: bool
    priority: str | None = None
    in_inbox: bool = False  # Sentry's "for review" (GroupInbox): resolve and ignore drop it


#: unresolved substatuses undo sends back (Sentry's default on unresolve is `ongoing`)
KEPT_SUBSTATUSES = ("new", "regressed", "escalating")


def lost_on_undo(before: IssueState, action: IssueAction) -> str | None:
    """What undo cannot put back on an issue that was `before` (Sentry has no field for it)."""
    if not set(action.payload) & {"status", "substatus", "statusDetails"}:
        return None
    if before.status == "resolved" and before.status_details.get("inCommit"):
        return "resolved in a commit (now resolved)"
    return None


def restore_payload(before: IssueState, action: IssueAction) -> dict[str, Any]:
    """The body that puts back what `action` changed on an issue that was `before`."""
    changed = set(action.payload)
    body: dict[str, Any] = {}
    if changed & {"status", "substatus", "statusDetails"}:
        body["status"] = before.status
        if before.status == "ignored":
            body["substatus"] = before.substatus
            body["statusDetails"] = {
                k: v for k, v in before.status_details.items() if not k.startswith("_")
            }
        elif before.status == "resolved" and before.status_details.get("inNextRelease"):
            body["statusDetails"] = {"inNextRelease": True}
        elif before.status == "resolved" and before.status_details.get("inRelease"):
            body["statusDetails"] = {"inRelease": before.status_details["inRelease"]}
        elif before.status == "unresolved" and before.substatus in KEPT_SUBSTATUSES:
            body["substatus"] = before.substatus  # the N / R / E flag
        if before.status == "unresolved" and before.in_inbox:
            body["inbox"] = True  # Sentry took it out of "for review"; unresolving does not
    if "assignedTo" in changed:
        body["assignedTo"] = before.assignee or ""
    if "isBookmarked" in changed:
        body["isBookmarked"] = before.is_bookmarked
    if "hasSeen" in changed:
        body["hasSeen"] = before.has_seen
    if "priority" in changed and before.priority:
        body["priority"] = before.priority
    return body


def undo_plan(
    before: Mapping[str, IssueState], action: IssueAction, ids: Iterable[str]
) -> list[tuple[dict[str, Any], list[str]]]:
    """Group the issues `action` changed by the body that restores them: one request per group."""
    if not action.undoable:
        raise ValueError(f"{action.label} cannot be undone")
    groups: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for issue_id in ids:
        body = restore_payload(before[issue_id], action)
        key = repr(sorted(body.items()))
        groups.setdefault(key, (body, []))[1].append(issue_id)
    return list(groups.values())


def resolve_in_release(version: str) -> IssueAction:
    """Resolved in a given release: an event from a later release reopens the issue."""
    return IssueAction(
        "resolve_in_release",
        f"Resolve in {version}",
        f"Resolved in {version}",
        {"status": "resolved", "statusDetails": {"inRelease": version}},
    )
