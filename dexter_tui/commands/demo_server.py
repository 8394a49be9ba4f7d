"""`dexter demo-server`: run the Sentry-compatible demo server."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)


def run(args: argparse.Namespace) -> int:
    raise SystemExit("demo-server: not built yet")
