"""`dexter issues list|show|resolve|…`: Sentry issues from scripts, with the TUI's services.

Same settings, client, query syntax, bulk service (≤100 ids per request, per-issue outcome, the
action log) and priority score as the TUI. Data goes to stdout; the "talking to" line, summaries
and errors go to stderr. Exit status: see `session.EXIT_CODES_HELP`.
"""

from __future__ import annotations

import argparse
import re
import time
from typing import Any

from dexter_tui.commands.issue_lookup import (
    cache_write,
    issue_ref,
    offline_key,
    open_cache,
    project_ids,
    resolve_issue_id,
    search_for,
    since,
    try_cache,
)
from dexter_tui.commands.session import (
    EXIT_CODES_HELP,
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_UNAVAILABLE,
    CommandError,
    exit_code_for,
    load,
    make_client,
    plain,
    run_command,
    say,
)
from dexter_tui.config import SORTS, add_connection_arguments

DESCRIPTION = "List, show and act on Sentry issues from scripts."
EPILOG = f"""\
examples:
  dexter issues list                                   # unresolved issues, newest first
  dexter issues list 'is:unresolved level:error' --period 24h --json | jq .shortId
  dexter issues list --project checkout-api --sort priority --limit 10
  dexter issues list --all --csv > issues.csv
  dexter issues list --format '{{shortId}} {{count}} {{title}}'
  dexter issues list --offline                         # what was cached, when Sentry is down
  dexter issues show CHECKOUT-API-1F --events 5
  dexter issues resolve CHECKOUT-API-1F CHECKOUT-API-2A
  dexter issues resolve --query 'release:1.4.2' --dry-run
  dexter issues ignore --for 2h 123456789
  dexter issues assign --to me CHECKOUT-API-1F
  dexter issues delete --query 'is:resolved age:+30d' --yes

{EXIT_CODES_HELP}
"""

DEFAULT_LIMIT = 100
VERBS = ("resolve", "unresolve", "ignore", "assign", "unassign", "bookmark", "merge", "delete")
_DURATION_RE = re.compile(r"^(\d+)([mhdw])$")
_URL_ISSUE_RE = re.compile(r"/issues/(\d+)")


def _period(value: str) -> str:
    if not re.match(r"^\d+[smhdw]$", value):
        raise argparse.ArgumentTypeError("a period like 1h, 24h, 14d or 2w")
    return value


def _minutes(value: str) -> int:
    match = _DURATION_RE.match(value)
    if not match:
        raise argparse.ArgumentTypeError("a duration like 30m, 2h, 1d or 1w")
    n, unit = int(match.group(1)), match.group(2)
    return n * {"m": 1, "h": 60, "d": 1440, "w": 10080}[unit]


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError("a whole number >= 1") from None
    if n < 1:
        raise argparse.ArgumentTypeError("a whole number >= 1")
    return n


def _sub(actions: Any, name: str, help_text: str, epilog: str) -> argparse.ArgumentParser:
    parser = actions.add_parser(
        name,
        help=help_text,
        description=help_text,
        epilog=f"examples:\n{epilog}\n\n{EXIT_CODES_HELP}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_connection_arguments(parser)
    return parser


def _add_search_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--env", action="append", metavar="ENV", help="environment (repeatable; default: config)"
    )
    parser.add_argument(
        "--period", type=_period, help="stats period: 1h, 24h, 14d… (default: config, 14d)"
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="issues_action", metavar="ACTION", required=True)

    ls = _sub(
        actions,
        "list",
        "list issues matching a Sentry search (one page of 100 unless --limit/--all)",
        "  dexter issues list 'is:unresolved level:fatal' --period 1h --json\n"
        "  dexter issues list --all --format '{shortId} {project[slug]} {title}'\n"
        "  dexter issues list --offline --md",
    )
    ls.add_argument("query", nargs="?", help="Sentry search (default: config, is:unresolved)")
    _add_search_options(ls)
    ls.add_argument(
        "--sort",
        choices=SORTS,
        help="order (priority: dexter's score, ranked here: prints once everything is fetched)",
    )
    many = ls.add_mutually_exclusive_group()
    many.add_argument("--limit", type=_positive, metavar="N", help="at most N issues (100)")
    many.add_argument("--all", action="store_true", help="every page, printed as it arrives")
    fmt = ls.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="one JSON object per line (see README)")
    fmt.add_argument("--csv", action="store_true", help="CSV, as the TUI exports it")
    fmt.add_argument("--md", action="store_true", help="a Markdown table")
    fmt.add_argument("--format", metavar="TEMPLATE", help="e.g. '{shortId} {title}'")
    ls.add_argument(
        "--offline", action="store_true", help="read the offline cache; send no request"
    )

    show = _sub(
        actions,
        "show",
        "show one issue (id, short id or Sentry issue URL)",
        "  dexter issues show CHECKOUT-API-1F\n  dexter issues show 123456789 --events 10 --json",
    )
    show.add_argument("issue", metavar="ID|SHORTID|URL")
    show.add_argument(
        "--events", type=_positive, default=0, metavar="N", help="also the latest N events"
    )
    show.add_argument("--json", action="store_true", help="one JSON object (see README)")
    show.add_argument("--offline", action="store_true", help="read the offline cache")

    for verb in VERBS:
        _add_verb(actions, verb)


_VERB_HELP = {
    "resolve": "mark issues resolved",
    "unresolve": "mark issues unresolved",
    "ignore": "ignore (archive) issues: forever, --for 2h, --until-escalating, --count N",
    "assign": "assign issues to --to WHO (me, an email, a username, #team)",
    "unassign": "remove the assignee",
    "bookmark": "bookmark issues (--off removes the bookmark)",
    "merge": "merge 2-100 issues of one project into one (cannot be undone; asks)",
    "delete": "delete issues (cannot be undone; asks)",
}


def _add_verb(actions: Any, verb: str) -> None:
    example = {
        "ignore": "  dexter issues ignore --for 2h API-12 API-13",
        "assign": "  dexter issues assign --to me API-12\n"
        "  dexter issues assign --to '#backend' --query 'is:unassigned' --dry-run",
        "merge": "  dexter issues merge API-12 API-13 --yes",
        "delete": "  dexter issues delete --query 'is:resolved' --dry-run",
    }.get(verb, f"  dexter issues {verb} API-12 API-13\n  dexter issues {verb} --query 'QUERY'")
    parser = _sub(actions, verb, _VERB_HELP[verb], example)
    parser.set_defaults(verb=verb)
    parser.add_argument("ids", nargs="*", metavar="ID", help="issue ids, short ids or URLs")
    parser.add_argument("--query", metavar="Q", help="act on every issue this search matches")
    _add_search_options(parser)
    parser.add_argument("--dry-run", action="store_true", help="list what would change; send none")
    parser.add_argument("--yes", "-y", action="store_true", help="do not ask (scripts)")
    parser.add_argument("--json", action="store_true", help="outcomes as JSON lines")
    if verb == "ignore":
        how = parser.add_mutually_exclusive_group()
        how.add_argument("--for", dest="ignore_for", type=_minutes, metavar="DURATION")
        how.add_argument("--until-escalating", action="store_true")
        how.add_argument("--count", dest="ignore_count", type=_positive, metavar="N")
        how.add_argument("--users", dest="ignore_users", type=_positive, metavar="N")
        parser.add_argument(
            "--window", type=_minutes, metavar="DURATION", help="window of --count/--users"
        )
    if verb == "assign":
        parser.add_argument("--to", required=True, metavar="WHO", help="me, email, user, #team")
    if verb == "bookmark":
        parser.add_argument("--off", action="store_true", help="remove the bookmark")


def run(args: argparse.Namespace) -> int:
    action = args.issues_action
    if action == "list":
        return run_command(lambda: _list(args))
    if action == "show":
        return run_command(lambda: _show(args))
    from dexter_tui.commands.issue_verbs import run_verb

    return run_command(lambda: run_verb(args))


# -- list ------------------------------------------------------------------------------------------


async def _list(args: argparse.Namespace) -> int:
    from dexter_tui.commands.issue_output import check_template, writer_for
    from dexter_tui.sentry.errors import SentryError
    from dexter_tui.services.issues import IssueFeed

    if args.format:
        check_template(args.format)
    settings = load(args, need_token=not args.offline)
    search = search_for(args, settings, args.query)
    limit = None if args.all else (args.limit or DEFAULT_LIMIT)
    now = time.time()
    writer = writer_for(args, search.stats_key, now)
    cache = open_cache(settings)
    if args.offline:
        return _list_offline(cache, offline_key(cache, search, settings), search, limit, writer)

    by_priority = search.sort == "priority"
    try:
        async with make_client(settings) as client:
            search = search.with_(projects=tuple(await project_ids(client, settings, cache)))
            # priority is sorted here: rank at least a full page, not just the first N by date
            size = 100 if by_priority else min(100, limit or 100)
            feed = IssueFeed(client, settings.org, search, page_size=size)
            page = await feed.load_first()
            emitted = 0
            while True:
                if not by_priority:
                    chunk = page if limit is None else page[: max(0, limit - emitted)]
                    writer.page(chunk)
                    emitted += len(chunk)
                if (limit is not None and len(feed.order) >= limit) or not feed.has_more:
                    break
                page = await feed.load_more()
    except SentryError as error:
        key = offline_key(cache, search, settings)
        if cache is not None and key is not None and exit_code_for(error) == EXIT_UNAVAILABLE:
            cached = try_cache(cache.issue_list, key)
            if cached is not None:
                say(
                    f"dexter: cached data from {since(cached.fetched_at)} is available: "
                    "add --offline"
                )
        raise
    issues = feed.ordered()
    if by_priority:
        issues.sort(key=lambda i: -feed.priority(i).total)
        writer.page(issues if limit is None else issues[:limit])
    writer.finish()
    from dexter_tui.services.cache import list_key_for

    cache_write(cache, "put_issue_list", list_key_for(search), feed.ordered(), hits=feed.hits)
    total = f" of {feed.hits:,}" if feed.hits is not None else ""
    say(f"dexter: {writer.count} issue(s){total}")
    return EXIT_OK


def _list_offline(cache: Any, key: str | None, search: Any, limit: int | None, writer: Any) -> int:
    from dexter_tui.services.issues import priority_of

    if cache is None:
        raise CommandError("--offline: the offline cache cannot be read", EXIT_UNAVAILABLE)
    cached = try_cache(cache.issue_list, key) if key is not None else None
    if cached is None:
        raise CommandError(
            "offline: nothing cached for this search, sort, period, environments and projects; "
            "run it once while Sentry is reachable",
            EXIT_NOT_FOUND,
        )
    say(f"dexter: offline — showing cached data from {since(cached.fetched_at)}")
    issues = list(cached.issues)
    if search.sort == "priority":
        issues.sort(key=lambda i: -priority_of(i, search.stats_key, time.time()).total)
    writer.page(issues if limit is None else issues[:limit])
    writer.finish()
    say(f"dexter: {writer.count} cached issue(s)")
    return EXIT_OK


# -- show ------------------------------------------------------------------------------------------


async def _show(args: argparse.Namespace) -> int:
    from dexter_tui.commands.issue_output import dumps
    from dexter_tui.services.issue_records import issue_record

    settings = load(args, need_token=not args.offline)
    cache = open_cache(settings)
    events: list[Any] = []
    if args.offline:
        if cache is None:
            raise CommandError("--offline: the offline cache cannot be read", EXIT_UNAVAILABLE)
        cached = try_cache(cache.issue, issue_ref(args.issue))
        if cached is None:
            raise CommandError(f"offline: {args.issue} is not in the cache", EXIT_NOT_FOUND)
        say(f"dexter: offline — showing cached data from {since(cached.fetched_at)}")
        issue = cached.value
    else:
        async with make_client(settings) as client:
            issue_id = await resolve_issue_id(client, settings.org, args.issue)
            issue = await client.get_issue(settings.org, issue_id)
            if args.events:
                page = await client.list_issue_events(
                    settings.org, issue_id, per_page=min(100, args.events)
                )
                events = list(page.items)[: args.events]
        cache_write(cache, "put_issue", issue)
    record = issue_record(issue, "24h", time.time())
    if args.events and not args.offline:
        record["events"] = [
            e.model_dump(mode="json", by_alias=True, exclude_unset=True) for e in events
        ]
    if args.json:
        print(dumps(record))
        return EXIT_OK
    print(render_issue(issue, record, events))
    return EXIT_OK


def render_issue(issue: Any, record: dict[str, Any], events: list[Any]) -> str:
    """The issue for a person: what broke, where, how often, since when, who owns it."""
    from dexter_tui.commands.issue_output import ago
    from dexter_tui.services.export import rows

    now = time.time()
    row = rows([issue])[0]
    prio = record["dexter"]["priority"]
    parts = ", ".join(f"{k} {v:g}" for k, v in prio["parts"].items())
    status = issue.status + (f" ({issue.substatus})" if issue.substatus else "")
    lines = [
        f"{plain(issue.short_id)}  {plain(issue.title)}",
        f"  culprit   {plain(issue.culprit or '-')}",
        f"  project   {plain(issue.project.slug if issue.project else '-')}",
        f"  status    {plain(status)} · level {plain(issue.level)}"
        + (" · bookmarked" if issue.is_bookmarked else ""),
        f"  priority  {prio['score']:g} ({parts})",
        f"  events    {issue.count:,} · users {issue.user_count:,}",
        f"  first     {plain(row['first_seen'])} ({ago(issue.first_seen, now)} ago)",
        f"  last      {plain(row['last_seen'])} ({ago(issue.last_seen, now)} ago)",
    ]
    first = issue.first_release.version if issue.first_release else None
    last = issue.last_release.version if issue.last_release else None
    if first or last:
        lines.append(f"  release   first {plain(first or '-')} · last {plain(last or '-')}")
    lines.append(f"  assignee  {plain(row['assignee'] or '-')}")
    lines.append(f"  id        {issue.id}")
    if issue.permalink:
        lines.append(f"  link      {plain(issue.permalink)}")
    if events:
        lines.append("")
        lines.append("latest events:")
        for event in events:
            when = (
                event.date_created.isoformat().replace("+00:00", "Z") if event.date_created else ""
            )
            lines.append(
                f"  {plain(event.event_id or event.id)}  {plain(when)}  "
                f"{plain(event.title or event.message)}"
            )
    return "\n".join(lines)
