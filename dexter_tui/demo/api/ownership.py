"""Who owns an issue and which commits are suspect, computed as Sentry does from the demo's data.

- **Suspect commits** (`GET /projects/{org}/{project}/events/{event_id}/committers/`, Sentry's
  `EventFileCommittersEndpoint`, release-based mode): the commits of the event's release whose
  files match a file of the event's in-app frames, grouped by author. 404 when the event has no
  release with commits (Sentry: "No commits found for release").
- **Owners** (`expand=owners` on the issue detail, Sentry's `GroupOwner` rows): the owners of the
  project's ownership rules (`path:` / `url:` globs) matching the latest event — the last matching
  rule wins, as in Sentry — as `ownershipRule`, and the authors of its suspect commits who are
  members as `suspectCommit`. `[{"type", "owner": "team:1"|"user:2", "date_added"}]`.
"""

from __future__ import annotations

import fnmatch
import json
import sqlite3
from typing import TYPE_CHECKING, Any

from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from dexter_tui.demo import lookup
from dexter_tui.demo.api.app_state import store_of
from dexter_tui.demo.api.commits import commit_json
from dexter_tui.demo.api.errors import ApiError, not_found
from dexter_tui.demo.api.shapes import iso, user_json
from dexter_tui.demo.auth import authenticate

if TYPE_CHECKING:
    from starlette.requests import Request

    from dexter_tui.demo.store import Store

READ = ("project:read", "project:write", "project:admin", "event:read")
SUSPECT_TYPE = "via commit in release"


def in_app_files(data: dict[str, Any]) -> list[str]:
    """The file names (and absolute paths) of an event's in-app frames, crash site first."""
    files: list[str] = []
    for value in reversed((data.get("exception") or {}).get("values") or []):
        frames = (value.get("stacktrace") or {}).get("frames") or []
        for frame in reversed(frames):
            if frame.get("in_app"):
                for key in ("filename", "abs_path"):
                    name = frame.get(key)
                    if isinstance(name, str) and name and name not in files:
                        files.append(name)
    return files


def _matches(commit_file: str, frame_file: str) -> bool:
    """Sentry compares paths from the end: `app/cart.py` matches `/srv/x/app/cart.py`."""
    a, b = commit_file.lstrip("/"), frame_file.lstrip("/")
    return a == b or b.endswith("/" + a) or a.endswith("/" + b)


def suspect_commits(store: Store, org_id: int, event: sqlite3.Row) -> list[sqlite3.Row]:
    """Commits of the event's release that touched one of its in-app files, newest first."""
    if not event["release"]:
        return []
    files = in_app_files(json.loads(event["data"]))
    if not files:
        return []
    rows = store.query(
        "SELECT c.*, r.id AS repo_id, r.name AS repo_name, r.date_created AS repo_created,"
        " f.filename FROM releases rl JOIN release_commits rc ON rc.release_id = rl.id"
        " JOIN commits c ON c.id = rc.commit_id JOIN repositories r ON r.id = c.repository_id"
        " JOIN commit_files f ON f.commit_id = c.id"
        " WHERE rl.org_id = ? AND rl.version = ? ORDER BY rc.position",
        (org_id, event["release"]),
    )
    found: dict[int, sqlite3.Row] = {}
    for row in rows:
        if row["id"] not in found and any(_matches(row["filename"], f) for f in files):
            found[row["id"]] = row
    return list(found.values())


def _user_by_email(store: Store, org_id: int, email: str | None) -> sqlite3.Row | None:
    if not email:
        return None
    return store.query_one(
        "SELECT u.* FROM users u JOIN members m ON m.user_id = u.id"
        " WHERE m.org_id = ? AND lower(u.email) = lower(?)",
        (org_id, email),
    )


def committers_json(store: Store, org_id: int, event: sqlite3.Row) -> list[dict[str, Any]]:
    """Sentry's `committers` list: one entry per author with their suspect commits."""
    by_author: dict[str, dict[str, Any]] = {}
    for row in suspect_commits(store, org_id, event):
        email = row["author_email"] or ""
        user = _user_by_email(store, org_id, email)
        author = (
            user_json(user) if user is not None else {"name": row["author_name"], "email": email}
        )
        entry = by_author.setdefault(email, {"author": author, "commits": []})
        commit = commit_json(store, row, with_releases=False)
        commit["suspectCommitType"] = SUSPECT_TYPE
        entry["commits"].append(commit)
    return list(by_author.values())


def parse_rules(raw: str) -> list[tuple[str, str, list[str]]]:
    """`(kind, glob, owners)` per rule line of Sentry's ownership text (`path:app/* #team`)."""
    rules = []
    for line in raw.splitlines():
        line = line.split("#", 1)[0] if line.lstrip().startswith("#") else line
        parts = line.split()
        if len(parts) < 2 or ":" not in parts[0]:
            continue
        kind, _, pattern = parts[0].partition(":")
        if kind in ("path", "url", "module", "tags.transaction") and pattern:
            rules.append((kind, pattern, parts[1:]))
    return rules


def _actor(store: Store, org_id: int, owner: str) -> str | None:
    if owner.startswith("#"):
        team = store.query_one(
            "SELECT id FROM teams WHERE org_id = ? AND slug = ?", (org_id, owner[1:])
        )
        return f"team:{team['id']}" if team else None
    user = _user_by_email(store, org_id, owner)
    return f"user:{user['id']}" if user else None


def _latest_event(store: Store, group_id: int) -> sqlite3.Row | None:
    return store.query_one(
        "SELECT * FROM events WHERE group_id = ? ORDER BY timestamp DESC, id DESC LIMIT 1",
        (group_id,),
    )


def issue_owners(store: Store, org_id: int, group: sqlite3.Row) -> list[dict[str, Any]]:
    """The `owners` of `expand=owners`: ownership-rule owners, then suspect-commit authors."""
    event = _latest_event(store, group["id"])
    if event is None:
        return []
    data = json.loads(event["data"])
    files = in_app_files(data)
    url = str((data.get("request") or {}).get("url") or "")
    owners: list[dict[str, Any]] = []
    ownership = store.query_one(
        "SELECT * FROM project_ownership WHERE project_id = ?", (group["project_id"],)
    )
    if ownership is not None:
        matched: list[str] = []
        for kind, pattern, names in parse_rules(ownership["raw"]):
            targets = files if kind == "path" else [url] if kind == "url" else []
            if any(
                fnmatch.fnmatch(t, pattern) or fnmatch.fnmatch(t, "*/" + pattern) for t in targets
            ):
                matched = names  # the last matching rule wins
        for name in matched:
            actor = _actor(store, org_id, name)
            if actor:
                owners.append(
                    {
                        "type": "ownershipRule",
                        "owner": actor,
                        "date_added": iso(ownership["last_updated"]),
                    }
                )
    seen = {o["owner"] for o in owners}
    for row in suspect_commits(store, org_id, event):
        user = _user_by_email(store, org_id, row["author_email"])
        actor = f"user:{user['id']}" if user else None
        if actor and actor not in seen:
            seen.add(actor)
            owners.append(
                {"type": "suspectCommit", "owner": actor, "date_added": iso(event["timestamp"])}
            )
    return owners


async def committers(request: Request) -> Response:
    store = store_of(request)
    caller = authenticate(request, store, *READ)
    org = lookup.org(store, caller, request.path_params["org"])
    project = lookup.project(store, org, request.path_params["project"])
    event = store.query_one(
        "SELECT * FROM events WHERE project_id = ? AND event_id = ?",
        (project["id"], request.path_params["event_id"].lower()),
    )
    if event is None:
        raise not_found()
    found = committers_json(store, org["id"], event)
    if not found:
        raise ApiError(404, "No commits found for release")
    return JSONResponse({"committers": found})


def routes() -> list[Route]:
    return [
        Route(
            "/api/0/projects/{org}/{project}/events/{event_id}/committers/",
            committers,
            methods=["GET"],
        )
    ]
