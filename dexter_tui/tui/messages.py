"""The typed messages screens use to talk to the app and to each other.

Why: a screen that wants another view to change (open an issue, search the list, switch projects)
posts one of these and the app routes it; a change to issues is applied to the app's one issue
store, which tells every screen with `IssuesChanged`. No screen calls another screen's methods,
reaches into the app's attributes or duck-types `getattr(self.app, …)`.

Requests bubble from the screen to the app (`bubble = True`, Textual's default); notifications the
app sends down to screens do not bubble back (`bubble = False`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from textual.message import Message

from dexter_tui.sentry.models import Issue
from dexter_tui.services.issues import IssueQuery


class OpenIssue(Message):
    """Show the event detail of `issue` (the latest event)."""

    def __init__(self, issue: Issue) -> None:
        super().__init__()
        self.issue = issue


class WorkFailed(Message):
    """A screen's background work failed: the app's one error handler says so (toast or modal)."""

    def __init__(self, error: BaseException | None) -> None:
        super().__init__()
        self.error = error


class SearchIssues(Message):
    """Show the issue list searching `query` (Sentry search syntax), e.g. from a tag row."""

    def __init__(self, query: str) -> None:
        super().__init__()
        self.query = query


class IssuesChanged(Message, bubble=False):
    """Issues changed in the store: `updated` by id (new versions), `removed` ids (deleted/merged).

    Sent by the app to every screen; each refreshes what it shows of these ids and nothing else.
    """

    def __init__(self, updated: Mapping[str, Issue], removed: Sequence[str] = ()) -> None:
        super().__init__()
        self.updated = dict(updated)
        self.removed = frozenset(removed)

    def touches(self, issue_id: str) -> bool:
        return issue_id in self.updated or issue_id in self.removed


class QueryChanged(Message):
    """The issue list's query changed; the app records it in `ctx.list_query` for the views
    that follow the list (deadlocks, analytics) to read instead of reaching into the list."""

    def __init__(self, query: IssueQuery) -> None:
        super().__init__()
        self.query = query
