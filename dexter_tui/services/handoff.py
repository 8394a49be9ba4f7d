"""Incident hand-off: an issue as Markdown for the incident channel, or its top frame as path:line.

Why: an on-call engineer posting "what broke" should not retype it from the browser. The summary
holds what the channel asks first — title, short id and link, level, status, first/last seen,
events and users (in the list's period and lifetime), environments and releases affected, the top
in-app frame with its source line, the latest breadcrumbs.

Everything in it comes from event data or Sentry, i.e. from whoever holds a DSN: inline values go
through `sanitize.md_cell` (one line, no HTML, no links, `|` escaped) and the source line sits in
a fenced block longer than any backtick run it holds; `clipboard_text` then makes the whole text
visible-only (no raw escapes), the same policy as every other copy.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.models import Event, Frame, Issue, TagDetail
from dexter_tui.services.events.breadcrumbs import breadcrumb_views, format_offset
from dexter_tui.services.sanitize import clipboard_text, md_cell, visible

#: breadcrumbs the summary lists (the latest ones, oldest of them first)
CRUMBS = 5
#: values listed per affected tag (environments, releases)
AFFECTED = 5


@dataclass(frozen=True)
class TopFrame:
    """The crash site in the application's code: the last in-app frame of the raised exception."""

    path: str
    line_no: int | None
    function: str
    source: str  # the source line at `line_no`, "" when the event has no context

    @property
    def path_line(self) -> str:
        return f"{self.path}:{self.line_no}" if self.line_no is not None else self.path


@dataclass
class HandoffData:
    """What the summary is made of; gathered once (`gather`), then rendered without I/O."""

    issue: Issue
    event: Event | None = None
    tags: Sequence[TagDetail] = field(default_factory=list)
    period: str | None = None  # the stats window to count in; None: the one the issue has


def top_frame(event: Event | None) -> TopFrame | None:
    """The last in-app frame of the last (raised) exception; else its last frame; else None."""
    data = event.exception if event is not None else None
    if data is None or not data.values:
        return None
    for value in reversed(data.values):
        frames: list[Frame] = list(value.stacktrace.frames) if value.stacktrace else []
        if not frames:
            continue
        in_app = [f for f in frames if f.in_app]
        frame = (in_app or frames)[-1]
        source = next((text or "" for n, text in frame.context if n == frame.line_no), "")
        return TopFrame(
            path=frame.filename or frame.abs_path or frame.module or "?",
            line_no=frame.line_no,
            function=frame.function or "",
            source=source.strip(),
        )
    return None


def frame_path_line(event: Event | None) -> str | None:
    """`path:line` of the top in-app frame (what an editor or `git blame` takes), or None."""
    frame = top_frame(event)
    return clipboard_text(frame.path_line, multiline=False) if frame else None


def _when(value: datetime | None) -> str:
    if value is None:
        return "—"
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _number(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _period_events(issue: Issue, period: str | None) -> tuple[int | None, str]:
    """(events, window) in the stats window (`24h`/`14d`…): the sum of the issue's series."""
    key = period if period in issue.stats else next(iter(issue.stats), None)
    if key is None:
        return None, period or "24h"
    return int(sum(count for _ts, count in issue.stats[key])), key


def _affected(tags: Sequence[TagDetail], key: str) -> str:
    detail = next((t for t in tags if t.key == key), None)
    if detail is None or not detail.top_values:
        return "—"
    values = list(detail.top_values)
    total = detail.total_values or sum(v.count or 0 for v in values) or 0
    parts = []
    for tv in values[:AFFECTED]:
        share = f" ({(tv.count or 0) * 100 / total:.0f}%)" if total else ""
        parts.append(f"{md_cell(tv.value)}{share}")
    more = (detail.unique_values or len(values)) - len(parts)
    if more > 0:
        parts.append(f"+{more} more")
    return ", ".join(parts)


def _status(issue: Issue) -> str:
    return issue.status + (f" ({issue.substatus})" if issue.substatus else "")


def _fence(text: str) -> str:
    """A code fence longer than any backtick run in `text` (so nothing inside can close it)."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def summary_markdown(data: HandoffData) -> str:
    """The hand-off summary, ready to paste into a Markdown chat (see the module doc)."""
    issue, event = data.issue, data.event
    lifetime = issue.lifetime
    life_events = lifetime.count if lifetime and lifetime.count is not None else issue.count
    life_users = lifetime.user_count if lifetime and lifetime.user_count is not None else None
    users_now = issue.filtered.user_count if issue.filtered else issue.user_count
    events_now, window = _period_events(issue, data.period)
    lines = [
        f"### {md_cell(issue.short_id)}: {md_cell(issue.title)}",
        "",
        f"- **Link:** {md_cell(issue.permalink) if issue.permalink else '—'}",
        f"- **Level:** {md_cell(issue.level)}",
        f"- **Status:** {md_cell(_status(issue))}",
        f"- **Priority:** {md_cell(issue.priority or '—')}",
        f"- **First seen:** {_when(issue.first_seen)}",
        f"- **Last seen:** {_when(issue.last_seen)}",
        f"- **Events:** {_number(events_now)} in {md_cell(window)}"
        f" · {_number(life_events)} lifetime",
        f"- **Users:** {_number(users_now)} now · {_number(life_users or issue.user_count)}"
        " lifetime",
        f"- **Environments:** {_affected(data.tags, 'environment')}",
        f"- **Releases:** {_affected(data.tags, 'release')}",
    ]
    if event is not None:
        lines.append(f"- **Event:** {md_cell(event.event_id or event.id)}")
    frame = top_frame(event)
    if frame is not None:
        where = md_cell(frame.path_line) + (
            f" in {md_cell(frame.function)}" if frame.function else ""
        )
        lines += ["", f"**Top in-app frame:** {where}"]
        if frame.source:
            source = visible(frame.source)
            fence = _fence(source)
            lines += [fence, source, fence]
    crumbs = breadcrumb_views(event)[-CRUMBS:] if event is not None else []
    if crumbs:
        lines += ["", f"**Latest breadcrumbs** (last {len(crumbs)}, oldest first):"]
        for crumb in crumbs:
            text = " ".join(p for p in (crumb.category, crumb.message or crumb.data) if p)
            lines.append(f"- {format_offset(crumb.offset)} {md_cell(text)}")
    return clipboard_text("\n".join(lines) + "\n")


async def gather(
    client: SentryClient,
    org: str,
    issue: Issue,
    *,
    event: Event | None = None,
    period: str | None = None,
) -> HandoffData:
    """The latest event (unless given) and the issue's tag distribution: two requests at most."""
    if event is None or not event.entries:
        event = await client.get_issue_event(org, issue.id, "latest")
    tags = await client.list_issue_tags(org, issue.id)
    return HandoffData(issue, event, tags, period)
