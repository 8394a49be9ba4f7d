"""The preview pane (`p`): culprit, first/last seen, assignee, status of the cursor issue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.text import Text
from textual.widgets import Static

from dexter_tui.sentry.models import Issue
from dexter_tui.tui.issue_rows import assignee_label, level_text, relative
from dexter_tui.tui.safe_text import safe_text


def _when(value: datetime | None, now: float) -> str:
    if value is None:
        return "—"
    return f"{relative(value, now)} ago ({value.strftime('%Y-%m-%d %H:%M')} UTC)"


class IssuePreview(Static):
    """Hidden until toggled; shows what the list row has no room for."""

    DEFAULT_CSS = """
    IssuePreview {
        height: auto; max-height: 8; display: none; padding: 0 1;
        border-top: solid $primary; background: $surface;
    }
    """

    def __init__(self, clock: Callable[[], float], *, id: str | None = None):
        super().__init__(id=id)
        self.clock = clock

    def show_issue(
        self,
        issue: Issue | None,
        detail: Issue | None = None,
        in_period: tuple[str, int] | None = None,
    ) -> None:
        """Show `issue`; `detail` (the issue's detail response, when loaded) adds releases;
        `in_period` (period, events in it) what the list's EVENTS column shows."""
        if not self.display:
            return
        if issue is None:
            self.update("No issue under the cursor.")
            return
        now = self.clock()
        text = Text()
        text.append_text(level_text(issue.level))
        text.append(" ")
        text.append_text(safe_text(issue.short_id, "bold"))
        text.append(" ")
        text.append_text(safe_text(issue.title))
        text.append("\nculprit: ", style="dim")
        text.append_text(safe_text(issue.culprit or "—"))
        text.append("\nstatus: ", style="dim")
        text.append(issue.status + (f" ({issue.substatus})" if issue.substatus else ""))
        text.append(" · assignee: ", style="dim")
        text.append_text(safe_text(assignee_label(issue) or "nobody"))
        text.append(" · project: ", style="dim")
        text.append_text(safe_text(issue.project.slug if issue.project else "—"))
        text.append("\nfirst seen: ", style="dim")
        text.append(_when(issue.first_seen, now))
        text.append(" · last seen: ", style="dim")
        text.append(_when(issue.last_seen, now))
        text.append(f"\n{issue.count} events · {issue.user_count} users (lifetime)", style="dim")
        if in_period is not None:
            text.append(f" · {in_period[1]} events in {in_period[0]}", style="dim")
        text.append(" · releases: ", style="dim")
        if detail is None:
            text.append("…", style="dim")
        else:
            first = detail.first_release.version if detail.first_release else "—"
            last = detail.last_release.version if detail.last_release else "—"
            text.append_text(safe_text(f"first {first} · last {last}"))
        value = issue.metadata.get("value") or issue.metadata.get("title")
        if value:
            text.append("\nmessage: ", style="dim")
            text.append_text(safe_text(str(value)[:300]))
        self.update(text)
