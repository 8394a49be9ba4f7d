"""Fault suite: hostile event data and a misbehaving server, end to end through the services.

Anyone with a project's DSN (public in every browser app) can put any text into titles, messages,
tags and release names; a server (or a proxy in front of it) can fail, cut answers short, or echo
what it was sent. Every scenario here runs against the demo server over real HTTP and asserts what
issue 18 asks of everything that leaves dexter — exports, the clipboard, the action log, messages:
no crash, nothing interpreted (no raw escape, bidi control, formula, HTML or link), nothing lost
(every issue and every per-id outcome is there, lossless where the format allows), credentials
never shown, and a message a person can act on.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from dexter_tui.demo.ingest import ingest_event
from dexter_tui.demo.server import ServerOptions
from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.errors import NetworkError
from dexter_tui.sentry.models import Issue
from dexter_tui.services import actions, export
from dexter_tui.services.action_log import ActionLog
from dexter_tui.services.bulk import UNKNOWN, BulkService
from dexter_tui.services.discover import DiscoverQuery, DiscoverSession, write_export
from dexter_tui.services.sanitize import clipboard_text, visible
from tests.tui.conftest import make_app, settle  # noqa: F401 - make_app is a fixture

#: One of each shape of hostile text (written for these tests).
HOSTILE: dict[str, str] = {
    "markup": "[/]x [bold red]boom[/] [link=https://evil.example]click[/link]",
    "ansi": "\x1b[31mred\x1b[0m\x1b[2J\x1b[H",
    "osc52": "copy \x1b]52;c;ZXZpbCBjb21tYW5k\x07 done",
    "osc8": "\x1b]8;;https://evil.example\x1b\\a link\x1b]8;;\x1b\\",
    "bidi": "invoice\u202egpj.exe\u202c \u2066isolated\u2069 \u200fmark",
    "zero_width": "ad\u200bmin\ufeff\u2060",
    "nul_bel_del": "a\x00b\x07c\x7fd",
    "c1": "\x9b31m 8-bit CSI \x85",
    "crlf_formula": 'ok\r=HYPERLINK("http://evil.example","x")\n+1',
    "full_width": "＝1+1 ＋2 －3 ＠SUM(A1)",
    "semicolon": "a;=cmd|' /C calc'!A0",
    "html": "<img src=x onerror=alert(1)><script>alert(2)</script>",
    "links": "[click](javascript:alert(1)) [ok](https://example.com) data:text/html,x",
    "long_line": "L" * 1_000_000,
}

#: Characters that must never appear raw in anything dexter writes or copies.
RAW = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2069\ufeff\ud800-\udfff]"
)
FORMULA = ("=", "+", "-", "@", "\t", "＝", "＋", "－", "＠")


def assert_inert(text: str, *, crlf_ok: bool = False) -> None:
    body = text.replace("\r\n", "\n") if crlf_ok else text
    found = RAW.search(body)
    assert found is None, f"raw {found.group()!r} at {found.start()}"


def assert_csv_inert(raw: str, rows: int) -> list[list[str]]:
    assert_inert(raw, crlf_ok=True)
    assert "\r" not in raw.replace("\r\n", "")  # no bare CR a spreadsheet would split on
    for line in raw.replace("\r\n", "\n").split("\n"):
        assert not line.startswith(FORMULA), line[:80]
    for piece in re.split(r"[;\n]", raw):  # a `;` locale splits at every semicolon
        assert not piece.lstrip('"').startswith(FORMULA[:4] + FORMULA[5:]), piece[:80]
    parsed = list(csv.reader(io.StringIO(raw, newline="")))
    assert len(parsed) == rows + 1
    return parsed


def assert_md_inert(text: str, rows: int) -> None:
    assert_inert(text)
    assert "<" not in text
    assert ">" not in text
    assert "](" not in text.replace("\\](", "")
    assert not re.search(r"(?i)(javascript|data|vbscript):", text)
    assert len(text.splitlines()) == rows + 2


def assert_json_inert(text: str) -> Any:
    assert_inert(text.replace("\n", ""))
    return json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} is not JSON"))


# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def hostile_issues(store, world) -> dict[str, str]:
    """One issue per hostile shape (exception value, message, tag and culprit), by shape name."""
    project = next(iter(world.projects.values()))
    ids = {}
    for n, (name, text) in enumerate(HOSTILE.items()):
        event = {
            "event_id": f"{n + 1:032x}",
            "level": "error",
            "platform": "python",
            "transaction": text[:200],
            "exception": {"values": [{"type": f"Hostile{n}Error", "value": text}]},
            "tags": {"shape": name, "evil": text[:200]},
            "release": "1.0",
        }
        _, group_id = ingest_event(store, project.project_id, event)
        ids[name] = str(group_id)
    return ids


@pytest.fixture
async def client(live_server, world) -> AsyncIterator[SentryClient]:
    async def no_sleep(_: float) -> None:
        return None

    async with SentryClient(live_server.url, world.token, sleep=no_sleep) as c:
        yield c


async def _all_issues(client: SentryClient, org: str) -> list[Issue]:
    issues: list[Issue] = []
    async for page in client.iter_issues(org, query=""):
        issues.extend(page.items)
    return issues


# -- exports and the clipboard -------------------------------------------------------------------


async def test_issue_exports_of_hostile_events_are_inert_and_complete(
    client, world, hostile_issues, tmp_path: Path
) -> None:
    issues = await _all_issues(client, world.org_slug)
    assert {i.id for i in issues} >= set(hostile_issues.values())
    n = len(issues)

    parsed = assert_csv_inert(export.write(issues, tmp_path / "i.csv").read_text("utf-8"), n)
    assert [row[0] for row in parsed[1:]] == [i.short_id for i in issues]  # nothing lost

    assert_md_inert(export.write(issues, tmp_path / "i.md").read_text("utf-8"), n)

    data = assert_json_inert(export.write(issues, tmp_path / "i.json").read_text("utf-8"))
    assert [d["title"] for d in data] == [i.title for i in issues]  # lossless
    assert any("\x1b]52" in d["title"] for d in data)


async def test_discover_export_of_hostile_rows_nan_huge_ints_and_depth(
    client, world, hostile_issues, tmp_path: Path
) -> None:
    session = DiscoverSession(client, world.org_slug)
    results = await session.run(DiscoverQuery(fields=("title", "transaction", "count()")))
    assert results.error is None
    assert len(results.rows) >= len(HOSTILE)
    deep: Any = "bottom"
    for _ in range(500):
        deep = {"d": deep}
    odd = {
        "title": "lone \ud800 surrogate (invalid UTF-8 upstream)",
        "transaction": float("nan"),
        "count()": 2**70,
        "tags": deep,
    }
    rows = [*results.rows, odd, {"title": float("inf"), "count()": -(2**63) - 1}]
    columns = ["title", "transaction", "count()", "tags"]

    raw = write_export(columns, rows, tmp_path / "d.csv").read_text("utf-8")
    parsed = assert_csv_inert(raw, len(rows))
    assert parsed[-2][1:3] == ["NaN", str(2**70)]
    assert parsed[-2][0] == "lone \\ud800 surrogate (invalid UTF-8 upstream)"

    assert_md_inert(write_export(columns, rows, tmp_path / "d.md").read_text("utf-8"), len(rows))

    data = assert_json_inert(write_export(columns, rows, tmp_path / "d.json").read_text("utf-8"))
    assert data[-2]["count()"] == 2**70
    assert data[-2]["title"] == odd["title"]  # the lone surrogate survives as an escape
    assert data[-1]["title"] == "Infinity"
    depth, node = 0, data[-2]["tags"]
    while isinstance(node, dict):
        node, depth = node["d"], depth + 1
    assert (depth, node) == (500, "bottom")


def test_clipboard_copies_what_the_screen_shows() -> None:
    for name, text in HOSTILE.items():
        copied = clipboard_text(text)
        assert_inert(copied.replace("\n", "")), name
        assert copied == visible(text, multiline=True)
        one_line = clipboard_text(text, multiline=False)
        assert "\n" not in one_line
        assert_inert(one_line)
    assert clipboard_text(HOSTILE["osc52"]) == "copy ␛]52;c;ZXZpbCBjb21tYW5k␇ done"
    assert "\\u202e" in clipboard_text(HOSTILE["bidi"])


# -- the action log and messages -----------------------------------------------------------------


async def test_action_log_of_a_hostile_release_name_is_inert_and_lossless(
    client, world, hostile_issues, tmp_path: Path
) -> None:
    issue = await client.get_issue(world.org_slug, hostile_issues["osc52"])
    log = ActionLog(tmp_path / "actions.jsonl")
    bulk = BulkService(client, world.org_slug, log)
    version = "1.0" + HOSTILE["osc52"] + HOSTILE["bidi"]
    outcome = await bulk.apply(actions.resolve_in_release(version), [issue])
    assert outcome.succeeded or outcome.failed  # an answer either way, never an exception
    raw = log.path.read_text("utf-8")
    assert_inert(raw.replace("\n", ""))
    [entry] = ActionLog(log.path).load()
    assert entry.detail["statusDetails"] == {"inRelease": version}
    assert set(entry.outcome) == {issue.id}


async def test_url_credentials_never_reach_messages_or_the_action_log(world, tmp_path) -> None:
    url = "http://bob:hunter2@127.0.0.1:9"  # nothing listens on the discard port
    async with SentryClient(url, world.token, max_retries=0) as client:
        with pytest.raises(NetworkError) as error:
            await client.list_issues(world.org_slug)
        assert "hunter2" not in str(error.value)
        assert "cannot connect to 127.0.0.1:9" in str(error.value)
        log = ActionLog(tmp_path / "actions.jsonl")
        bulk = BulkService(client, world.org_slug, log)
        fake = Issue.model_validate(
            {"id": "1", "shortId": "X-1", "title": "t", "status": "unresolved"}
        )
        outcome = await bulk.apply(actions.resolve(), [fake])
    assert outcome.failed
    assert "hunter2" not in outcome.summary
    assert "hunter2" not in log.path.read_text("utf-8")


async def test_a_hostile_search_is_refused_with_a_plain_message(client, world) -> None:
    from dexter_tui.sentry.errors import BadRequest

    with pytest.raises(BadRequest) as error:
        await client.list_issues(world.org_slug, query="timesSeen:>[/]\x1b[31m\u202e")
    assert "Invalid search query" in str(error.value)
    assert_inert(visible(str(error.value)))


# -- a failing server: nothing lost, nothing falsely reported --------------------------------------


FAIL_RATE = 0.4


class TestFlakyServer:
    @pytest.fixture
    def server_options(self) -> ServerOptions:
        return ServerOptions(random_seed=5)  # a mix: applied, verified, unknown

    async def test_bulk_under_5xx_and_cut_bodies_reports_every_id_honestly(
        self, client, live_server, world, store, demo_app, hostile_issues, tmp_path: Path
    ) -> None:
        issues = await _all_issues(client, world.org_slug)
        log = ActionLog(tmp_path / "actions.jsonl")
        demo_app.state.options.fail_rate = FAIL_RATE
        demo_app.state.faults.malformed_json = 2
        # no retries: every 5xx reaches the bulk layer (500s are bisected per id)
        async with SentryClient(live_server.url, world.token, max_retries=0) as flaky:
            bulk = BulkService(flaky, world.org_slug, log)
            outcome = await bulk.apply(actions.resolve(), issues)
        demo_app.state.options.fail_rate = 0.0
        demo_app.state.faults.malformed_json = 0

        [entry] = ActionLog(log.path).load()
        assert list(entry.outcome) == [i.id for i in issues]  # every id has an outcome
        for issue_id, result in entry.outcome.items():
            status = store.query_one("SELECT status FROM groups WHERE id = ?", (int(issue_id),))
            if result == "ok":
                assert status["status"] == "resolved", issue_id
            elif result != UNKNOWN:
                assert status["status"] == "unresolved", (issue_id, result)
        assert outcome.succeeded  # verified after the cut body
        assert outcome.unknown  # the check itself failed: said so, not "failed"
        assert outcome.summary.endswith(f"— {len(outcome.unknown)} sent, outcome unknown — verify")
        assert "retry" not in outcome.summary


# -- the deadlock report's copies (a pilot test: keys in, clipboard out) --------------------------


async def test_deadlock_copies_are_what_the_screen_shows(make_app) -> None:  # noqa: F811
    from dexter_tui.services.deadlock import analyze
    from dexter_tui.tui.screens.deadlock_report import DeadlockReportScreen

    fixture = Path(__file__).parent / "fixtures" / "deadlocks" / "D01_update_swap_2"
    # OSC/CSI sequences are stripped by the analyzer's paste clean-up; a lone ESC, BEL and a
    # bidi override survive it and must still never reach the clipboard raw
    evil = "balance + $1 /*\x1bc\x07\u202e*/ WHERE id = $2"
    text = (fixture / "server_log.txt").read_text().replace("balance + $1 WHERE id = $2", evil)
    analysis = analyze(text)
    blocking = analysis.blocking_query()
    assert blocking is not None
    assert "\x1bc\x07" in blocking  # the analyzer keeps the query as it was logged
    copied: list[str] = []
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
        app.push_screen(DeadlockReportScreen(app.ctx, analysis))
        await settle(pilot)
        await pilot.press("c")  # the blocking query
        await pilot.press("y")  # the selected process's query
    assert len(copied) == 2
    for query in copied:
        assert_inert(query.replace("\n", ""))
        assert "/*␛c␇\\u202e*/" in query
