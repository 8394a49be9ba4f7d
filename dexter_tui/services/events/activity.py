"""An issue's notes and activity timeline: readable labels, authors, which notes are mine."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from dexter_tui.sentry.models import Activity
from dexter_tui.services.events.text import as_text

ACTIVITY_LABELS = {
    "note": "commented",
    "first_seen": "first seen",
    "set_resolved": "marked resolved",
    "set_resolved_in_release": "resolved in release",
    "set_resolved_by_age": "auto-resolved (age)",
    "set_resolved_in_commit": "resolved in commit",
    "set_unresolved": "marked unresolved",
    "set_ignored": "archived/ignored",
    "set_regression": "regressed",
    "set_escalating": "escalating",
    "assigned": "assigned",
    "unassigned": "unassigned",
    "merge": "merged",
    "set_public": "made public",
    "set_private": "made private",
    "set_priority": "priority changed",
    "create_issue": "external issue created",
}


def activity_label(activity: Activity) -> str:
    """`assigned to Ana`, `resolved in release 1.2` — a readable line for one activity item."""
    label = ACTIVITY_LABELS.get(activity.type, activity.type.replace("_", " "))
    data = activity.data
    if activity.type == "assigned":
        who = data.get("assigneeName") or data.get("assigneeEmail") or data.get("assignee")
        if who:
            label += f" to {as_text(who)}"
    elif activity.type == "set_resolved_in_release" and data.get("version"):
        label += f" {as_text(data['version'])}"
    elif activity.type == "set_regression" and data.get("version"):
        label += f" in {as_text(data['version'])}"
    elif activity.type == "set_priority" and data.get("priority"):
        label += f" to {as_text(data['priority'])}"
    elif activity.type == "set_ignored":
        details = {k: v for k, v in data.items() if k.startswith("ignore") and v}
        if details:
            label += " (" + ", ".join(f"{k}={as_text(v)}" for k, v in details.items()) + ")"
    return label


def actor_name(activity: Activity) -> str:
    user = activity.user
    if user is None:
        return "Sentry"
    return user.name or user.email or user.username or f"user {user.id}"


def is_own(activity: Activity, me_id: str | None) -> bool:
    """A note the current user wrote (only those can be edited or deleted)."""
    return (
        activity.type == "note"
        and me_id is not None
        and activity.user is not None
        and activity.user.id == me_id
    )


def timeline(activities: Iterable[Activity]) -> list[Activity]:
    """Newest first, as Sentry lists them (ties keep the server's order)."""
    items = list(activities)
    floor = datetime.min.replace(tzinfo=None)
    return sorted(
        items,
        key=lambda a: a.date_created.replace(tzinfo=None) if a.date_created else floor,
        reverse=True,
    )
