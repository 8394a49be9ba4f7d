"""`dexter events show EVENT_ID | latest|oldest|recommended ISSUE [--json]`.

One event: by its id (found org-wide through Sentry's event-id lookup), or the latest/oldest/
recommended event of an issue. Plain output is the exception chain with its in-app frames, the
tags and the last breadcrumbs, with every value shown literally; `--json` is the event as Sentry
sent it (ASCII-escaped). Viewed events are kept in the offline cache (`--offline` reads it).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from dexter_tui.commands.session import (
    EXIT_CODES_HELP,
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    CommandError,
    load,
    make_client,
    plain,
    run_command,
    say,
)
from dexter_tui.config import add_connection_arguments

NAMED = ("latest", "oldest", "recommended")
DESCRIPTION = "Show one Sentry event."
EPILOG = f"""\
examples:
  dexter events show latest CHECKOUT-API-1F
  dexter events show oldest 123456789 --json | jq '.entries[0]'
  dexter events show 9fa3c8d2e1b84f0a8c4d1e2f3a4b5c6d

{EXIT_CODES_HELP}
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="events_action", metavar="ACTION", required=True)
    show = actions.add_parser(
        "show",
        help="show an event: EVENT_ID, or latest|oldest|recommended ISSUE",
        description="Show an event: EVENT_ID, or latest|oldest|recommended ISSUE.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_connection_arguments(show)
    show.add_argument("event", metavar="EVENT_ID|latest|oldest|recommended")
    show.add_argument("issue", nargs="?", metavar="ISSUE", help="issue id, short id or URL")
    show.add_argument("--json", action="store_true", help="the event as Sentry sent it")
    show.add_argument("--offline", action="store_true", help="read the offline cache")
    show.add_argument(
        "--frames", type=int, default=8, metavar="N", help="frames per exception (default 8)"
    )


def run(args: argparse.Namespace) -> int:
    return run_command(lambda: _show(args))


async def _show(args: argparse.Namespace) -> int:
    from dexter_tui.commands.issue_lookup import (
        cache_write,
        issue_ref,
        open_cache,
        resolve_issue_id,
        try_cache,
    )
    from dexter_tui.commands.issue_output import dumps
    from dexter_tui.services.events import event_json

    named = args.event in NAMED
    if named and not args.issue:
        raise CommandError(f"events show {args.event}: which issue? (ID or SHORTID)", EXIT_USAGE)
    settings = load(args, need_token=not args.offline)
    cache = open_cache(settings)
    if args.offline:
        if cache is None:
            raise CommandError("--offline: the offline cache cannot be read", EXIT_UNAVAILABLE)
        issue_id = try_cache(cache.issue_id_for, issue_ref(args.issue)) if args.issue else None
        cached = try_cache(cache.event, args.event, issue_id)
        if cached is None:
            raise CommandError("offline: this event is not in the cache", EXIT_NOT_FOUND)
        stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(cached.fetched_at))
        say(f"dexter: offline — showing cached data from {stamp}")
        event = cached.value
    else:
        async with make_client(settings) as client:
            issue_id = None
            if args.issue:
                issue_id = await resolve_issue_id(client, settings.org, args.issue)
                event = await client.get_issue_event(settings.org, issue_id, args.event)
            else:
                found = await client.lookup_event_id(settings.org, args.event)
                issue_id = found.group_id
                event = found.event
                if event is None or not event.entries:
                    event = await client.get_project_event(
                        settings.org, found.project_slug or "", args.event
                    )
        cache_write(cache, "put_event", issue_id, event, which=args.event if named else None)
    if args.json:
        print(dumps(event_json(event)))
        return EXIT_OK
    print(render_event(event, frames=max(1, args.frames)))
    return EXIT_OK


def render_event(event: Any, *, frames: int = 8) -> str:
    """What broke, where and in what context — every value literal."""
    from dexter_tui.services.events import breadcrumb_views, exception_chain

    when = event.date_created.isoformat().replace("+00:00", "Z") if event.date_created else "-"
    lines = [
        plain(event.title or event.message or "(no title)"),
        f"  event     {plain(event.event_id or event.id)}",
        f"  issue     {plain(event.group_id or '-')}",
        f"  date      {plain(when)}",
    ]
    if event.culprit:
        lines.append(f"  culprit   {plain(event.culprit)}")
    if event.release and getattr(event.release, "version", None):
        lines.append(f"  release   {plain(event.release.version)}")
    user = event.user
    if user is not None:
        who = user.email or user.username or user.id or user.ip_address or "-"
        lines.append(f"  user      {plain(who)}")
    for view in exception_chain(event, in_app_only=True):
        lines.append("")
        if view.relation:
            lines.append(plain(view.relation))
        lines.append(f"{plain(view.type)}: {plain(view.value)}")
        shown = view.stack.frames[-frames:]
        if len(view.stack.frames) > len(shown):
            lines.append(f"  … {len(view.stack.frames) - len(shown)} earlier frame(s)")
        for frame in shown:
            where = frame.location + (f" in {frame.function}" if frame.function else "")
            lines.append(f"  {plain(where)}")
            source = next((text for n, text in frame.context if n == frame.line_no), "")
            if source.strip():
                lines.append(f"      {plain(source.strip())}")
    if event.tags:
        lines.append("")
        lines.append("tags:")
        for tag in event.tags:
            lines.append(f"  {plain(tag.key)} = {plain(tag.value)}")
    crumbs = breadcrumb_views(event)[-5:]
    if crumbs:
        lines.append("")
        lines.append("last breadcrumbs:")
        for crumb in crumbs:
            lines.append(f"  {plain(crumb.category)}  {plain(crumb.message)}")
    return "\n".join(lines)
