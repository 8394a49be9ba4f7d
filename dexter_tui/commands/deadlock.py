"""`dexter deadlock parse [FILE|-] [--json] [--all]`: analyse a PostgreSQL deadlock report.

Reads a client error, a server log (stderr, csvlog, jsonlog) or a Sentry event JSON (API or SDK
shape), auto-detected. Exit 0 when a deadlock was analysed, 1 when the input holds no deadlock,
2 when it could not be read; problems go to stderr as one line, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

EXIT_OK = 0
EXIT_NO_DEADLOCK = 1
EXIT_UNREADABLE = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # `parse` is a sub-command of its own: with `action` and an optional FILE as two positionals
    # of one parser, argparse fills both at the first word and refuses a FILE given after an
    # option (`parse --json FILE`, `parse --all --json LOG`)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    parse = actions.add_parser(
        "parse",
        help="parse and analyse a report",
        description="Analyse a PostgreSQL deadlock report: a client error, a server log "
        "(stderr, csvlog, jsonlog) or a Sentry event JSON. Options go before or after FILE.",
        epilog="Exit status: 0 deadlock analysed, 1 no deadlock found, 2 unreadable input.",
    )
    parse.add_argument(
        "file", nargs="?", default="-", metavar="FILE|-", help="input file, '-' for stdin"
    )
    parse.add_argument("--json", action="store_true", help="print one JSON object")
    parse.add_argument(
        "--all",
        action="store_true",
        help="summarise a whole server log (FILE): every deadlock grouped by pattern, and "
        "the lock waits that were not deadlocks",
    )


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as fh:
        return fh.read()


def _decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), or UTF-16 with a BOM; ValueError otherwise."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    return raw.decode("utf-8-sig")


def run(args: argparse.Namespace) -> int:
    summarise = bool(getattr(args, "all", False))
    name = "stdin" if args.file == "-" else args.file
    try:
        text = _decode(_read(args.file))
    except FileNotFoundError:
        print(f"dexter deadlock: {name}: no such file", file=sys.stderr)
        return EXIT_UNREADABLE
    except IsADirectoryError:
        print(f"dexter deadlock: {name}: is a directory", file=sys.stderr)
        return EXIT_UNREADABLE
    except PermissionError:
        print(f"dexter deadlock: {name}: permission denied", file=sys.stderr)
        return EXIT_UNREADABLE
    except OSError as exc:
        print(f"dexter deadlock: {name}: cannot read ({exc.strerror or exc})", file=sys.stderr)
        return EXIT_UNREADABLE
    except UnicodeDecodeError as exc:
        print(
            f"dexter deadlock: {name}: not UTF-8 text (byte {exc.start}); "
            "give a text report or a Sentry event JSON",
            file=sys.stderr,
        )
        return EXIT_UNREADABLE
    from dexter_tui.services.deadlock import analyze  # only this subcommand pays for pglast

    if summarise:
        from dexter_tui.services.deadlock.summary import render_summary, summarize_log

        summary = summarize_log(text)
        out = (
            json.dumps(summary.to_json(), ensure_ascii=False) + "\n"
            if args.json
            else render_summary(summary)
        )
        _write(out)
        return EXIT_OK if summary.deadlock_count else EXIT_NO_DEADLOCK
    try:
        analysis = analyze(text)
    except RecursionError:
        print(f"dexter deadlock: {name}: input nested too deeply to read", file=sys.stderr)
        return EXIT_UNREADABLE
    out = json.dumps(analysis.to_json(), ensure_ascii=False) + "\n" if args.json else None
    _write(out if out is not None else analysis.render_text())
    return EXIT_OK if analysis.is_deadlock else EXIT_NO_DEADLOCK


def _write(out: str) -> None:
    try:
        sys.stdout.write(out)
        sys.stdout.flush()
    except BrokenPipeError:  # `dexter deadlock parse x | head`: the reader left, not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
