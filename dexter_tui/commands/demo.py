"""`dexter demo`: the whole product against a built-in Sentry-compatible server.

An in-memory database seeded by the real `sentry-sdk` (sample services that really fail) is served
on a free loopback port, and the TUI talks to it over real HTTP — exactly as it would to
sentry.io. Nothing leaves the machine. The first run seeds (a progress line shows how far) and
keeps the seeded data in the user data dir; later runs start from that copy, re-dated to now
(`demo/seed_cache.py`). What you change during a session is not kept.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from dexter_tui.config import (
    EXIT_CONFIG,
    ConfigError,
    Secret,
    Settings,
    add_connection_arguments,
    load_settings,
)

if TYPE_CHECKING:
    from dexter_tui.commands.demo_process import DemoProcess


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_connection_arguments(parser)
    parser.add_argument("--large", type=int, default=0, metavar="N", help="add N extra issues")
    parser.add_argument("--latency-ms", type=int, default=0, help="slow every API answer down")
    parser.add_argument("--fail-rate", type=float, default=0.0, help="share of API calls that 5xx")
    parser.add_argument("--rate-limit", type=int, default=None, help="API requests/s per token")
    parser.add_argument("--poll-interval", type=float, default=15.0, help="seconds between polls")
    parser.add_argument(
        "--fresh", action="store_true", help="seed again instead of using the cached demo data"
    )


def data_dir() -> Path:
    """Where the seeded demo data is cached (the user data dir; DEXTER_DEMO_DATA_DIR overrides)."""
    override = os.environ.get("DEXTER_DEMO_DATA_DIR")
    if override:
        return Path(override)
    import platformdirs

    return platformdirs.user_data_path("dexter-tui", appauthor=False)


class ProgressLine:
    """One line that says what the first seed is doing, rewritten in place on a terminal."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty()
        self.started = time.perf_counter()
        self._width = 0

    def __call__(self, what: str) -> None:
        line = f"  {what}… {time.perf_counter() - self.started:.1f}s"
        if self.tty:
            pad = " " * max(0, self._width - len(line))
            self.stream.write(f"\r{line}{pad}")
            self._width = len(line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def done(self) -> None:
        if self.tty and self._width:
            self.stream.write("\n")
            self.stream.flush()


def _child_arguments(args: argparse.Namespace) -> list[str]:
    extra = ["--latency-ms", str(args.latency_ms), "--fail-rate", str(args.fail_rate)]
    if args.large:
        extra += ["--large", str(args.large)]
    if args.rate_limit is not None:
        extra += ["--rate-limit", str(args.rate_limit)]
    if args.fresh:
        extra.append("--fresh")
    return extra


def run(args: argparse.Namespace) -> int:
    from dexter_tui.commands.demo_process import DemoProcess
    from dexter_tui.sentry import tls

    tls.prepare()  # the TLS context is built in a thread while the TUI imports

    try:
        settings = load_settings(args, run_token_command=False)
    except ConfigError as error:
        print(f"dexter: {error}", file=sys.stderr)
        return EXIT_CONFIG

    # The server process loads (or seeds) the data while this one imports the TUI.
    progress = ProgressLine()
    progress("dexter demo: loading the demo data")
    server = DemoProcess(data_dir(), _child_arguments(args), progress=progress)
    try:
        return _run_tui(args, settings, server, progress)
    finally:
        server.stop()


def _run_tui(
    args: argparse.Namespace, settings: Settings, server: DemoProcess, progress: ProgressLine
) -> int:
    from dexter_tui.commands.crash import run_app
    from dexter_tui.tui.factory import build_app, build_context, default_action_log_path

    try:
        info = server.wait_ready()
    except ConfigError as error:
        progress.done()
        print(f"dexter: {error}", file=sys.stderr)
        return 1
    progress.done()
    if info.cached:
        how = "from the cached seed, re-dated to now"
    else:
        how = f"seeded with the real sentry-sdk (cached in {Path(info.path).parent} for next time)"
    print(
        f"  {info.issues} issues, {info.events} events {how} in "
        f"{time.perf_counter() - progress.started:.1f}s; starting the TUI",
        flush=True,
    )
    settings.url = info.url
    settings.token = Secret(info.token)
    settings.token_command = None
    settings.org = info.org
    settings.project = list(args.project or [])
    settings.ca_bundle = None
    settings.poll_interval = args.poll_interval
    settings.sources.update(dict.fromkeys(("url", "token", "org", "project"), "dexter demo"))
    try:
        ctx = build_context(
            settings, note="demo", action_log_path=default_action_log_path("demo-actions.jsonl")
        )
        app = build_app(ctx)
    except ConfigError as error:
        print(f"dexter: {error}", file=sys.stderr)
        return EXIT_CONFIG
    code = run_app(app)
    print(f"dexter demo: stopped the demo server at {info.url}.")
    return code
