"""`dexter cache info|clear`: what the offline cache holds, and forgetting it.

The cache (see `services/cache.py`) keeps the last issue lists, opened issues and viewed events per
Sentry URL, org and profile; `info` and `clear` work on the current profile's part (`--all`: every
part). Neither sends a request nor needs a token.
"""

from __future__ import annotations

import argparse
import json
import time

from dexter_tui.commands.session import (
    EXIT_OK,
    EXIT_UNAVAILABLE,
    CommandError,
    load,
    plain,
    run_command,
    say,
)
from dexter_tui.config import add_connection_arguments

DESCRIPTION = "Show or clear the offline cache."
EPILOG = """\
examples:
  dexter cache info
  dexter cache info --json
  dexter cache clear            # this profile's Sentry and org
  dexter cache clear --all      # everything
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="cache_action", metavar="ACTION", required=True)
    info = actions.add_parser(
        "info",
        help="where the cache is, its size, what it holds",
        description="Where the offline cache is, its size, and what it holds per URL/org/profile.",
        epilog="examples:\n  dexter cache info\n  dexter cache info --json | jq .payloadBytes",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_connection_arguments(info)
    info.add_argument("--json", action="store_true", help="one JSON object")
    clear = actions.add_parser(
        "clear",
        help="delete this profile's cached data (--all: all)",
        description="Delete the cached data of this Sentry URL, org and profile (--all: all).",
        epilog="examples:\n  dexter cache clear\n  dexter --profile work cache clear\n"
        "  dexter cache clear --all",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_connection_arguments(clear)
    clear.add_argument("--all", action="store_true", help="every Sentry, org and profile")


def run(args: argparse.Namespace) -> int:
    async def body() -> int:
        return _run(args)

    return run_command(body)


def _when(epoch: float | None) -> str | None:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch)) if epoch else None


def _run(args: argparse.Namespace) -> int:
    from dexter_tui.services.cache import CacheError, OfflineCache

    # `cache clear --all` and `cache info` make sense before any org is configured
    settings = load(args, need_token=False, need_org=False)
    try:
        cache = OfflineCache.for_settings(settings)
    except CacheError as error:
        raise CommandError(str(error), EXIT_UNAVAILABLE) from None
    with cache:
        try:
            if args.cache_action == "clear":
                removed = cache.clear(every_scope=args.all)
                where = "every profile" if args.all else plain(cache.scope.label)
                noun = "entry" if removed == 1 else "entries"
                say(f"dexter: removed {removed} cached {noun} ({where})")
                return EXIT_OK
            info = cache.info()
        except CacheError as error:
            raise CommandError(str(error), EXIT_UNAVAILABLE) from None
    if args.json:
        print(
            json.dumps(
                {
                    "path": str(info.path),
                    "fileBytes": info.file_bytes,
                    "payloadBytes": info.payload_bytes,
                    "maxBytes": info.max_bytes,
                    "current": cache.scope.label,
                    "scopes": info.scopes,
                    "oldest": _when(info.oldest),
                    "newest": _when(info.newest),
                },
                ensure_ascii=True,
            )
        )
        return EXIT_OK
    print(f"path      {info.path} (mode 0600)")
    print(
        f"size      {info.file_bytes / 1024:,.0f} KiB on disk, "
        f"{info.payload_bytes / 1024:,.0f} KiB of data, cap {info.max_bytes / 1048576:,.0f} MiB"
    )
    print(f"current   {plain(cache.scope.label)}")
    if info.oldest:
        print(f"entries   from {_when(info.oldest)} to {_when(info.newest)}")
    if not info.scopes:
        print("          (empty)")
    for label, kinds in sorted(info.scopes.items()):
        counts = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
        print(f"  {plain(label)}: {counts}")
    return EXIT_OK
