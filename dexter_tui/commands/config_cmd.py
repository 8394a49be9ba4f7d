"""`dexter config init|path|show`: create, locate and explain the configuration."""

from __future__ import annotations

import argparse
import sys

from dexter_tui.config import (
    EXIT_CONFIG,
    ConfigError,
    add_connection_arguments,
    config_path,
    file_mode,
    load_settings,
    sentryclirc_path,
    write_template,
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="config_action", metavar="ACTION", required=True)
    init = actions.add_parser("init", help="write a commented config file (mode 0600)")
    init.add_argument("--config", metavar="PATH", help="where to write it (default: see `path`)")
    init.add_argument("--force", action="store_true", help="overwrite an existing file")
    path = actions.add_parser("path", help="print the config file path")
    path.add_argument("--config", metavar="PATH", help="config file to use")
    show = actions.add_parser(
        "show", help="print the effective settings and where each came from (token redacted)"
    )
    add_connection_arguments(show)


def run(args: argparse.Namespace) -> int:
    try:
        if args.config_action == "init":
            written = write_template(config_path(args.config), force=args.force)
            print(f"wrote {written} (mode 0600); edit it, then check with `dexter doctor`")
            return 0
        if args.config_action == "path":
            print(config_path(args.config))
            return 0
        return _show(args)
    except ConfigError as exc:
        print(f"dexter: configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG


def _show(args: argparse.Namespace) -> int:
    settings = load_settings(args, run_token_command=False)
    path = settings.config_path
    mode = file_mode(path) if path else None
    state = "missing" if mode is None else f"mode {mode:04o}"
    print(f"config file: {path} ({state})")
    rc = sentryclirc_path()
    print(f"sentry-cli file: {rc} ({'present' if rc.is_file() else 'missing'})")
    print(f"profile: {settings.profile or '(none)'}")
    rows = settings.as_display()
    if settings.token is None and settings.token_command:
        rows = [
            (k, "(from token_command, not run here)" if k == "token" else v, s) for k, v, s in rows
        ]
    width_key = max(len(k) for k, _, _ in rows)
    width_value = min(40, max(len(v) for _, v, _ in rows))
    print()
    print(f"{'key':<{width_key}}  {'value':<{width_value}}  source")
    for key, value, source in rows:
        print(f"{key:<{width_key}}  {value:<{width_value}}  {source}")
    return 0
