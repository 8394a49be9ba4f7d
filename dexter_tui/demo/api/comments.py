"""Issue comments ("notes") and the activity feed (Sentry's private API, SENTRY_API.md 4.4).

Comments are `activities` rows of type `note` with `data = {"text": ...}`, so they show in the
issue's activity like any other change. Routes exist under `/organizations/{org}/issues/{id}/`
and the legacy `/issues/{id}/`, with `notes/` as an alias of `comments/`.

Deviation, on purpose: editing or deleting someone else's comment answers 403 (Sentry answers
404 because it only looks among the caller's own notes).
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dexter_tui.demo import lookup
from dexter_tui.demo.api.app_state import store_of
from dexter_tui.demo.api.errors import ApiError, forbidden, not_found
from dexter_tui.demo.api.issues import READ, WRITE, issue_of, json_body, resolve_actor, subscribe
from dexter_tui.demo.pagination import page_params, paginated
from dexter_tui.demo.serialize_issue import activity_list
from dexter_tui.demo.store import Store, dumps, loads

if TYPE_CHECKING:
    from starlette.requests import Request


DUPLICATE_WINDOW = 3600
DUPLICATE = "You have already posted that comment."
MAX_ACTIVITY = 100
#: Longest comment stored. Sentry sets no length of its own (its request-size limit bounds it);
#: the demo refuses more than a screenful of pages so no client has to show megabytes of note.
MAX_COMMENT_CHARS = 65_536


def _text(body: dict[str, Any]) -> str:
    text = body.get("text")
    if text is None:
        raise ApiError(400, {"text": ["This field is required."]})
    if not isinstance(text, str):
        raise ApiError(400, {"text": ["Not a valid string."]})
    if not text.strip():
        raise ApiError(400, {"text": ["This field may not be blank."]})
    if len(text) > MAX_COMMENT_CHARS:
        raise ApiError(
            400, {"text": [f"Ensure this field has no more than {MAX_COMMENT_CHARS} characters."]}
        )
    return text


def _mentioned_users(store: Store, org: sqlite3.Row, mentions: Any) -> list[int]:
    """User ids to subscribe for `mentions` (`user:1`, `team:2`, usernames, emails)."""
    if mentions is None:
        return []
    if not isinstance(mentions, list):
        raise ApiError(400, {"mentions": ["Expected a list of items."]})
    users: set[int] = set()
    for value in mentions:
        actor = resolve_actor(store, org, value)
        if actor is None or not actor[0]:
            raise ApiError(400, {"mentions": ["Cannot mention a non team member"]})
        kind, ident = actor
        if kind == "user":
            users.add(ident)
        else:
            rows = store.query(
                "SELECT m.user_id FROM team_members tm JOIN members m ON m.id = tm.member_id"
                " WHERE tm.team_id = ?",
                (ident,),
            )
            users |= {r["user_id"] for r in rows}
    return sorted(users)


def _note(store: Store, group: sqlite3.Row, note_id: str) -> sqlite3.Row:
    number = lookup.db_int(note_id)
    if number is None:
        raise not_found()
    row = store.query_one(
        "SELECT * FROM activities WHERE id = ? AND group_id = ? AND type = 'note'",
        (number, group["id"]),
    )
    if row is None:
        raise not_found()
    return row


async def comments(request: Request) -> Response:
    store = store_of(request)
    if request.method == "GET":
        _, _, group = issue_of(request, store, *READ)
        offset, limit = page_params(request)
        rows = store.query(
            "SELECT * FROM activities WHERE group_id = ? AND type = 'note'"
            " ORDER BY date_created DESC, id DESC LIMIT ? OFFSET ?",
            (group["id"], limit + 1, offset),
        )
        items = activity_list(store, rows[:limit])
        return paginated(request, items, offset=offset, limit=limit, has_more=len(rows) > limit)
    caller, org, group = issue_of(request, store, *WRITE)
    body = await json_body(request)
    text = _text(body)
    mentioned = _mentioned_users(store, org, body.get("mentions"))
    now = store.now()
    with store.transaction() as conn:
        duplicate = conn.execute(
            "SELECT 1 FROM activities WHERE group_id = ? AND type = 'note' AND user_id = ?"
            " AND json_extract(data, '$.text') = ? AND date_created >= ?",
            (group["id"], caller.user_id, text, now - DUPLICATE_WINDOW),
        ).fetchone()
        if duplicate:
            raise ApiError(400, DUPLICATE)
        cur = conn.execute(
            "INSERT INTO activities (group_id, project_id, type, user_id, data, date_created)"
            " VALUES (?, ?, 'note', ?, ?, ?)",
            (group["id"], group["project_id"], caller.user_id, dumps({"text": text}), now),
        )
        note_id = cur.lastrowid
        for uid, reason in [
            (caller.user_id, "comment"),
            *((u, "mentioned") for u in mentioned),
        ]:
            exists = conn.execute(
                "SELECT 1 FROM group_subscriptions WHERE group_id = ? AND user_id = ?",
                (group["id"], uid),
            ).fetchone()
            if exists is None:
                subscribe(conn, group["id"], uid, now, reason=reason)
    row = store.query_one("SELECT * FROM activities WHERE id = ?", (note_id,))
    return JSONResponse(activity_list(store, [row])[0], status_code=201)


async def comment(request: Request) -> Response:
    store = store_of(request)
    caller, _, group = issue_of(request, store, *WRITE)
    note = _note(store, group, request.path_params["note_id"])
    if note["user_id"] != caller.user_id:
        raise forbidden()
    if request.method == "DELETE":
        store.execute("DELETE FROM activities WHERE id = ?", (note["id"],))
        return Response(status_code=204)
    body = await json_body(request)
    data = loads(note["data"], {})
    data["text"] = _text(body)
    store.execute("UPDATE activities SET data = ? WHERE id = ?", (dumps(data), note["id"]))
    row = store.query_one("SELECT * FROM activities WHERE id = ?", (note["id"],))
    return JSONResponse(activity_list(store, [row])[0])


async def activities(request: Request) -> Response:
    store = store_of(request)
    _, _, group = issue_of(request, store, *READ)
    rows = store.query(
        "SELECT * FROM activities WHERE group_id = ? ORDER BY date_created DESC, id DESC LIMIT ?",
        (group["id"], MAX_ACTIVITY),
    )
    return JSONResponse({"activity": activity_list(store, rows)})


def routes() -> list[Route]:
    out: list[Route] = []
    for prefix in ("/api/0/organizations/{org}/issues/{issue_id}", "/api/0/issues/{issue_id}"):
        for name in ("comments", "notes"):
            out += [
                Route(f"{prefix}/{name}/", comments, methods=["GET", "POST"]),
                Route(f"{prefix}/{name}/{{note_id}}/", comment, methods=["PUT", "DELETE"]),
            ]
        out.append(Route(f"{prefix}/activities/", activities, methods=["GET"]))
    return out
