"""`dexter issues resolve|unresolve|ignore|assign|unassign|bookmark|merge|delete`.

Through the TUI's bulk service: explicit ids, ≤100 per request, a per-issue outcome on stdout and
the action log. `--dry-run` lists and sends nothing; delete and merge (which cannot be undone) ask
unless `--yes`, and refuse without a terminal to ask.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from dexter_tui.commands.issue_lookup import project_ids, resolve_issue_id, search_for
from dexter_tui.commands.session import (
    EXIT_AUTH,
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
    say,
    state_path,
)


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
        search = search_for(args, settings, args.query)
        search = search.with_(projects=tuple(await project_ids(client, settings, None)))
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


async def run_verb(args: argparse.Namespace) -> int:
    from dexter_tui.commands.issue_output import dumps
    from dexter_tui.services.action_log import ActionLog
    from dexter_tui.services.bulk import BulkService

    if bool(args.ids) == (args.query is not None):
        raise CommandError(
            f"issues {args.verb}: give issue ids or --query Q (one of the two)", EXIT_USAGE
        )
    settings = load(args)
    if settings.read_only and not args.dry_run:
        raise CommandError(
            f"read-only mode ({settings.sources.get('read_only')}): nothing is changed",
            EXIT_USAGE,
        )
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
    codes = {_code_for_reason(r) for r in outcome.failed.values()}
    return codes.pop() if len(codes) == 1 and not missing else EXIT_PARTIAL
