"""Export issues and Discover rows to CSV, JSON or Markdown — for an incident doc or a spreadsheet.

The one export path (issue list and Discover): every value goes through `sanitize` (formula guard,
visible control characters, inert Markdown) and the file through `local_files.write_atomic`, so a
failed export never leaves half a file where a good one was.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from dexter_tui.sentry.models import Issue
from dexter_tui.services.local_files import write_atomic
from dexter_tui.services.sanitize import csv_cell, json_text, md_cell

ExportFormat = Literal["csv", "json", "md"]
FORMATS: tuple[ExportFormat, ...] = ("csv", "json", "md")

#: (column name, how to read it from an issue)
COLUMNS: list[tuple[str, Callable[[Issue], Any]]] = [
    ("short_id", lambda i: i.short_id),
    ("title", lambda i: i.title),
    ("culprit", lambda i: i.culprit or ""),
    ("level", lambda i: i.level),
    ("status", lambda i: i.status),
    ("substatus", lambda i: i.substatus or ""),
    ("project", lambda i: i.project.slug if i.project else ""),
    ("events", lambda i: i.count),
    ("users", lambda i: i.user_count),
    ("first_seen", lambda i: _iso(i.first_seen)),
    ("last_seen", lambda i: _iso(i.last_seen)),
    ("assignee", lambda i: _assignee(i)),
    ("bookmarked", lambda i: i.is_bookmarked),
    ("id", lambda i: i.id),
    ("permalink", lambda i: i.permalink or ""),
]


def _iso(value: datetime | None) -> str:
    return value.isoformat().replace("+00:00", "Z") if value else ""


def _assignee(issue: Issue) -> str:
    who = issue.assigned_to
    if who is None:
        return ""
    name = who.name or who.email or who.id
    return f"#{name}" if who.type == "team" else name


def format_for(path: Path) -> ExportFormat | None:
    """Guess the format from a file name (`.csv`, `.json`, `.md`/`.markdown`)."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix == "markdown":
        return "md"
    return suffix if suffix in FORMATS else None  # type: ignore[return-value]


def rows(issues: Iterable[Issue]) -> list[dict[str, Any]]:
    return [{name: get(issue) for name, get in COLUMNS} for issue in issues]


def render_rows(columns: Sequence[str], data: Sequence[Mapping[str, Any]], fmt: str) -> str:
    """Rows as CSV, JSON or Markdown text — every value through `sanitize` (see its rules)."""
    if fmt == "json":
        return json_text([{c: row.get(c) for c in columns} for row in data], indent=2) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        # every field quoted, CRLF records: a bare CR or a `;` locale cannot split a cell
        writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow([csv_cell(c) for c in columns])
        for row in data:
            writer.writerow([csv_cell(row.get(c)) for c in columns])
        return buffer.getvalue()
    if fmt != "md":
        raise ValueError(f"unknown export format {fmt!r}")
    lines = ["| " + " | ".join(md_cell(c) for c in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(md_cell(row.get(c)) for c in columns) + " |" for row in data]
    return "\n".join(lines) + "\n"


def render(issues: Sequence[Issue], fmt: ExportFormat) -> str:
    """The whole issue export as text."""
    return render_rows([name for name, _ in COLUMNS], rows(issues), fmt)


def write_rows(
    columns: Sequence[str], data: Sequence[Mapping[str, Any]], path: Path, fmt: str | None = None
) -> Path:
    """Write rows atomically (0600); the format comes from `fmt` or the file name."""
    fmt = fmt or format_for(path)
    if fmt not in FORMATS:
        raise ValueError(f"{path.name}: choose a .csv, .json or .md file name")
    return write_atomic(path, render_rows(columns, data, fmt))


def write(issues: Sequence[Issue], path: Path, fmt: ExportFormat | None = None) -> Path:
    """Write `issues` to `path` atomically; the format comes from `fmt` or the file name."""
    return write_rows([name for name, _ in COLUMNS], rows(issues), path, fmt)
