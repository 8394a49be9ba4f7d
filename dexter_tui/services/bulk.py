"""Send an issue action for many issues and report, per issue, how it went.

The client sends ≤100 explicit ids per request (never a status update without ids) and isolates
failing ids; this layer adds what a person needs around that: the state before (for undo), the
issues as they are after (so rows update without a refetch), and an action-log entry.

A write Sentry answered 2xx has happened even when its answer cannot be read: such ids are
re-fetched to find out, and whatever that check finds (or fails to find) is logged — never
"failed", never lost.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dexter_tui.sentry.client import BulkResult, SentryClient
from dexter_tui.sentry.errors import (
    BadResponse,
    NetworkError,
    NotFound,
    ReadOnlyError,
    SentryError,
    redact_credentials,
)
from dexter_tui.sentry.models import Assignee as AssigneeModel
from dexter_tui.sentry.models import BulkUpdateResponse, Issue
from dexter_tui.services.action_log import ActionEntry, ActionLog
from dexter_tui.services.actions import (
    Assignee,
    IssueAction,
    IssueState,
    lost_on_undo,
    merge_problem,
    undo_plan,
)

#: The outcome of an id whose request was sent but whose result could not be established.
UNKNOWN = "sent, outcome unknown — verify"


def state_of(issue: Issue) -> IssueState:
    who = issue.assigned_to
    return IssueState(
        status=issue.status,
        substatus=issue.substatus,
        status_details=dict(issue.status_details),
        assignee=f"{who.type}:{who.id}" if who else None,
        is_bookmarked=issue.is_bookmarked,
        has_seen=issue.has_seen,
        priority=issue.priority,
        in_inbox=bool(issue.inbox),
    )


def reason(error: SentryError | BaseException) -> str:
    """One line for the toast and the action log: status and message, URL credentials redacted."""
    status = getattr(error, "status", None)
    text = redact_credentials(str(error) or type(error).__name__)
    return f"{status} {text}" if status and not text.startswith(str(status)) else text


def apply_locally(
    issue: Issue, payload: Mapping[str, Any], assignees: Mapping[str, Assignee]
) -> Issue:
    """The issue as Sentry will show it after `payload` succeeded (until the next refresh)."""
    update: dict[str, Any] = {}
    if "status" in payload:
        status = payload["status"]
        details = dict(payload.get("statusDetails") or {})
        if status == "resolvedInNextRelease":
            status, details = "resolved", {"inNextRelease": True}
        update["status"] = "ignored" if status == "muted" else status
        update["status_details"] = details
        update["substatus"] = (
            payload.get("substatus", "archived_forever")
            if update["status"] == "ignored"
            else ((payload.get("substatus") or "ongoing") if status == "unresolved" else None)
        )
    if "assignedTo" in payload:
        actor = payload["assignedTo"] or ""
        who = assignees.get(actor)
        update["assigned_to"] = (
            AssigneeModel(type=who.kind, id=who.id, name=who.name, email=who.email) if who else None
        )
    if "isBookmarked" in payload:
        update["is_bookmarked"] = bool(payload["isBookmarked"])
    if "hasSeen" in payload:
        update["has_seen"] = bool(payload["hasSeen"])
    if "priority" in payload:
        update["priority"] = payload["priority"]
    return issue.model_copy(update=update)


def shows(issue: Issue, payload: Mapping[str, Any]) -> bool:
    """Whether `issue` (fetched from Sentry) carries the change `payload` asked for."""
    if "status" in payload:
        want = payload["status"]
        want = {"muted": "ignored", "resolvedInNextRelease": "resolved"}.get(want, want)
        if issue.status != want:
            return False
    if "assignedTo" in payload:
        who = issue.assigned_to
        actor = f"{who.type}:{who.id}" if who else ""
        if actor != (payload["assignedTo"] or ""):
            return False
    if "isBookmarked" in payload and issue.is_bookmarked != bool(payload["isBookmarked"]):
        return False
    if "priority" in payload and issue.priority != payload["priority"]:
        return False
    return not ("hasSeen" in payload and issue.has_seen != bool(payload["hasSeen"]))


def kept_back(payload: Mapping[str, Any], responses: Sequence[BulkUpdateResponse]) -> str | None:
    """What Sentry's answer to a restoring `payload` did not take (it may refuse a substatus)."""
    want = payload.get("substatus")
    if not want:
        return None
    for response in responses:
        got = response.substatus
        if got and got != want:
            return f"Sentry set substatus {got}, not {want}"
    return None


@dataclass
class BulkOutcome:
    """How one action went: per id, plus what undo needs and the updated issues."""

    action: IssueAction
    ids: list[str]
    succeeded: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # id -> reason
    updated: dict[str, Issue] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)  # deleted, or merged into another
    before: dict[str, IssueState] = field(default_factory=dict)
    requests: int = 0
    entry: ActionEntry | None = None
    merge_parent: str | None = None
    #: id -> (short id, title) when sent: the log names issues that have since left the list
    names: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: undo: id -> what could not be put back on that issue (it counts as restored otherwise)
    not_restored: dict[str, str] = field(default_factory=dict)

    @property
    def unknown(self) -> list[str]:
        """Ids sent to Sentry whose outcome could not be established (listed with `failed`)."""
        return [i for i, r in self.failed.items() if r == UNKNOWN]

    @property
    def summary(self) -> str:
        noun = "issue" if len(self.ids) == 1 else "issues"
        text = f"{self.action.past} {len(self.succeeded)}/{len(self.ids)} {noun}"
        if self.unknown:
            text += f" — {len(self.unknown)} {UNKNOWN}"
        failed = {i: r for i, r in self.failed.items() if r != UNKNOWN}
        if failed:
            reasons = sorted(set(failed.values()))
            text += f" — {len(failed)} failed ({'; '.join(reasons)[:120]})"
        if self.not_restored:
            reasons = sorted(set(self.not_restored.values()))
            count = len(self.not_restored)
            text += f" — {count} not as before: {'; '.join(reasons)[:160]}"
        return text

    @property
    def can_undo(self) -> bool:
        return self.action.undoable and bool(self.succeeded)


class BulkService:
    """Runs issue actions against Sentry and records them in the action log."""

    def __init__(
        self,
        client: SentryClient,
        org: str,
        log: ActionLog,
        *,
        assignees: Sequence[Assignee] = (),
        read_only: bool = False,
    ):
        self.client = client
        self.org = org
        self.log = log
        self.read_only = read_only
        self.assignees = {a.actor: a for a in assignees}

    def set_assignees(self, assignees: Sequence[Assignee]) -> None:
        self.assignees = {a.actor: a for a in assignees}

    def check(self, action: IssueAction, count: int) -> str | None:
        """Why `action` cannot run on `count` issues now, or None."""
        if self.read_only:
            return "read-only mode: no changes are sent"
        if count == 0:
            return "nothing selected"
        if count < action.min_issues:
            return f"{action.label} needs at least {action.min_issues} issues"
        if action.verb == "merge" and count > 100:
            return "Sentry merges at most 100 issues at a time"
        return None

    def check_issues(self, action: IssueAction, issues: Sequence[Issue]) -> str | None:
        """Why Sentry would refuse `action` on these very issues (asked before any confirm)."""
        return merge_problem(issues) if action.verb == "merge" else None

    async def apply(self, action: IssueAction, issues: Sequence[Issue]) -> BulkOutcome:
        problem = self.check(action, len(issues)) or self.check_issues(action, issues)
        if problem:
            raise ValueError(problem)
        ids = [i.id for i in issues]
        outcome = BulkOutcome(
            action,
            ids,
            before={i.id: state_of(i) for i in issues},
            names={i.id: (i.short_id, i.title) for i in issues},
        )
        by_id = {i.id: i for i in issues}
        with self._recording(outcome):
            if action.verb == "merge":
                await self._merge(outcome)
            else:
                await self._send(outcome, action, by_id)
        return outcome

    @contextlib.contextmanager
    def _recording(
        self, outcome: BulkOutcome, detail: Mapping[str, Any] | None = None
    ) -> Iterator[None]:
        """Log `outcome` however the send ends — also when it is cancelled mid-way."""
        try:
            yield
        except (ValueError, ReadOnlyError):
            raise  # refused before anything was sent: there is nothing to log
        except BaseException:
            # cancelled (or a bug) mid-send: what was in flight may have been applied
            for issue_id in outcome.ids:
                if issue_id not in outcome.succeeded and issue_id not in outcome.failed:
                    outcome.failed[issue_id] = UNKNOWN
            self._record(outcome, detail)
            raise
        self._record(outcome, detail)

    async def _send(
        self, outcome: BulkOutcome, action: IssueAction, by_id: Mapping[str, Issue]
    ) -> None:
        ids = outcome.ids
        if action.method == "DELETE":
            result = await self.client.bulk_delete_issues(self.org, ids)
        else:
            result = await self.client.bulk_update_issues(self.org, ids, dict(action.payload))
        outcome.requests = result.requests
        self._settle(outcome, result)
        if action.method == "DELETE":
            outcome.removed = list(result.succeeded)
        else:
            outcome.updated = {
                i: apply_locally(by_id[i], action.payload, self.assignees) for i in result.succeeded
            }
        await self._verify(outcome, action.payload, list(result.unknown))

    def _settle(self, outcome: BulkOutcome, result: BulkResult) -> None:
        """Take the client's per-id result; unreadable answers count as unknown until verified."""
        outcome.succeeded += result.succeeded
        outcome.failed |= {i: reason(e) for i, e in result.failed.items()}
        outcome.failed |= dict.fromkeys(result.unknown, UNKNOWN)

    async def _fetch(self, ids: Sequence[str]) -> dict[str, Issue | SentryError | None]:
        """Each issue as Sentry has it now: the Issue, None when gone (404), else the error."""

        async def one(issue_id: str) -> Issue | SentryError | None:
            try:
                return await self.client.get_issue(self.org, issue_id)
            except NotFound:
                return None
            except SentryError as error:
                return error

        found = await asyncio.gather(*(one(i) for i in ids))
        return dict(zip(ids, found, strict=True))

    async def _verify(
        self, outcome: BulkOutcome, payload: Mapping[str, Any], ids: list[str]
    ) -> None:
        """Re-fetch ids whose answer was unreadable: applied → ok, else say what is known."""
        if not ids:
            return
        for issue_id, issue in (await self._fetch(ids)).items():
            if not isinstance(issue, Issue):
                continue  # still unknown: the log says "verify"
            if shows(issue, payload):
                del outcome.failed[issue_id]
                outcome.succeeded.append(issue_id)
                outcome.updated[issue_id] = issue
            else:
                outcome.failed[issue_id] = "not applied (checked after its answer was lost)"
        order = {i: n for n, i in enumerate(outcome.ids)}
        outcome.succeeded.sort(key=order.__getitem__)

    async def _merge(self, outcome: BulkOutcome) -> None:
        outcome.requests = 1
        try:
            response = await self.client.merge_issues(self.org, outcome.ids)
        except BadResponse as error:
            if error.status is not None and 200 <= error.status < 300:
                await self._verify_merge(outcome, error)
                return
            outcome.failed = dict.fromkeys(outcome.ids, reason(error))
            return
        except NetworkError as error:
            if error.maybe_applied:  # sent, no answer: find out rather than report a failure
                await self._verify_merge(outcome, error)
            else:
                outcome.failed = dict.fromkeys(outcome.ids, reason(error))
            return
        except SentryError as error:
            outcome.failed = dict.fromkeys(outcome.ids, reason(error))
            return
        merge = response.merge or {}
        parent = str(merge["parent"]) if merge.get("parent") else None
        children = [str(c) for c in merge.get("children") or []]
        outcome.merge_parent = parent
        outcome.succeeded = list(outcome.ids)
        outcome.removed = children or [i for i in outcome.ids if i != parent]

    async def _verify_merge(self, outcome: BulkOutcome, error: SentryError) -> None:
        """After an unreadable merge answer: merged children now resolve to their parent."""
        outcome.failed = dict.fromkeys(outcome.ids, UNKNOWN)
        found = await self._fetch(outcome.ids)
        if any(isinstance(v, SentryError) for v in found.values()):
            return
        now = {i: (v.id if isinstance(v, Issue) else None) for i, v in found.items()}
        survivors = {i for i, resolved in now.items() if resolved == i}
        if len(survivors) > 1:
            outcome.failed = dict.fromkeys(outcome.ids, f"not merged ({reason(error)})")
            return
        if len(survivors) != 1:
            return
        parent = survivors.pop()
        if any(resolved not in (parent, None) for resolved in now.values()):
            return
        outcome.failed = {}
        outcome.merge_parent = parent
        outcome.succeeded = list(outcome.ids)
        outcome.removed = [i for i in outcome.ids if i != parent]

    async def mark_seen_on_open(self, issue: Issue) -> bool:
        """Opening an issue marks it seen, as Sentry's web UI does; whether it was sent and
        taken. Not a triage action: no action-log entry, no undo."""
        if self.read_only or issue.has_seen:
            return False
        result = await self.client.bulk_update_issues(self.org, [issue.id], {"hasSeen": True})
        return issue.id in result.succeeded

    async def undo(self, previous: BulkOutcome) -> BulkOutcome:
        """Put back what `previous` changed on the issues where it succeeded."""
        if not previous.can_undo:
            raise ValueError(f"{previous.action.label} cannot be undone")
        ids = list(previous.succeeded)
        plan = undo_plan(previous.before, previous.action, ids)
        action = IssueAction("undo", f"Undo {previous.action.label}", "Restored", {})
        outcome = BulkOutcome(action, ids, names=previous.names)
        with self._recording(outcome, {"undoes": previous.action.verb}):
            for payload, group in plan:
                result = await self.client.bulk_update_issues(self.org, group, payload)
                outcome.requests += result.requests
                self._settle(outcome, result)
                lost = kept_back(payload, result.responses)
                answered = next((r.substatus for r in result.responses if r.substatus), None)
                local = dict(payload)
                if "substatus" in payload and answered:
                    local["substatus"] = answered  # the row shows what Sentry set
                for issue_id in result.succeeded:
                    why = lost or lost_on_undo(previous.before[issue_id], previous.action)
                    if why:
                        outcome.not_restored[issue_id] = why
                    if issue_id in previous.updated:
                        outcome.updated[issue_id] = apply_locally(
                            previous.updated[issue_id], local, self.assignees
                        )
                await self._verify(outcome, payload, list(result.unknown))
        return outcome

    def _record(self, outcome: BulkOutcome, detail: Mapping[str, Any] | None = None) -> None:
        results = dict.fromkeys(outcome.succeeded, "ok") | outcome.failed
        ordered = {i: results.get(i, "not sent") for i in outcome.ids}
        outcome.entry = self.log.record(
            outcome.action.verb,
            ordered,
            detail=dict(detail or outcome.action.payload),
            org=self.org,
            names=outcome.names,
        )
