"""One keyed store of issues for the whole app: the newest version of each issue we know.

Why: the list, the event detail and a release's detail all show issues. When an action changes
some of them, its outcome goes here once and every view that shows those ids is told (the TUI turns
the callback into an `IssuesChanged` message); no view patches another. Keyed by issue id, holding
references only, so keeping every loaded issue costs a dict entry each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from dexter_tui.sentry.models import Issue

Listener = Callable[[dict[str, Issue], list[str]], None]


class IssueStore:
    """Issues by id; `apply` records a change and tells every listener which ids it touched."""

    def __init__(self) -> None:
        self._issues: dict[str, Issue] = {}
        self._listeners: list[Listener] = []

    def __len__(self) -> int:
        return len(self._issues)

    def __contains__(self, issue_id: object) -> bool:
        return issue_id in self._issues

    def get(self, issue_id: str) -> Issue | None:
        return self._issues.get(issue_id)

    def newest(self, issue: Issue) -> Issue:
        """`issue`, or the newer version the store holds for its id."""
        return self._issues.get(issue.id, issue)

    def put(self, issues: Iterable[Issue]) -> None:
        """Remember issues a view loaded (no one is told: nothing changed)."""
        for issue in issues:
            self._issues[issue.id] = issue

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def apply(self, updated: Mapping[str, Issue], removed: Sequence[str] = ()) -> None:
        """Record an action's outcome (new versions, deleted/merged ids) and tell the listeners."""
        changed = dict(updated)
        gone = [i for i in removed if i not in changed]
        if not changed and not gone:
            return
        self._issues.update(changed)
        for issue_id in gone:
            self._issues.pop(issue_id, None)
        for listener in list(self._listeners):
            listener(changed, gone)
