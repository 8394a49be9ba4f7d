"""`dexter` (no subcommand): open the TUI on the configured Sentry."""

from __future__ import annotations

import argparse
import sys

from dexter_tui.config import EXIT_CONFIG, ConfigError, add_connection_arguments, load_settings

NOT_CONFIGURED = """\
dexter needs a Sentry URL, an auth token and an organization. Either:
  • set SENTRY_AUTH_TOKEN and SENTRY_ORG (and SENTRY_URL for self-hosted), as for sentry-cli;
  • or run `dexter config init` and edit the file it writes (`dexter config path` shows where);
  • or keep using sentry-cli's ~/.sentryclirc — dexter reads it too.
`dexter doctor` checks the result. No Sentry at hand? `dexter demo` runs everything against a
built-in Sentry-compatible server with sample data."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_connection_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from dexter_tui.sentry import tls
    from dexter_tui.start_gc import collector_paused

    tls.prepare()  # the TLS context is built in a thread while the TUI imports
    with collector_paused():  # no collections while ~700 modules import
        from dexter_tui.commands.crash import run_app
        from dexter_tui.commands.session import describe_connection
        from dexter_tui.tui import offline
        from dexter_tui.tui.factory import build_app, build_context, default_action_log_path

        try:
            settings = load_settings(args)
            if not settings.token_value() or not settings.org:
                print(NOT_CONFIGURED, file=sys.stderr)
                return EXIT_CONFIG
            print(describe_connection(settings), file=sys.stderr, flush=True)
            ctx = build_context(settings, action_log_path=default_action_log_path())
            offline.enable(ctx)  # start from the offline cache; readable when Sentry is away
            app = build_app(ctx)
        except ConfigError as error:
            print(f"dexter: {error}", file=sys.stderr)
            return EXIT_CONFIG
    return run_app(app)
