"""`dexter issues list|show|resolve|…`: Sentry issues from scripts, with the TUI's services.

Same settings, client, query syntax, bulk service (≤100 ids per request, per-issue outcome, the
action log) and priority score as the TUI. Data goes to stdout; the "talking to" line, summaries
and errors go to stderr. Exit status: see `session.EXIT_CODES_HELP`.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from typing import Any

from dexter_tui.commands.session import (
    EXIT_AUTH,
    EXIT_CODES_HELP,
    EXIT_NOT_FOUND,
    EXIT_OK,
    EXIT_PARTIAL,
    EXIT_UNAVAILABLE,
    EXIT_USAGE,
    CommandError,
    confirm,
    load,
    make_client,
    plain,
    run_command,
    say,
    state_path,
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
    ls.add_argument("--sort", choices=SORTS, help="order (priority: dexter's score)")
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
    return run_command(lambda: _act(args))


# -- shared ----------------------------------------------------------------------------------------


def open_cache(settings: Any) -> Any:
    """The offline cache for these settings, or None (with a note) when it cannot be used."""
    from dexter_tui.services.cache import CacheError, OfflineCache

    try:
        return OfflineCache.for_settings(settings)
    except CacheError as error:
        say(f"dexter: offline cache unavailable: {plain(str(error))}")
        return None


def cache_write(cache: Any, method: str, *a: Any, **kw: Any) -> None:
    if cache is None:
        return
    from dexter_tui.services.cache import CacheError

    try:
        getattr(cache, method)(*a, **kw)
    except CacheError as error:
        say(f"dexter: could not update the offline cache: {plain(str(error))}")


def _since(fetched_at: float) -> str:
    minutes = int(max(0.0, time.time() - fetched_at) // 60)
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(fetched_at))
    age = f"{minutes} min ago" if minutes < 120 else f"{minutes // 60} h ago"
    return f"{when}, {age}"


def issue_ref(text: str) -> str:
    """An issue id from a Sentry issue URL, else the text as given (id or short id)."""
    match = _URL_ISSUE_RE.search(text)
    if "://" in text and match:
        return match.group(1)
    return text.strip()


async def resolve_issue_id(client: Any, org: str, ref: str) -> str:
    """Numeric ids pass through; short ids are looked up (NotFound when unknown)."""
    ref = issue_ref(ref)
    if ref.isdigit():
        return ref
    found = await client.lookup_short_id(org, ref)
    if not found.group_id:
        from dexter_tui.sentry.errors import NotFound

        raise NotFound(f"no issue with short id {ref}")
    return found.group_id


async def _project_ids(client: Any, settings: Any, cache: Any) -> list[str]:
    if not settings.project:
        return []
    from dexter_tui.services.workspace import Workspace

    projects = await client.list_projects(settings.org)
    cache_write(cache, "put_projects", projects)
    try:
        return Workspace(settings.org, projects=projects).project_ids(list(settings.project))
    except LookupError as error:
        raise CommandError(str(error), EXIT_NOT_FOUND) from None


def _search(args: argparse.Namespace, settings: Any, query: str | None) -> Any:
    from dexter_tui.services.issues import IssueQuery

    return IssueQuery(
        query=query if query is not None else settings.default_query,
        sort=getattr(args, "sort", None) or settings.default_sort,
        period=args.period or settings.default_period,
        environments=tuple(args.env or settings.default_environment),
    )


def _cached_project_ids(cache: Any, settings: Any) -> tuple[str, ...] | None:
    """Project ids for `--project` slugs from the cached project list (None: unknown)."""
    if not settings.project:
        return ()
    projects = _try(cache.projects) if cache is not None else None
    by_slug = {p.slug: p.id for p in projects or []}
    if not all(slug in by_slug for slug in settings.project):
        return None
    return tuple(by_slug[slug] for slug in settings.project)


def _offline_key(cache: Any, search: Any, settings: Any) -> str | None:
    from dexter_tui.services.cache import list_key_for

    ids = _cached_project_ids(cache, settings)
    return None if ids is None else list_key_for(search.with_(projects=ids))


# -- list ------------------------------------------------------------------------------------------


async def _list(args: argparse.Namespace) -> int:
    from dexter_tui.commands.issue_output import check_template, writer_for
    from dexter_tui.sentry.errors import SentryError
    from dexter_tui.services.issues import IssueFeed

    if args.format:
        check_template(args.format)
    settings = load(args, need_token=not args.offline)
    search = _search(args, settings, args.query)
    limit = None if args.all else (args.limit or DEFAULT_LIMIT)
    now = time.time()
    writer = writer_for(args, search.stats_key, now)
    cache = open_cache(settings)
    if args.offline:
        return _list_offline(cache, _offline_key(cache, search, settings), search, limit, writer)

    by_priority = search.sort == "priority"
    try:
        async with make_client(settings) as client:
            search = search.with_(projects=tuple(await _project_ids(client, settings, cache)))
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
        key = _offline_key(cache, search, settings)
        if cache is not None and key is not None and exit_code(error) == EXIT_UNAVAILABLE:
            cached = _try(cache.issue_list, key)
            if cached is not None:
                say(
                    f"dexter: cached data from {_since(cached.fetched_at)} is available: "
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


def exit_code(error: BaseException) -> int:
    from dexter_tui.commands.session import exit_code_for

    return exit_code_for(error)


def _try(call: Any, *a: Any) -> Any:
    from dexter_tui.services.cache import CacheError

    try:
        return call(*a)
    except CacheError:
        return None


def _list_offline(cache: Any, key: str | None, search: Any, limit: int | None, writer: Any) -> int:
    from dexter_tui.services.issues import priority_of

    if cache is None:
        raise CommandError("--offline: the offline cache cannot be read", EXIT_UNAVAILABLE)
    cached = _try(cache.issue_list, key) if key is not None else None
    if cached is None:
        raise CommandError(
            "offline: nothing cached for this search, sort, period, environments and projects; "
            "run it once while Sentry is reachable",
            EXIT_NOT_FOUND,
        )
    say(f"dexter: offline — showing cached data from {_since(cached.fetched_at)}")
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
        cached = _try(cache.issue, issue_ref(args.issue))
        if cached is None:
            raise CommandError(f"offline: {args.issue} is not in the cache", EXIT_NOT_FOUND)
        say(f"dexter: offline — showing cached data from {_since(cached.fetched_at)}")
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


# -- bulk verbs ------------------------------------------------------------------------------------


def _build_action(args: argparse.Namespace, assignee: Any = None) -> Any:
    from dexter_tui.services import actions

    verb = args.verb
    if verb == "resolve":
        return actions.resolve()
    if verb == "unresolve":
        return actions.unresolve()
    if verb == "ignore":
        if args.ignore_for:
            spec = actions.IgnoreSpec("duration", minutes=args.ignore_for)
        elif args.until_escalating:
            spec = actions.IgnoreSpec("until_escalating")
        elif args.ignore_count:
            spec = actions.IgnoreSpec("count", minutes=args.window, count=args.ignore_count)
        elif args.ignore_users:
            spec = actions.IgnoreSpec("users", minutes=args.window, count=args.ignore_users)
        else:
            spec = actions.IgnoreSpec("forever")
        return actions.ignore(spec)
    if verb == "assign":
        return actions.assign(assignee)
    if verb == "unassign":
        return actions.unassign()
    if verb == "bookmark":
        return actions.bookmark(not args.off)
    if verb == "merge":
        return actions.merge()
    return actions.delete()


def find_assignee(who: str, workspace: Any) -> Any:
    """`me`, `user:ID`, `team:ID`, `#team`, an email, a username or a name."""
    options = workspace.assignees()
    wanted = who.strip()
    if wanted.lower() == "me":
        if workspace.me is None:
            raise CommandError("--to me: Sentry did not say who the token belongs to", EXIT_USAGE)
        return workspace.me
    for option in options:
        if wanted in (option.actor, option.label) or (
            option.email and wanted.lower() == option.email.lower()
        ):
            return option
    matches = [o for o in options if o.name.lower() == wanted.lstrip("#").lower()]
    if wanted.startswith("#"):
        matches = [o for o in matches if o.kind == "team"]
    if len(matches) == 1:
        return matches[0]
    known = ", ".join(o.label for o in options[:12]) or "none visible"
    reason = "matches several" if matches else "matches no member or team"
    raise CommandError(f"--to {who}: {reason} (some: {known})", EXIT_NOT_FOUND)


async def _targets(args: argparse.Namespace, settings: Any, client: Any) -> tuple[list, dict]:
    """The issues to act on, and the references that matched none (ref -> reason)."""
    from dexter_tui.sentry.errors import NotFound
    from dexter_tui.services.issues import IssueFeed

    if args.query is not None:
        search = _search(args, settings, args.query)
        search = search.with_(projects=tuple(await _project_ids(client, settings, None)))
        feed = IssueFeed(client, settings.org, search, page_size=100)
        await feed.load_first()
        while feed.has_more:
            await feed.load_more()
        return feed.ordered(), {}
    import asyncio

    async def one(ref: str) -> Any:
        issue_id = await resolve_issue_id(client, settings.org, ref)
        return await client.get_issue(settings.org, issue_id)

    results = await asyncio.gather(*(one(r) for r in args.ids), return_exceptions=True)
    issues, missing = [], {}
    for ref, result in zip(args.ids, results, strict=True):
        if isinstance(result, NotFound):
            missing[ref] = "not found"
        elif isinstance(result, BaseException):
            raise result
        elif result.id not in {i.id for i in issues}:
            issues.append(result)
    return issues, missing


def _code_for_reason(reason: str) -> int:
    status = reason.split(" ", 1)[0]
    if status in ("401", "403"):
        return EXIT_AUTH
    if status in ("404", "204"):
        return EXIT_NOT_FOUND
    if status.isdigit() and status not in ("429",) and int(status) < 500:
        return EXIT_PARTIAL
    return EXIT_UNAVAILABLE


async def _act(args: argparse.Namespace) -> int:
    from dexter_tui.commands.issue_output import dumps
    from dexter_tui.services.action_log import ActionLog
    from dexter_tui.services.bulk import BulkService

    if bool(args.ids) == (args.query is not None):
        raise CommandError(
            f"issues {args.verb}: give issue ids or --query Q (one of the two)", EXIT_USAGE
        )
    settings = load(args)
    log_path = state_path("actions.jsonl")
    async with make_client(settings) as client:
        assignee = None
        assignees: list[Any] = []
        if args.verb == "assign":
            from dexter_tui.services.workspace import load_workspace

            workspace = await load_workspace(client, settings.org)
            assignees = workspace.assignees()
            assignee = find_assignee(args.to, workspace)
        action = _build_action(args, assignee)
        bulk = BulkService(
            client,
            settings.org,
            ActionLog(log_path),
            assignees=assignees,
            read_only=settings.read_only,
        )
        if settings.read_only and not args.dry_run:
            raise CommandError(
                f"read-only mode ({settings.sources.get('read_only')}): nothing is changed",
                EXIT_USAGE,
            )
        issues, missing = await _targets(args, settings, client)
        out = sys.stdout
        for ref, why in missing.items():
            out.write(
                dumps({"ref": ref, "outcome": "failed", "reason": why}) + "\n"
                if args.json
                else f"{plain(ref)}\tfailed\t{why}\n"
            )
        if not issues:
            say("dexter: no issue to act on")
            return EXIT_NOT_FOUND if missing else EXIT_OK
        noun = "issue" if len(issues) == 1 else "issues"
        problem = bulk.check(action, len(issues))
        if problem and not args.dry_run:
            raise CommandError(problem, EXIT_USAGE)
        if args.dry_run:
            say(f"dexter: dry run — would {action.label.lower()} {len(issues)} {noun}:")
            for issue in issues:
                out.write(
                    dumps({"id": issue.id, "shortId": issue.short_id, "outcome": "would change"})
                    + "\n"
                    if args.json
                    else f"{plain(issue.short_id)}\t{issue.id}\t{plain(issue.title)}\n"
                )
            return EXIT_PARTIAL if missing else EXIT_OK
        if action.destructive or not action.undoable or settings.confirm == "always":
            confirm(f"{action.label} {len(issues)} {noun}?", assume_yes=args.yes)
        outcome = await bulk.apply(action, issues)
    by_id = {i.id: i for i in issues}
    for issue_id in outcome.ids:
        issue = by_id[issue_id]
        reason = outcome.failed.get(issue_id)
        if args.json:
            item = {
                "id": issue_id,
                "shortId": issue.short_id,
                "outcome": "failed" if reason else "ok",
            }
            if reason:
                item["reason"] = reason
            if outcome.merge_parent and not reason:
                item["mergedInto"] = outcome.merge_parent
            out.write(dumps(item) + "\n")
        else:
            out.write(
                f"{plain(issue.short_id)}\t{'failed' if reason else 'ok'}"
                + (f"\t{plain(reason)}" if reason else "")
                + "\n"
            )
    out.flush()
    if outcome.merge_parent:
        parent = by_id.get(outcome.merge_parent)
        say(f"dexter: merged into {plain(parent.short_id if parent else outcome.merge_parent)}")
    say(f"dexter: {plain(outcome.summary)}; recorded in {log_path}")
    if not outcome.failed and not missing:
        return EXIT_OK
    if outcome.succeeded:
        return EXIT_PARTIAL
    if missing and not outcome.failed:
        return EXIT_NOT_FOUND
    codes = {_code_for_reason(r) for r in outcome.failed.values()}
    return codes.pop() if len(codes) == 1 and not missing else EXIT_PARTIAL
