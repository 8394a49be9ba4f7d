"""Legacy issue alert rules (`/projects/{org}/{project}/rules/`), with enable/disable and snooze.

Removed from Sentry's public schema in 2026 but still served by sentry.io and the only alert API of
older self-hosted installs. Shapes follow Sentry's `RuleSerializer`: `conditions`, `filters` and
`actions` are lists of `{"id": "<python path>", ...settings}` items to which Sentry adds a
human-readable `name`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dexter_tui.demo import lookup
from dexter_tui.demo.api.app_state import store_of
from dexter_tui.demo.api.body import decode_json
from dexter_tui.demo.api.errors import ApiError, not_found
from dexter_tui.demo.api.releases import parse_date
from dexter_tui.demo.api.shapes import iso
from dexter_tui.demo.auth import Caller, authenticate
from dexter_tui.demo.pagination import paginate_list
from dexter_tui.demo.search import SearchError, parse_stats_period
from dexter_tui.demo.serialize_issue import IssueSerializer
from dexter_tui.demo.store import dumps, loads

if TYPE_CHECKING:
    import sqlite3

    from starlette.requests import Request

    from dexter_tui.demo.store import Store

READ = ("alerts:read", "alerts:write", "project:read", "project:write", "project:admin")
WRITE = ("alerts:write", "project:write", "project:admin")
MATCHES = ("all", "any", "none")
STATUSES = ("active", "disabled")

#: Labels Sentry renders for the rule components a triage UI meets most.
LABELS = {
    "sentry.rules.conditions.first_seen_event.FirstSeenEventCondition": "A new issue is created",
    "sentry.rules.conditions.regression_event.RegressionEventCondition": (
        "The issue changes state from resolved to unresolved"
    ),
    "sentry.rules.conditions.reappeared_event.ReappearedEventCondition": (
        "The issue changes state from archived to escalating"
    ),
    "sentry.rules.conditions.event_frequency.EventFrequencyCondition": (
        "The issue is seen more than {value} times in {interval}"
    ),
    "sentry.rules.conditions.event_frequency.EventUniqueUserFrequencyCondition": (
        "The issue is seen by more than {value} users in {interval}"
    ),
    "sentry.rules.conditions.high_priority_issue.NewHighPriorityIssueCondition": (
        "Sentry marks a new issue as high priority"
    ),
    "sentry.rules.conditions.existing_high_priority_issue.ExistingHighPriorityIssueCondition": (
        "Sentry marks an existing issue as high priority"
    ),
    "sentry.rules.filters.level.LevelFilter": "The event's level is {match} {level}",
    "sentry.rules.filters.tagged_event.TaggedEventFilter": (
        "The event's tags match {key} {match} {value}"
    ),
    "sentry.rules.filters.issue_occurrences.IssueOccurrencesFilter": (
        "The issue has happened at least {value} times"
    ),
    "sentry.rules.filters.age_comparison.AgeComparisonFilter": (
        "The issue is {comparison_type} than {value} {time}"
    ),
    "sentry.mail.actions.NotifyEmailAction": "Send a notification to {targetType}",
    "sentry.rules.actions.notify_event.NotifyEventAction": (
        "Send a notification to all legacy integrations"
    ),
    "sentry.integrations.slack.notify_action.SlackNotifyServiceAction": (
        "Send a notification to the {workspace} Slack workspace to {channel}"
    ),
}


def _label(item: dict[str, Any]) -> str:
    template = LABELS.get(str(item.get("id")), str(item.get("id")))
    try:
        return template.format_map({k: v for k, v in item.items() if k != "id"})
    except (KeyError, IndexError, ValueError):
        return template


def _components(value: Any) -> list[dict[str, Any]]:
    return [{**item, "name": _label(item)} for item in (value or []) if isinstance(item, dict)]


def context(store: Store, request: Request, *scopes: str) -> tuple[Caller, sqlite3.Row]:
    caller = authenticate(request, store, *scopes)
    org = lookup.org(store, caller, request.path_params["org"])
    return caller, lookup.project(store, org, request.path_params["project"])


def rule_row(store: Store, project: sqlite3.Row, rule_id: str) -> sqlite3.Row:
    row = None
    if (number := lookup.db_int(rule_id)) is not None:
        row = store.query_one(
            "SELECT * FROM rules WHERE id = ? AND project_id = ?", (number, project["id"])
        )
    if row is None:
        raise not_found()
    return row


def rule_json(
    store: Store, row: sqlite3.Row, project: sqlite3.Row, caller: Caller
) -> dict[str, Any]:
    data = loads(row["data"], {})
    fired = store.query_one(
        "SELECT MAX(date_added) AS t FROM rule_fires WHERE rule_id = ?", (row["id"],)
    )
    last = max(
        (t for t in (row["last_triggered"], fired["t"] if fired else None) if t is not None),
        default=None,
    )
    creator = None
    if row["created_by"] is not None:
        user = store.query_one("SELECT * FROM users WHERE id = ?", (row["created_by"],))
        if user is not None:
            creator = {"id": int(user["id"]), "name": user["name"], "email": user["email"]}
    out: dict[str, Any] = {
        "id": str(row["id"]),
        "conditions": _components(data.get("conditions")),
        "filters": _components(data.get("filters")),
        "actions": _components(data.get("actions")),
        "actionMatch": data.get("actionMatch", "all"),
        "filterMatch": data.get("filterMatch", "all"),
        "frequency": int(data.get("frequency", 30)),
        "name": row["name"],
        "dateCreated": iso(row["date_created"]),
        "owner": data.get("owner"),
        "createdBy": creator,
        "environment": row["environment"],
        "projects": [project["slug"]],
        "status": row["status"],
        "snooze": False,
        "lastTriggered": iso(last),
    }
    snoozed_by = row["snoozed_by"]
    until = row["snooze_until"]
    active = snoozed_by is not None and (until is None or until > store.now())
    for_everyone = bool(data.get("_snoozeForEveryone"))
    if active and (for_everyone or snoozed_by == caller.user_id):
        out["snooze"] = True
        out["snoozeForEveryone"] = for_everyone
        if snoozed_by == caller.user_id:
            out["snoozeCreatedBy"] = "You"
        else:
            user = store.query_one("SELECT name FROM users WHERE id = ?", (snoozed_by,))
            out["snoozeCreatedBy"] = user["name"] if user else None
    return out


def validated(body: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    """The writable fields of `body`; 400 with Sentry-style field errors when invalid."""
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    required = () if partial else ("name", "actions", "actionMatch", "frequency")
    for field in required:
        if field not in body:
            errors[field] = ["This field is required."]
    if "name" in body:
        if not isinstance(body["name"], str) or not body["name"].strip():
            errors["name"] = ["This field may not be blank."]
        elif len(body["name"]) > 256:
            errors["name"] = ["Ensure this field has no more than 256 characters."]
        else:
            out["name"] = body["name"].strip()
    for field in ("actionMatch", "filterMatch"):
        if field in body and body[field] is not None:
            if body[field] not in MATCHES:
                errors[field] = [f'"{body[field]}" is not a valid choice.']
            else:
                out[field] = body[field]
    if "frequency" in body:
        value = body["frequency"]
        if not isinstance(value, int) or isinstance(value, bool) or not 5 <= value <= 43200:
            errors["frequency"] = ["Ensure this value is between 5 and 43200."]
        else:
            out["frequency"] = value
    for field in ("conditions", "filters", "actions"):
        if field in body:
            items = body[field]
            if not isinstance(items, list) or not all(
                isinstance(i, dict) and isinstance(i.get("id"), str) for i in items
            ):
                errors[field] = ["Each item needs an `id`."]
            else:
                out[field] = [{k: v for k, v in i.items() if k != "name"} for i in items]
    if "actions" in out and not out["actions"]:
        errors["actions"] = ["You must add an action for this alert to fire."]
    if "environment" in body:
        env = body["environment"]
        if env is not None and not isinstance(env, str):
            errors["environment"] = ["Not a valid string."]
        else:
            out["environment"] = env or None
    if "owner" in body:
        out["owner"] = body["owner"]
    if "status" in body:
        if body["status"] not in STATUSES:
            errors["status"] = [f'"{body["status"]}" is not a valid choice.']
        else:
            out["status"] = body["status"]
    if errors:
        raise ApiError(400, errors)
    return out


async def body_of(request: Request) -> dict[str, Any]:
    try:
        body = decode_json(await request.body() or b"{}")
    except ValueError:
        raise ApiError(400, "Malformed request.") from None
    if not isinstance(body, dict):
        raise ApiError(400, "Malformed request.")
    return body


def save(store: Store, rule_id: int, changes: dict[str, Any]) -> None:
    row = store.query_one("SELECT data FROM rules WHERE id = ?", (rule_id,))
    data = loads(row["data"], {}) if row else {}
    columns: dict[str, Any] = {}
    for key, value in changes.items():
        if key in ("name", "environment", "status"):
            columns[key] = value
        else:
            data[key] = value
    columns["data"] = dumps(data)
    sets = ", ".join(f"{k} = ?" for k in columns)
    store.execute(f"UPDATE rules SET {sets} WHERE id = ?", (*columns.values(), rule_id))


async def rules(request: Request) -> Response:
    store = store_of(request)
    if request.method == "GET":
        caller, project = context(store, request, *READ)
        rows = store.query(
            "SELECT * FROM rules WHERE project_id = ? ORDER BY date_created DESC, id DESC",
            (project["id"],),
        )
        return paginate_list(request, [rule_json(store, r, project, caller) for r in rows])
    caller, project = context(store, request, *WRITE)
    fields = validated(await body_of(request), partial=False)
    rule_id = int(
        store.execute(
            "INSERT INTO rules (project_id, name, date_created, created_by) VALUES (?, ?, ?, ?)",
            (project["id"], fields["name"], store.now(), caller.user_id),
        ).lastrowid
    )
    fields.setdefault("conditions", [])
    fields.setdefault("filters", [])
    fields.setdefault("filterMatch", "all")
    save(store, rule_id, fields)
    row = rule_row(store, project, str(rule_id))
    return JSONResponse(rule_json(store, row, project, caller), status_code=200)


async def rule_detail(request: Request) -> Response:
    store = store_of(request)
    if request.method == "GET":
        caller, project = context(store, request, *READ)
        row = rule_row(store, project, request.path_params["rule_id"])
        return JSONResponse(rule_json(store, row, project, caller))
    caller, project = context(store, request, *WRITE)
    row = rule_row(store, project, request.path_params["rule_id"])
    if request.method == "DELETE":
        with store.transaction() as conn:
            conn.execute("DELETE FROM rule_fires WHERE rule_id = ?", (row["id"],))
            conn.execute("DELETE FROM rules WHERE id = ?", (row["id"],))
        return Response(status_code=202)
    changes = validated(await body_of(request), partial=True)
    save(store, row["id"], changes)
    return JSONResponse(rule_json(store, rule_row(store, project, str(row["id"])), project, caller))


async def snooze(request: Request) -> Response:
    store = store_of(request)
    caller, project = context(store, request, *WRITE)
    row = rule_row(store, project, request.path_params["rule_id"])
    data = loads(row["data"], {})
    if request.method == "DELETE":
        if row["snoozed_by"] is None:
            raise not_found()
        if not data.get("_snoozeForEveryone") and row["snoozed_by"] != caller.user_id:
            raise not_found()
        data.pop("_snoozeForEveryone", None)
        data.pop("_snoozeDateAdded", None)
        store.execute(
            "UPDATE rules SET snoozed_by = NULL, snooze_until = NULL, data = ? WHERE id = ?",
            (dumps(data), row["id"]),
        )
        return Response(status_code=204)
    body = await body_of(request)
    target = body.get("target", "me")
    if target not in ("me", "everyone"):
        raise ApiError(400, {"target": [f'"{target}" is not a valid choice.']})
    until = parse_date(body.get("until"), "until")
    still = row["snoozed_by"] is not None and (
        row["snooze_until"] is None or row["snooze_until"] > store.now()
    )
    if still:
        raise ApiError(410, "RuleSnooze already exists for this rule and scope.")
    now = store.now()
    data["_snoozeForEveryone"] = target == "everyone"
    data["_snoozeDateAdded"] = now
    store.execute(
        "UPDATE rules SET snoozed_by = ?, snooze_until = ?, data = ? WHERE id = ?",
        (caller.user_id, until, dumps(data), row["id"]),
    )
    return JSONResponse(
        {
            "ownerId": caller.user_id,
            "userId": None if target == "everyone" else caller.user_id,
            "until": iso(until) if until is not None else "forever",
            "dateAdded": iso(now),
            "ruleId": int(row["id"]),
            "alertRuleId": None,
        },
        status_code=201,
    )


async def group_history(request: Request) -> Response:
    """The issues a rule fired for in a window (Sentry's `group-history`), most fires first."""
    store = store_of(request)
    caller, project = context(store, request, *READ)
    row = rule_row(store, project, request.path_params["rule_id"])
    now = store.now()
    try:
        since = now - parse_stats_period(request.query_params.get("statsPeriod") or "14d")
    except SearchError as exc:
        raise ApiError(400, str(exc)) from None
    fires = store.query(
        "SELECT group_id, COUNT(*) AS n, MAX(date_added) AS last, MAX(event_id) AS event"
        " FROM rule_fires WHERE rule_id = ? AND date_added >= ? AND date_added <= ?"
        " GROUP BY group_id ORDER BY n DESC, last DESC, group_id",
        (row["id"], since, now),
    )
    ids = [int(f["group_id"]) for f in fires]
    groups = store.query(
        f"SELECT * FROM groups WHERE id IN ({','.join('?' * len(ids)) or 'NULL'})", ids
    )
    org = store.query_one("SELECT * FROM organizations WHERE id = ?", (project["org_id"],))
    serializer = IssueSerializer(
        store=store,
        org_id=org["id"],
        org_slug=org["slug"],
        base_url=str(request.base_url),
        user_id=caller.user_id,
        now=now,
    )
    by_id = dict(
        zip((int(g["id"]) for g in groups), serializer.serialize_many(groups), strict=True)
    )
    items = [
        {
            "group": by_id[int(f["group_id"])],
            "count": int(f["n"]),
            "lastTriggered": iso(f["last"]),
            "eventId": f["event"],
        }
        for f in fires
        if int(f["group_id"]) in by_id
    ]
    return paginate_list(request, items)


def routes() -> list[Route]:
    base = "/api/0/projects/{org}/{project}/rules/"
    return [
        Route(base, rules, methods=["GET", "POST"]),
        Route(base + "{rule_id}/", rule_detail, methods=["GET", "PUT", "DELETE"]),
        Route(base + "{rule_id}/snooze/", snooze, methods=["POST", "DELETE"]),
        Route(base + "{rule_id}/group-history/", group_history, methods=["GET"]),
    ]
