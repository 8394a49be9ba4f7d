# PYTHON_ARGCOMPLETE_OK
"""Command-line entry point: `dexter [OPTIONS] [SUBCOMMAND] ...`.

Each subcommand lives in `dexter_tui.commands.<module>` with `add_arguments(parser)` and
`run(args) -> int`; modules are imported only when their subcommand runs, so `dexter deadlock`
does not pay for Textual and `dexter demo-server` does not pay for the TUI.

Connection options (`--url --token --org --project --profile --config --read-only`) work before or
after the subcommand. argparse alone would let a subcommand's defaults overwrite what was given
before it (`dexter --read-only demo` wrote; `dexter --url X doctor` talked to sentry.io), so the
options before the subcommand are parsed under their own names and merged here — or refused with a
clear message when the subcommand has no use for them. Never silently dropped.

An unexpected exception never exits 0: it is logged (redacted) to the state dir and the exit status
is `EXIT_CRASH` (see `commands/crash.py`).
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
from collections.abc import Sequence

from dexter_tui import __version__, start_gc

#: subcommand -> (module under dexter_tui.commands, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "issues": ("issues_cmd", "list, show and act on issues from scripts (JSON, CSV, Markdown)"),
    "events": ("events_cmd", "show one event (by id, or the latest/oldest of an issue)"),
    "cache": ("cache_cmd", "show or clear the offline cache"),
    "open": (
        "open_cmd",
        "open the TUI on one issue (SHORTID, id or issue URL; `dexter URL` works too)",
    ),
    "demo": ("demo", "open the TUI on a built-in demo Sentry (no account needed)"),
    "demo-server": ("demo_server", "serve a Sentry-compatible demo API and ingest on loopback"),
    "deadlock": ("deadlock", "analyse a PostgreSQL deadlock report (text or Sentry event JSON)"),
    "doctor": ("doctor", "check the connection to Sentry: URL, TLS, token, scopes, org, projects"),
    "config": ("config_cmd", "create, locate or show the configuration (token redacted)"),
}

#: exit status when the reader of stdout went away (as a shell reports SIGPIPE)
EXIT_PIPE = 141

#: connection options: (dest, flag)
CONNECTION_OPTIONS: tuple[tuple[str, str], ...] = (
    ("config", "--config"),
    ("profile", "--profile"),
    ("url", "--url"),
    ("token", "--token"),
    ("org", "--org"),
    ("project", "--project"),
    ("read_only", "--read-only"),
)
_ALL = frozenset(dest for dest, _ in CONNECTION_OPTIONS)
#: the prefix of the dests the top-level parser stores connection options under
_GLOBAL = "global_"


def _accepted(args: argparse.Namespace) -> frozenset[str]:
    """The connection options the chosen subcommand uses (None command: the TUI, all)."""
    command = args.command
    if command in ("demo-server", "deadlock"):
        return frozenset()
    if command == "demo":  # its own server, token and org; the rest of the settings apply
        return frozenset({"config", "profile", "project", "read_only"})
    if command == "config" and getattr(args, "config_action", None) in ("init", "path"):
        return frozenset({"config"})
    return _ALL


def _add_global_connection_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "connection (before or after COMMAND; `dexter COMMAND --help` lists each one's)"
    )
    group.add_argument("--config", dest=_GLOBAL + "config", metavar="PATH", help="config file")
    group.add_argument(
        "--profile", dest=_GLOBAL + "profile", metavar="NAME", help="[profiles.NAME] of the config"
    )
    group.add_argument("--url", dest=_GLOBAL + "url", metavar="URL", help="Sentry URL")
    group.add_argument(
        "--token",
        dest=_GLOBAL + "token",
        metavar="TOKEN",
        help="auth token (prefer SENTRY_AUTH_TOKEN or token_command: flags show up in `ps`)",
    )
    group.add_argument("--org", dest=_GLOBAL + "org", metavar="SLUG", help="organization slug")
    group.add_argument(
        "--project",
        dest=_GLOBAL + "project",
        metavar="SLUG",
        action="append",
        help="project slug (repeatable)",
    )
    group.add_argument(
        "--read-only",
        dest=_GLOBAL + "read_only",
        action="store_true",
        default=None,
        help="never change anything in Sentry",
    )


#: `build_parser(only=EVERY)`: every subcommand's own arguments (imports every command module)
EVERY = "*"


def build_parser(only: str | None = EVERY) -> argparse.ArgumentParser:
    """The parser; with `only` a subcommand name (or None), the other subcommands' modules are
    not imported (their parsers only know their help line): a start-up is not charged for
    importing every command. `EVERY` builds them all (shell completion, tests)."""
    parser = argparse.ArgumentParser(
        prog="dexter",
        description="Triage Sentry from a terminal. Without a COMMAND, opens the TUI.",
        epilog="Exit status: 0 ok, 1 partial failure, 2 usage or configuration, 3 auth, "
        "4 not found, 5 Sentry unavailable, 70 unexpected error (logged), 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"dexter-tui {__version__}")
    _add_global_connection_arguments(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        module = _module(module_name) if only in (EVERY, name) else None
        sub_parser = sub.add_parser(
            name,
            help=help_text,
            description=getattr(module, "DESCRIPTION", help_text),
            epilog=getattr(module, "EPILOG", None),
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        sub_parser.set_defaults(_module=module_name)
        if module is not None:
            module.add_arguments(sub_parser)
    return parser


def merge_global_options(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Move the options given before the subcommand to where the subcommand reads them."""
    accepted = _accepted(args)
    where = f"`dexter {args.command}`" if args.command else "the TUI"
    for dest, flag in CONNECTION_OPTIONS:
        given = getattr(args, _GLOBAL + dest)
        delattr(args, _GLOBAL + dest)
        if args.command is None:
            setattr(args, dest, given)
            continue
        if dest not in accepted:
            if given is not None:
                parser.error(f"{flag} does not apply to {where}; leave it out")
            # `dexter demo --url X` would be overwritten by the demo's own server: refuse it
            if args.command == "demo" and getattr(args, dest, None) not in (None, []):
                parser.error(f"{flag} does not apply to {where} (it runs its own server)")
            continue
        if given is None:
            continue
        after = getattr(args, dest, None)
        if after in (None, []) or after == given:
            setattr(args, dest, given)
        elif dest == "project":
            setattr(args, dest, [*given, *after])
        else:
            parser.error(
                f"{flag} was given before and after `{args.command}` with different values; "
                "give it once"
            )


_VALUED = frozenset(flag for dest, flag in CONNECTION_OPTIONS if dest != "read_only")


def _first_positional(argv: list[str]) -> int | None:
    """Index of the first argument that is neither a connection option nor its value (`--`
    counts as one), or None."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in _VALUED:
            i += 2
        elif arg.startswith("-") and arg != "--":
            i += 1
        else:
            return i
    return None


def _issue_url_shortcut(argv: list[str]) -> list[str]:
    """`dexter https://…/issues/123/` means `dexter open https://…/issues/123/`."""
    i = _first_positional(argv)
    if i is not None and re.match(r"^https?://\S+/issues/\d+", argv[i]):
        return [*argv[:i], "open", *argv[i:]]
    return argv


def _chosen_command(argv: list[str]) -> str | None:
    """The subcommand argparse will pick (the first positional, skipping connection options and
    their values), None for the TUI, or `EVERY` when it is not plain to see."""
    i = _first_positional(argv)
    if i is None:
        return None
    arg = argv[i]
    return arg if arg in SUBCOMMANDS else EVERY


def _complete(parser: argparse.ArgumentParser) -> None:
    """Shell completion (argcomplete), only when the shell asks: nothing is imported otherwise."""
    import os

    if "_ARGCOMPLETE" not in os.environ:
        return
    try:
        import argcomplete
    except ImportError:  # the optional extra `completion` is not installed
        return
    argcomplete.autocomplete(parser)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    words = _issue_url_shortcut(list(sys.argv[1:] if argv is None else argv))
    only = EVERY if "_ARGCOMPLETE" in os.environ else _chosen_command(words)
    parser = build_parser(only)
    _complete(parser)
    args = parser.parse_args(words)
    if only != EVERY and args.command != only:  # an abbreviated option fooled the guess
        parser = build_parser()
        args = parser.parse_args(words)
    merge_global_options(parser, args)
    return args


def _module(name: str):
    return importlib.import_module(f"dexter_tui.commands.{name}")


def skip_unused_imports() -> None:
    """Keep work other libraries do on their own out of every start. Two imports (~0.1 s):
    httpx imports its command-line client (click, pygments, rich.syntax) whenever those happen to
    be installed, and httpcore imports trio when it is installed, though dexter runs on asyncio
    only. Neither is used here; both libraries fall back cleanly when the module is absent."""
    for name in ("httpx._main", "trio"):
        if name not in sys.modules:
            sys.modules[name] = None  # type: ignore[assignment]  # `import name` → ImportError
    # pydantic reads every installed distribution's entry points looking for plugins at the first
    # validation (~10 ms, more with more packages); dexter uses none. An explicit setting wins.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


def main(argv: Sequence[str] | None = None) -> int:
    start_gc.pause()  # on again once the TUI is built (commands/tui.py), or for other commands
    try:
        return _main(argv)
    finally:
        start_gc.resume()


def _main(argv: Sequence[str] | None) -> int:
    skip_unused_imports()
    args = parse_args(argv)
    module = _module(args._module) if args.command else _module("tui")
    if args.command:
        start_gc.resume()
    try:
        return int(module.run(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `dexter issues list | head`: the reader left; not a crash
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_PIPE
    except Exception as error:  # the last line of defence: logged, never exit 0
        from dexter_tui.commands.crash import report_crash

        return report_crash(error, argv if argv is not None else sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
