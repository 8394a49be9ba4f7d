"""`dexter demo`: the whole product against a built-in Sentry-compatible server.

A fresh in-memory database is seeded by the real `sentry-sdk` (sample services that really fail),
served on a free loopback port, and the TUI talks to it over real HTTP — exactly as it would to
sentry.io. Nothing leaves the machine and nothing is kept afterwards.
"""

from __future__ import annotations

import argparse
import sys
import time

from dexter_tui.config import (
    EXIT_CONFIG,
    ConfigError,
    Secret,
    add_connection_arguments,
    load_settings,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_connection_arguments(parser)
    parser.add_argument("--large", type=int, default=0, metavar="N", help="add N extra issues")
    parser.add_argument("--latency-ms", type=int, default=0, help="slow every API answer down")
    parser.add_argument("--fail-rate", type=float, default=0.0, help="share of API calls that 5xx")
    parser.add_argument("--rate-limit", type=int, default=None, help="API requests/s per token")
    parser.add_argument("--poll-interval", type=float, default=15.0, help="seconds between polls")


def run(args: argparse.Namespace) -> int:
    from dexter_tui.commands.crash import run_app
    from dexter_tui.demo.runner import BackgroundServer
    from dexter_tui.demo.seed import seed
    from dexter_tui.demo.server import ServerOptions, create_app
    from dexter_tui.demo.store import Store
    from dexter_tui.demo.world import create_world
    from dexter_tui.tui.factory import build_app, build_context, default_action_log_path

    try:
        settings = load_settings(args, run_token_command=False)
    except ConfigError as error:
        print(f"dexter: {error}", file=sys.stderr)
        return EXIT_CONFIG

    print("dexter demo: seeding a Sentry-compatible server with the real sentry-sdk…", flush=True)
    started = time.perf_counter()
    store = Store(":memory:")
    world = create_world(store)
    report = seed(store, world)
    if args.large:
        from dexter_tui.demo.large import add_large

        print(f"  adding {args.large} extra issues…", flush=True)
        add_large(store, world, args.large)
    print(
        f"  {report.issues} issues, {report.events} events in "
        f"{time.perf_counter() - started:.1f}s; starting the TUI",
        flush=True,
    )
    options = ServerOptions(
        latency_ms=args.latency_ms, fail_rate=args.fail_rate, rate_limit=args.rate_limit
    )
    with BackgroundServer(create_app(store, options)) as server:
        settings.url = server.url
        settings.token = Secret(world.token)
        settings.token_command = None
        settings.org = world.org_slug
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
    print(f"dexter demo: stopped the demo server at {server.url}.")
    return code
