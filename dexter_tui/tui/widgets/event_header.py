"""The event screen's header: what broke, where, for whom, since when, and which event is shown."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from dexter_tui.sentry.models import Event, Issue
from dexter_tui.services.events import EventNavigator, issue_status
from dexter_tui.tui.issue_rows import compact, level_text, relative
from dexter_tui.tui.widgets.event_text import shown


def _absolute(when: datetime | None) -> str:
    return when.strftime("%Y-%m-%d %H:%M UTC") if when else "—"


def _seen(label: str, when: datetime | None, now: float) -> Text:
    return Text.assemble(
        (f"{label} ", "dim"), f"{relative(when, now)} ago ", (_absolute(when), "dim")
    )


def header_text(
    issue: Issue, nav: EventNavigator, event: Event | None, now: float, mask: bool
) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    text.append_text(level_text(issue.level))
    text.append(" ")
    text.append_text(shown(issue.short_id, False, "bold"))
    text.append("  ")
    text.append_text(shown(issue.title, mask, "bold"))
    text.append("\n")
    if issue.culprit:
        text.append_text(shown(issue.culprit, mask, "italic"))
        text.append(" · ")
    text.append(issue_status(issue), "bold")
    if issue.priority:
        text.append(f" · priority {issue.priority}")
    who = issue.assigned_to
    text.append(" · ")
    if who is None:
        text.append("unassigned", "dim")
    else:
        text.append("→ ")
        text.append_text(shown(("#" if who.type == "team" else "") + (who.name or who.id), mask))
    if issue.is_bookmarked:
        text.append(" · ★ bookmarked")
    text.append("\n")
    text.append(f"{compact(issue.count)} events · {compact(issue.user_count)} users · ")
    text.append_text(_seen("first", issue.first_seen, now))
    text.append(" · ")
    text.append_text(_seen("last", issue.last_seen, now))
    text.append("\n")
    first = issue.first_release.version if issue.first_release else None
    last = issue.last_release.version if issue.last_release else None
    text.append("releases ", "dim")
    text.append_text(shown(first or "—", False))
    text.append(" → ")
    text.append_text(shown(last or "—", False))
    if issue.permalink:
        text.append(" · ")
        text.append_text(shown(issue.permalink, False, "underline"))
    text.append("\n")
    text.append(nav.describe(), "bold reverse")
    if mask:
        text.append(" ")
        text.append("PII masked", "bold reverse")
    if event is not None:
        text.append(" ")
        text.append_text(shown(event.event_id or event.id, False))
        text.append(f" · {_absolute(event.date_created)}")
        env = event.tag("environment")
        if env:
            text.append(" · env ")
            text.append_text(shown(env, mask))
        release = event.tag("release")
        if release:
            text.append(" · ")
            text.append_text(shown(release, False))
    text.append("   n/N newer/older · L/O/R latest/oldest/recommended · E list", "dim")
    return text
