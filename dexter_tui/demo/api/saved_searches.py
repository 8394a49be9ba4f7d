"""Saved searches: `GET|POST /organizations/{org}/searches/`, `DELETE .../searches/{search_id}/`.

Not in Sentry's OpenAPI document; the shapes follow Sentry's `OrganizationSearchesEndpoint`,
`OrganizationSearchDetailsEndpoint` and `SavedSearchSerializer`. The list holds Sentry's global
defaults (rows without an org, see `schema.sql`), the org's shared searches and the caller's own
ones (another member's personal searches are hidden), ordered by name, unpaginated. `POST`
answers 200 (as Sentry does); only a caller with `org:write` may create or delete searches the
whole org sees, anyone with `org:read` may keep personal ones.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dexter_tui.demo import lookup
from dexter_tui.demo.api.app_state import store_of
from dexter_tui.demo.api.errors import ApiError, forbidden, not_found
from dexter_tui.demo.api.issues import json_body
from dexter_tui.demo.api.shapes import iso
from dexter_tui.demo.auth import authenticate

if TYPE_CHECKING:
    from starlette.requests import Request

    from dexter_tui.demo.auth import Caller
    from dexter_tui.demo.store import Store

#: Sentry's OrganizationSearchPermission: every method takes any org scope
SCOPES = ("org:read", "org:write", "org:admin")
#: Sentry's SearchType values (0 issue, 1 event, … 6 error, 7 transaction, …)
SEARCH_TYPES = range(11)
#: Sentry's SortOptions
SORTS = ("date", "new", "trends", "freq", "user", "inbox")
ORG = "organization"
OWNER = "owner"
PINNED = "owner_pinned"


def search_json(row: sqlite3.Row) -> dict[str, Any]:
    """`SavedSearchSerializer`'s body."""
    return {
        "id": str(row["id"]),
        "type": row["type"],
        "name": row["name"],
        "query": row["query"],
        "sort": row["sort"],
        "visibility": row["visibility"],
        "dateCreated": iso(row["date_added"]),
        "isGlobal": bool(row["is_global"]),
        "isPinned": row["visibility"] == PINNED,
    }


def _search_type(request: Request) -> int:
    raw = request.query_params.get("type", "0")
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value not in SEARCH_TYPES:
        raise ApiError(400, f"Invalid input for `type`. Error: {raw!r} is not a valid SearchType")
    return value


def _validated(body: dict[str, Any], caller: Caller) -> dict[str, Any]:
    """Sentry's OrganizationSearch{Admin,Member}Serializer: field errors as DRF words them."""
    admin = caller.has_any("org:write", "org:admin")
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    kind = body.get("type")
    if kind is None:
        errors["type"] = ["This field is required."]
    elif isinstance(kind, bool) or not isinstance(kind, int | str) or not str(kind).isdigit():
        errors["type"] = ["A valid integer is required."]
    else:
        out["type"] = int(kind)
    for field, limit in (("name", 128), ("query", None)):
        value = body.get(field)
        if value is None:
            errors[field] = ["This field is required."]
        elif not isinstance(value, str | int | float) or isinstance(value, bool):
            errors[field] = ["Not a valid string."]
        elif not str(value).strip():
            errors[field] = ["This field may not be blank."]
        elif limit is not None and len(str(value).strip()) > limit:
            errors[field] = [f"Ensure this field has no more than {limit} characters."]
        else:
            out[field] = str(value).strip()
    sort = body.get("sort", "date")
    if sort not in SORTS:
        errors["sort"] = [f'"{sort}" is not a valid choice.']
    out["sort"] = sort
    allowed = (OWNER, ORG) if admin else (OWNER,)
    visibility = body.get("visibility", ORG if admin else OWNER)
    if visibility not in allowed:
        errors["visibility"] = [f'"{visibility}" is not a valid choice.']
    out["visibility"] = visibility
    if errors:
        raise ApiError(400, errors)
    return out


def _duplicate(store: Store, org_id: int, caller: Caller, new: dict[str, Any]) -> str | None:
    """Sentry refuses a second org search, or a second personal one, with the same query."""
    if new["visibility"] == ORG:
        clash = store.query_one(
            "SELECT 1 FROM saved_searches WHERE is_global = 0 AND org_id = ? AND type = 0"
            " AND visibility = ? AND query = ?",
            (org_id, ORG, new["query"]),
        )
        return f"An organization search for '{new['query']}' already exists" if clash else None
    clash = store.query_one(
        "SELECT 1 FROM saved_searches WHERE is_global = 0 AND org_id = ? AND type = 0"
        " AND visibility = ? AND owner_id = ? AND query = ?",
        (org_id, OWNER, caller.user_id, new["query"]),
    )
    return f"A search for '{new['query']}' already exists" if clash else None


async def searches(request: Request) -> Response:
    store = store_of(request)
    caller = authenticate(request, store, *SCOPES)
    org = lookup.org(store, caller, request.path_params["org"])
    if request.method == "GET":
        rows = store.query(
            "SELECT * FROM saved_searches WHERE (org_id = ? OR is_global = 1) AND type = ?"
            " AND NOT (visibility IN (?, ?) AND coalesce(owner_id, -1) != ?)"
            " ORDER BY name, id",
            (org["id"], _search_type(request), OWNER, PINNED, caller.user_id),
        )
        return JSONResponse([search_json(r) for r in rows])
    new = _validated(await json_body(request), caller)
    problem = _duplicate(store, org["id"], caller, new)
    if problem:
        raise ApiError(400, problem)
    cur = store.execute(
        "INSERT INTO saved_searches"
        " (org_id, owner_id, type, name, query, sort, visibility, is_global, date_added)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)",
        (
            org["id"],
            caller.user_id,
            new["type"],
            new["name"],
            new["query"],
            new["sort"],
            new["visibility"],
            store.now(),
        ),
    )
    row = store.query_one("SELECT * FROM saved_searches WHERE id = ?", (cur.lastrowid,))
    return JSONResponse(search_json(row))


async def search(request: Request) -> Response:
    """DELETE: the org's shared searches (with `org:write`) and the caller's personal ones."""
    store = store_of(request)
    caller = authenticate(request, store, *SCOPES)
    org = lookup.org(store, caller, request.path_params["org"])
    number = lookup.db_int(request.path_params["search_id"])
    row = None
    if number is not None:
        row = store.query_one(
            "SELECT * FROM saved_searches WHERE id = ? AND org_id = ?"
            " AND (visibility = ? OR (visibility = ? AND owner_id = ?))",
            (number, org["id"], ORG, OWNER, caller.user_id),
        )
    if row is None:
        raise not_found()
    if row["visibility"] == ORG and not caller.has_any("org:write", "org:admin"):
        raise forbidden()
    store.execute("DELETE FROM saved_searches WHERE id = ?", (row["id"],))
    return Response(status_code=204)


#: (name, query, sort, visibility, owner username) the seed adds to the org
SEEDED: tuple[tuple[str, str, str, str, str], ...] = (
    ("Prod errors", "is:unresolved level:error environment:production", "freq", ORG, "ana"),
    ("Deadlocks", 'is:unresolved "deadlock detected"', "date", ORG, "ben"),
    ("Checkout regressions", "is:regressed project:checkout-api", "date", OWNER, "ana"),
    ("Billing noise", "is:unresolved project:billing-worker level:warning", "freq", OWNER, "ben"),
)


def seed_saved_searches(store: Store, org_id: int, user_ids: dict[str, int], now: float) -> None:
    """The org's shared searches plus a personal one each for ana (the demo token) and ben."""
    with store.transaction() as conn:
        for n, (name, query, sort, visibility, owner) in enumerate(SEEDED):
            conn.execute(
                "INSERT INTO saved_searches"
                " (org_id, owner_id, type, name, query, sort, visibility, is_global, date_added)"
                " VALUES (?, ?, 0, ?, ?, ?, ?, 0, ?)",
                (org_id, user_ids[owner], name, query, sort, visibility, now - (10 - n) * 86400),
            )


def routes() -> list[Route]:
    base = "/api/0/organizations/{org}/searches/"
    return [
        Route(base, searches, methods=["GET", "POST"]),
        Route(base + "{search_id}/", search, methods=["DELETE"]),
    ]
