"""`dexter demo-server`: run the Sentry-compatible demo server on its own.

The first line on stdout is one JSON object (url, full-access token, org, project slugs, DSNs) so
that scripts and tests can start the server with `--port 0` and read where it is; the lines after
it are for people. The server listens only on `--host` (loopback unless asked otherwise).
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from pathlib import Path
from types import FrameType

DEFAULT_DB_NAME = "demo.sqlite3"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1 only)"
    )
    parser.add_argument("--port", type=int, default=0, help="port (default 0: a free port)")
    parser.add_argument(
        "--db",
        default=None,
        help="SQLite database file, or :memory: (default: demo.sqlite3 in the user data dir);"
        " an existing database is reused as it is, without seeding again",
    )
    parser.add_argument(
        "--no-seed", action="store_true", help="start with the organisation but no events"
    )
    parser.add_argument(
        "--token", default=None, help="full-access API token to accept (default: generated)"
    )
    parser.add_argument("--latency-ms", type=int, default=0, help="delay every API answer")
    parser.add_argument(
        "--fail-rate", type=float, default=0.0, help="share of API requests answered with a 5xx"
    )
    parser.add_argument(
        "--rate-limit", type=int, default=None, help="API requests per second per token (429)"
    )
    parser.add_argument(
        "--large",
        type=int,
        default=0,
        metavar="N",
        help="add N extra issues to a new database (big-list testing)",
    )
    parser.add_argument(
        "--seed-random",
        type=int,
        default=0,
        metavar="N",
        help="random seed of the demo data and of fault injection",
    )


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("dexter-tui", appauthor=False)) / DEFAULT_DB_NAME


def _say(line: str = "") -> None:
    print(line, flush=True)


def run(args: argparse.Namespace) -> int:
    stop = _stop_on_signals()
    try:
        return _run(args, stop)
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _stop_on_signals() -> threading.Event:
    """SIGINT/SIGTERM end the server cleanly (exit 0); installed before anything is printed."""
    stop = threading.Event()

    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, handle)
    return stop


def _run(args: argparse.Namespace, stop: threading.Event) -> int:
    from dexter_tui.demo.runner import BackgroundServer
    from dexter_tui.demo.server import ServerOptions, create_app
    from dexter_tui.demo.store import FULL_SCOPES, Store
    from dexter_tui.demo.world import create_world, load_world

    db = args.db if args.db is not None else str(default_db_path())
    if db != ":memory:":
        Path(db).expanduser().parent.mkdir(parents=True, exist_ok=True)
        db = str(Path(db).expanduser())
    store = Store(db)
    fresh = store.query_one("SELECT COUNT(*) FROM organizations")[0] == 0
    notes: list[str] = []
    if fresh:
        world = create_world(store, token=args.token)
        if not args.no_seed:
            from dexter_tui.demo.seed import seed

            report = seed(store, world, random_seed=args.seed_random)
            notes.append(
                f"seeded {report.issues} issues and {report.events} events"
                f" ({report.sdk_events} captured by sentry-sdk) in {report.seconds:.1f} s"
            )
    else:
        world = load_world(store)
        notes.append("reused the existing database (not seeded again)")
        if args.token and args.token != world.token:
            known = store.query_one("SELECT 1 FROM tokens WHERE token = ?", (args.token,))
            if known is None:
                store.create_token(
                    world.user_ids[min(world.user_ids, key=world.user_ids.get)],
                    FULL_SCOPES,
                    org_id=world.org_id,
                    token=args.token,
                )
    if args.large > 0 and not fresh:
        notes.append("--large ignored: the database already holds its data")
    elif args.large > 0:
        from dexter_tui.demo.large import add_large

        large = add_large(store, world, args.large, random_seed=args.seed_random)
        notes.append(
            f"added {large.issues} issues in {large.seconds:.1f} s ({large.rate:,.0f} issues/s)"
        )

    options = ServerOptions(
        latency_ms=args.latency_ms,
        fail_rate=args.fail_rate,
        rate_limit=args.rate_limit,
        random_seed=args.seed_random,
    )
    server = BackgroundServer(create_app(store, options), host=args.host, port=args.port)
    try:
        server.start()
    except RuntimeError as exc:
        print(f"demo-server: {exc} on {args.host}:{args.port}", file=sys.stderr)
        store.close()
        return 1
    if stop.is_set():  # asked to stop while seeding
        server.stop()
        store.close()
        return 0
    token = args.token or world.token
    url = server.url
    netloc = url.split("://", 1)[1]
    dsn = {
        slug: f"http://{keys.public_key}@{netloc}/{keys.project_id}"
        for slug, keys in world.projects.items()
    }
    _say(
        json.dumps(
            {
                "url": url,
                "token": token,
                "org": world.org_slug,
                "projects": list(world.projects),
                "dsn": dsn,
            }
        )
    )
    _banner(url, world, dsn, db, notes)

    try:
        while not stop.is_set():
            stop.wait(0.5)
    finally:
        started = time.monotonic()
        server.stop()
        store.close()
        _say(f"stopped ({time.monotonic() - started:.1f} s)")
    return 0


def _banner(url: str, world, dsn: dict[str, str], db: str, notes: list[str]) -> None:
    first = next(iter(world.projects))
    _say(f"dexter demo server: {url}  (organization '{world.org_slug}')")
    _say(f"database: {db}")
    for note in notes:
        _say(f"  {note}")
    _say(f"full-access token: the 'token' in the JSON line above; read-only: {world.read_token}")
    _say("sentry-cli:")
    _say(f"  SENTRY_URL={url} SENTRY_ORG={world.org_slug} SENTRY_AUTH_TOKEN=<token> \\")
    _say(f"    sentry-cli issues list --project {first}")
    _say("sentry-sdk (any app):")
    _say(f'  sentry_sdk.init(dsn="{dsn[first]}")')
    for slug, value in dsn.items():
        _say(f"  {slug}: {value}")
    _say("dexter:")
    _say(f"  SENTRY_URL={url} SENTRY_ORG={world.org_slug} SENTRY_AUTH_TOKEN=<token> dexter")
    _say("Ctrl-C stops the server.")
