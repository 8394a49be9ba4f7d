"""`dexter deadlock`: analyse PostgreSQL deadlock reports."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["parse"])


def run(args: argparse.Namespace) -> int:
    raise SystemExit("deadlock: not built yet")
