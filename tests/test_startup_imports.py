"""What a start imports: only what the first screen (the issue list) needs.

Why: every module imported at start is paid by every `dexter` before the first row shows
(issue 19: ~0.5 s of imports). The other screens, the deadlock analyzer and its SQL parser,
the help dialog and the crash traceback renderer are imported when first used; `dexter demo`
runs its server in a child process, so the TUI process never imports the server; building the
parser imports only the chosen subcommand's module. A subprocess, so this test process's own
imports do not count.
"""

from __future__ import annotations

import json
import subprocess
import sys

#: modules a start must not import (prefixes: a package and everything under it)
NOT_AT_START = (
    "pglast",
    "dexter_tui.services.deadlock",
    "dexter_tui.services.deadlocks_view",
    "dexter_tui.services.discover",
    "dexter_tui.services.analytics",
    "dexter_tui.tui.screens.event_detail",
    "dexter_tui.tui.screens.discover",
    "dexter_tui.tui.screens.analytics",
    "dexter_tui.tui.screens.releases",
    "dexter_tui.tui.screens.alerts",
    "dexter_tui.tui.screens.deadlocks",
    "dexter_tui.tui.screens.deadlock_report",
    "dexter_tui.tui.dialogs.help",
    "dexter_tui.tui.dialogs.comment_editor",
    # the event and issue detail services (the event screen, the copy menu, similar issues)
    "dexter_tui.services.events",
    "dexter_tui.services.issue_detail",
    "dexter_tui.services.offline_events",
    "dexter_tui.services.handoff",
    "dexter_tui.services.similar",
    "dexter_tui.tui.dialogs.handoff",
    "dexter_tui.tui.dialogs.similar_issues",
    "dexter_tui.sentry.event_models",  # `models.Event` and co. are built on first use
    # the issue actions' dialogs and the browser, when their key is pressed
    "dexter_tui.tui.dialogs.action_log",
    "dexter_tui.tui.dialogs.assign_picker",
    "dexter_tui.tui.dialogs.ignore_menu",
    "dexter_tui.tui.dialogs.priority_picker",
    "webbrowser",
    "rich.traceback",
    "dexter_tui.demo",
    "starlette",
    "uvicorn",
    "sentry_sdk",
    "click",
    "trio",
)

_START = """
import json, sys
from dexter_tui.cli import parse_args, skip_unused_imports
skip_unused_imports()
args = parse_args({argv!r})
from dexter_tui.commands import {command}, crash
{extra}
from dexter_tui.tui.factory import build_app, build_context
import dexter_tui.tui.app
print(json.dumps(sorted(k for k, v in sys.modules.items() if v is not None)))
"""


def _imported(argv: list[str], command: str, extra: str = "") -> set[str]:
    code = _START.format(argv=argv, command=command, extra=extra)
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def _offenders(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in NOT_AT_START))


def test_dexter_imports_only_what_the_issue_list_needs() -> None:
    modules = _imported([], "tui", "from dexter_tui.tui import offline")
    assert "dexter_tui.tui.screens.issues" in modules  # the check sees what is imported
    assert _offenders(modules) == []


def test_dexter_demo_leaves_the_server_to_its_process() -> None:
    modules = _imported(["demo"], "demo", "from dexter_tui.commands import demo_process")
    assert _offenders(modules) == []


def test_parsing_a_subcommand_imports_no_other_command() -> None:
    modules = _imported(["demo"], "demo")
    commands = {m for m in modules if m.startswith("dexter_tui.commands.")}
    assert commands == {"dexter_tui.commands.demo", "dexter_tui.commands.crash"}
