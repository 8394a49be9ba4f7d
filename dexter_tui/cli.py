"""Command-line entry point: `dexter [SUBCOMMAND] ...`.

Each subcommand lives in `dexter_tui.commands.<module>` with `add_arguments(parser)` and
`run(args) -> int`; modules are imported only when their subcommand runs, so `dexter deadlock`
does not pay for Textual and `dexter demo-server` does not pay for the TUI.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from dexter_tui import __version__

#: subcommand -> (module under dexter_tui.commands, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("demo", "open the TUI on a built-in demo Sentry (no account needed)"),
    "demo-server": ("demo_server", "serve a Sentry-compatible demo API and ingest on loopback"),
    "deadlock": ("deadlock", "analyse a PostgreSQL deadlock report (text or Sentry event JSON)"),
    "doctor": ("doctor", "check the connection to Sentry: URL, TLS, token, scopes, org, projects"),
    "config": ("config_cmd", "create, locate or show the configuration (token redacted)"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="dexter",
        description="Triage Sentry from a terminal. Without a COMMAND, opens the TUI.",
    )
    parser.add_argument("--version", action="version", version=f"dexter-tui {__version__}")
    _module("tui").add_arguments(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        sub_parser = sub.add_parser(name, help=help_text, description=help_text)
        sub_parser.set_defaults(_module=module_name)
        _module(module_name).add_arguments(sub_parser)
    return parser


def _module(name: str):
    return importlib.import_module(f"dexter_tui.commands.{name}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    module = _module(args._module) if args.command else _module("tui")
    try:
        return int(module.run(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
