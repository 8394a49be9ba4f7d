"""The demo server as `dexter demo`'s child process: `python -m dexter_tui.demo.process DATA_DIR`.

Why a process: loading the cached seed, re-dating it and importing Starlette/uvicorn take about as
long as importing the TUI; in a process of their own they run on the other core, at the same time
as the TUI starts, and the server never competes with the TUI for its GIL afterwards.

The listening socket is bound first, so the port is known at once and no one polls for it. With a
cached seed the server announces itself as soon as the copy is loaded, before the re-dating: a
request that comes in meanwhile waits in the socket's backlog and is answered by the re-dated
data. A first seed (or `--large`) announces itself only when the data is complete.

Protocol, one JSON object per line on stdout: `{"progress": "…"}` while seeding, then
`{"ready": {...}}` (url, token, org, issues, events, cached, path, seconds) or `{"error": "…"}`.
The server stops when its stdin closes (the parent exited, however it exited) or on SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any


def _say(**message: Any) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def _bind(host: str = "127.0.0.1") -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _import_server() -> None:
    import uvicorn  # noqa: F401

    import dexter_tui.demo.server  # noqa: F401


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m dexter_tui.demo.process")
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--large", type=int, default=0)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--fail-rate", type=float, default=0.0)
    parser.add_argument("--rate-limit", type=int, default=None)
    parser.add_argument("--fresh", action="store_true")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    started = time.perf_counter()
    sock = _bind()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"

    # The server's modules (Starlette, uvicorn, the API: ~0.3 s, most of it compiling regexes)
    # are imported in a thread while this one copies and re-dates the data, which is mostly
    # SQLite work done without the GIL.
    importer = threading.Thread(target=_import_server, name="import-server", daemon=True)
    importer.start()
    from dexter_tui.demo.seed_cache import clear_cache, load_or_seed

    if args.fresh:
        clear_cache(args.data_dir)
    announced = False

    def ready(store, world, cached: bool, path: Path) -> None:
        nonlocal announced
        announced = True
        _say(
            ready={
                "url": url,
                "token": world.token,
                "org": world.org_slug,
                "issues": int(store.query_one("SELECT COUNT(*) FROM groups")[0]),
                "events": int(store.query_one("SELECT COUNT(*) FROM events")[0]),
                "cached": cached,
                "path": str(path),
                "seconds": time.perf_counter() - started,
            }
        )

    def on_loaded(store, world) -> None:
        if not args.large:
            ready(store, world, True, args.data_dir)

    seeded = load_or_seed(
        args.data_dir, progress=lambda what: _say(progress=what), on_loaded=on_loaded
    )
    if args.large:
        from dexter_tui.demo.large import add_large

        _say(progress=f"adding {args.large} extra issues")
        add_large(seeded.store, seeded.world, args.large)
    if not announced:
        ready(seeded.store, seeded.world, seeded.cached, seeded.path)

    importer.join()
    import uvicorn

    from dexter_tui.demo.server import ServerOptions, create_app

    options = ServerOptions(
        latency_ms=args.latency_ms, fail_rate=args.fail_rate, rate_limit=args.rate_limit
    )
    config = uvicorn.Config(
        create_app(seeded.store, options), log_level="warning", lifespan="off", access_log=False
    )
    server = uvicorn.Server(config)

    def stop_when_orphaned() -> None:
        sys.stdin.buffer.read()  # returns at EOF: the parent closed the pipe or is gone
        server.should_exit = True

    threading.Thread(target=stop_when_orphaned, name="stdin-watch", daemon=True).start()
    asyncio.run(server.serve(sockets=[sock]))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as error:  # the parent shows it; the traceback goes to stderr
        _say(error=f"{type(error).__name__}: {error}")
        raise
