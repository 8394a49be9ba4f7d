"""Exports keep every row, escape what would break the format, and never leave half a file."""

from __future__ import annotations

import csv
import io
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


# -- hostile text (issue 18, items 3-4) -----------------------------------------------------------

FORMULA = ("=", "+", "-", "@", "＝", "＋", "－", "＠", "\t")
HOSTILE_TITLE = 'ok\r=HYPERLINK("http://evil")\n＝1+1\x1b]52;c;ZXZpbA==\x07 \u202eabc \x00'


def _physical_lines(raw: bytes) -> list[str]:
    return raw.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n").split("\n")


def test_csv_quotes_everything_and_no_line_starts_a_formula(tmp_path: Path) -> None:
    issues = [_issue(1, title=HOSTILE_TITLE, culprit="a;=cmd|' /C calc'!A0")]
    raw = export.write(issues, tmp_path / "out.csv").read_bytes()
    assert raw.count(b"\r\n") == 2  # header and one record, each ended by CRLF
    assert b"\x1b" not in raw
    assert b"\x07" not in raw
    assert b"\x00" not in raw
    assert "\u202e".encode() not in raw
    for line in _physical_lines(raw):
        assert not line.startswith(FORMULA), line
        assert line == "" or line.startswith(('"', "'")), line
    header, record = list(csv.reader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert header[1] == "title"
    assert record[1] == ("ok\n'=HYPERLINK(\"http://evil\")\n'＝1+1␛]52;c;ZXZpbA==␇ \\u202eabc ␀")
    assert record[2] == "a;'=cmd|' /C calc'!A0"
    # a `;` locale splits at every semicolon: no piece may start a formula
    for row in csv.reader(io.StringIO(raw.decode("utf-8"), newline=""), delimiter=";"):
        assert not any(cell.startswith(FORMULA) for cell in row)


def test_csv_defuses_full_width_formula_at_the_start(tmp_path: Path) -> None:
    raw = export.render([_issue(1, title="＠SUM(A1)"), _issue(2, title="-2+3")], "csv")
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    assert rows[1][1] == "'＠SUM(A1)"
    assert rows[2][1] == "'-2+3"
    assert rows[1][7] == "10"  # numbers stay numbers


def test_markdown_is_inert_html_links_and_escapes(tmp_path: Path) -> None:
    title = "<img src=x onerror=alert(1)> [click](javascript:alert(1)) \x1b[31mred\x1b]8;;x\x07"
    text = export.write([_issue(1, title=title)], tmp_path / "out.md").read_text("utf-8")
    assert "<img" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in text
    assert "](javascript:" not in text
    assert "javascript:" not in text
    assert "\\[click\\](javascript&#58;alert(1))" in text
    assert "\x1b" not in text
    assert "\x07" not in text
    assert "␛\\[31mred␛\\]8;;x␇" in text


def test_json_escapes_controls_and_round_trips(tmp_path: Path) -> None:
    title = "a\x1b[2J\u202e\x9b\u200bz"
    raw = export.write([_issue(1, title=title)], tmp_path / "out.json").read_text("utf-8")
    assert not any(c in raw for c in "\x1b\u202e\x9b\u200b")
    assert "\\u202e" in raw
    assert json.loads(raw)[0]["title"] == title  # lossless


def test_discover_export_is_the_same_path(tmp_path: Path) -> None:
    from dexter_tui.services import discover

    assert discover.write_export is export.write_rows
    rows = [{"title": "=1+1\x1b", "count()": float("nan"), "n": 2**70, "tags": {"a": "\u202e"}}]
    columns = ["title", "count()", "n", "tags"]
    text = export.render_rows(columns, rows, "json")
    data = json.loads(text, parse_constant=lambda c: pytest.fail(f"raw {c} in JSON"))
    assert data[0]["count()"] == "NaN"
    assert data[0]["n"] == 2**70
    parsed = list(csv.reader(io.StringIO(export.render_rows(columns, rows, "csv"), newline="")))
    assert parsed[1] == ["'=1+1␛", "NaN", str(2**70), '{"a":"\\u202e"}']
