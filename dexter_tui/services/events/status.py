"""The issue status line of the event header."""

from __future__ import annotations

from dexter_tui.sentry.models import Issue


def issue_status(issue: Issue) -> str:
    """`unresolved (regressed)`, `ignored (archived_until_escalating)`…"""
    status = issue.status
    if issue.substatus and issue.substatus not in (status, "ongoing"):
        return f"{status} ({issue.substatus})"
    return status
