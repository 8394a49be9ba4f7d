"""How `dexter issues list` prints issues: plain lines, JSON lines, CSV, Markdown or a template.

Every writer takes one page at a time so `--all` streams (the first line appears after the first
request). Untrusted text never reaches the terminal raw: plain lines and templates show control
characters visibly (as the TUI does), JSON escapes everything outside ASCII, and CSV/Markdown go
through the export service's sanitiser (the same files the TUI exports).
"""

from __future__ import annotations

import json
import string
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TextIO

from dexter_tui.commands.session import EXIT_USAGE, CommandError, plain
from dexter_tui.sentry.models import Issue
from dexter_tui.services.issue_records import issue_record

Record = Callable[[Issue], dict[str, Any]]


def ago(moment: datetime | None, now: float) -> str:
    """'5m', '3h', '2d' — how long ago, compactly."""
    if moment is None:
        return "-"
    seconds = max(0.0, now - moment.timestamp())
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


def dumps(value: Any) -> str:
    """JSON for a terminal or a pipe: ASCII only, so no control or bidi character is raw."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"))


class Writer:
    """Writes issues page by page to `out`."""

    def __init__(self, record: Record, out: TextIO | None = None) -> None:
        self.record = record
        self.out = out or sys.stdout
        self.count = 0

    def page(self, issues: Sequence[Issue]) -> None:
        text = self.render(issues)
        if text:
            self.out.write(text)
            self.out.flush()
        self.count += len(issues)

    def render(self, issues: Sequence[Issue]) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def finish(self) -> None:
        """Called once after the last page (even when there was none)."""


class JsonLines(Writer):
    """One JSON object per line (`jq -s .` makes an array)."""

    def render(self, issues: Sequence[Issue]) -> str:
        return "".join(dumps(self.record(i)) + "\n" for i in issues)


class PlainLines(Writer):
    """SHORT ID, level, status, events, users, priority, last seen, title: for people."""

    def __init__(self, record: Record, out: TextIO | None = None, *, now: float | None = None):
        super().__init__(record, out)
        self.now = now or time.time()
        self._header = False

    def render(self, issues: Sequence[Issue]) -> str:
        lines = []
        if not self._header:
            lines.append(
                f"{'SHORT ID':<18} {'LEVEL':<7} {'STATUS':<10} {'EVENTS':>7} {'USERS':>6} "
                f"{'PRIO':>4} {'SEEN':>4}  TITLE"
            )
            self._header = True
        for issue in issues:
            score = self.record(issue)["dexter"]["priority"]["score"]
            lines.append(
                f"{plain(issue.short_id):<18} {plain(issue.level):<7} {plain(issue.status):<10} "
                f"{issue.count:>7} {issue.user_count:>6} {score:>4.0f} "
                f"{ago(issue.last_seen, self.now):>4}  {plain(issue.title)}"
            )
        return "".join(line + "\n" for line in lines)


class Exported(Writer):
    """CSV or Markdown through the export service; its header is written once."""

    def __init__(self, record: Record, fmt: str, out: TextIO | None = None) -> None:
        super().__init__(record, out)
        self.fmt = fmt
        self._header_done = False

    def render(self, issues: Sequence[Issue]) -> str:
        from dexter_tui.services import export

        if not issues:
            return ""
        text = export.render(list(issues), self.fmt)  # type: ignore[arg-type]
        if self._header_done:
            skip = 1 if self.fmt == "csv" else 2  # the CSV header / the Markdown header + rule
            text = text.split("\n", skip)[skip] if text.count("\n") > skip else ""
        self._header_done = True
        return text

    def finish(self) -> None:
        if not self._header_done:  # no issue at all: still a valid, empty table
            from dexter_tui.services import export

            text = export.render([], self.fmt)  # type: ignore[arg-type]
            self.out.write(text)
            self.out.flush()


class _Fields(dict):
    def __missing__(self, key: str) -> Any:
        known = ", ".join(sorted(k for k in self if not k.startswith("_")))
        raise CommandError(f"--format: no field {{{key}}}; fields: {known}", EXIT_USAGE)


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return plain(value)
    if isinstance(value, Mapping):
        return _Fields({k: _clean(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return "" if value is None else value


def check_template(template: str) -> None:
    """Refuse a malformed template before anything is fetched."""
    try:
        list(string.Formatter().parse(template))
    except ValueError as exc:
        raise CommandError(f"--format: {exc}", EXIT_USAGE) from None


class Template(Writer):
    """`--format '{shortId} {title}'`: any field of the JSON record; `{score}` is dexter's."""

    def __init__(self, record: Record, template: str, out: TextIO | None = None) -> None:
        super().__init__(record, out)
        check_template(template)
        self.template = template

    def render(self, issues: Sequence[Issue]) -> str:
        lines = []
        for issue in issues:
            data = self.record(issue)
            fields = _clean(data)
            fields["score"] = data["dexter"]["priority"]["score"]
            try:
                lines.append(self.template.format_map(fields))
            except (IndexError, KeyError, AttributeError, ValueError, TypeError) as exc:
                raise CommandError(f"--format: {exc}", EXIT_USAGE) from None
        return "".join(line + "\n" for line in lines)


def writer_for(args: Any, stats_key: str, now: float, out: TextIO | None = None) -> Writer:
    def record(issue: Issue) -> dict[str, Any]:
        return issue_record(issue, stats_key, now)

    if getattr(args, "json", False):
        return JsonLines(record, out)
    if getattr(args, "csv", False):
        return Exported(record, "csv", out)
    if getattr(args, "md", False):
        return Exported(record, "md", out)
    if getattr(args, "format", None):
        return Template(record, args.format, out)
    return PlainLines(record, out, now=now)
