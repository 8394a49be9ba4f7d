"""Export issues to CSV, JSON or Markdown — for the incident doc, a ticket or a spreadsheet.

Writing goes to a temporary file beside the target, then a rename, so a failed export never leaves
half a file where a good one was.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from dexter_tui.sentry.models import Issue

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


def _md_cell(value: Any) -> str:
    text = str(value).replace("\\", "\\\\").replace("|", "\\|")
    return " ".join(text.split())  # newlines would break the table


def render(issues: Sequence[Issue], fmt: ExportFormat) -> str:
    """The whole export as text."""
    data = rows(issues)
    names = [name for name, _ in COLUMNS]
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        for row in data:
            # a leading = + - @ would make spreadsheets evaluate untrusted text as a formula
            writer.writerow({k: _defuse(v) for k, v in row.items()})
        return buffer.getvalue()
    lines = ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]
    lines += ["| " + " | ".join(_md_cell(row[n]) for n in names) + " |" for row in data]
    return "\n".join(lines) + "\n"


def _defuse(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def write(issues: Sequence[Issue], path: Path, fmt: ExportFormat | None = None) -> Path:
    """Write `issues` to `path` atomically; the format comes from `fmt` or the file name."""
    fmt = fmt or format_for(path)
    if fmt is None:
        raise ValueError(f"{path.name}: choose a .csv, .json or .md file name")
    path = path.expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = render(issues, fmt)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
