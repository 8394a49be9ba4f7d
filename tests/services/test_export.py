"""Exports keep every row, escape what would break the format, and never leave half a file."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from dexter_tui.sentry.models import Issue
from dexter_tui.services import export


def _issue(n: int, **kw) -> Issue:
    raw = {
        "id": str(n),
        "shortId": f"CHECKOUT-API-{n}",
        "title": f"KeyError: 'item_{n}'",
        "culprit": "checkout.cart in add_item",
        "level": "error",
        "status": "unresolved",
        "count": str(10 * n),
        "userCount": n,
        "firstSeen": "2026-11-20T10:00:00Z",
        "lastSeen": "2026-11-27T09:00:00.5Z",
        "project": {"id": "1", "slug": "checkout-api", "name": "Checkout API"},
        "assignedTo": {"type": "team", "id": "2", "name": "payments"},
    }
    raw.update(kw)
    return Issue.model_validate(raw)


def test_csv_round_trips_and_defuses_formulas(tmp_path: Path) -> None:
    issues = [_issue(1), _issue(2, title='=HYPERLINK("http://x")'), _issue(3, title="a,b\nc")]
    path = export.write(issues, tmp_path / "out.csv")
    with path.open(newline="", encoding="utf-8") as f:
        got = list(csv.DictReader(f))
    assert [r["short_id"] for r in got] == ["CHECKOUT-API-1", "CHECKOUT-API-2", "CHECKOUT-API-3"]
    assert got[1]["title"] == '\'=HYPERLINK("http://x")'
    assert got[2]["title"] == "a,b\nc"
    assert got[0]["events"] == "10"
    assert got[0]["assignee"] == "#payments"
    assert got[0]["last_seen"] == "2026-11-27T09:00:00.500000Z"


def test_json_is_a_list_of_objects(tmp_path: Path) -> None:
    path = export.write([_issue(1), _issue(2)], tmp_path / "out.json")
    data = json.loads(path.read_text("utf-8"))
    assert [d["events"] for d in data] == [10, 20]
    assert data[0]["project"] == "checkout-api"


def test_markdown_escapes_pipes_and_newlines(tmp_path: Path) -> None:
    path = export.write([_issue(1, title="a | b\nc")], tmp_path / "out.md")
    lines = path.read_text("utf-8").splitlines()
    assert len(lines) == 3
    assert "a \\| b c" in lines[2]
    assert lines[2].count(" | ") == len(export.COLUMNS) - 1


def test_unknown_extension_is_refused_and_old_file_kept(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("keep me")
    with pytest.raises(ValueError, match=r"\.csv, \.json or \.md"):
        export.write([_issue(1)], target)
    assert target.read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]
