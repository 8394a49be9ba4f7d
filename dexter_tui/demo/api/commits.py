"""Release commits and repositories: what `sentry-cli releases set-commits` stores.

`commits` (what `--local` sends: the commit list read from a git checkout) replace a release's
commits, creating repositories and commits on first use as Sentry's `Release.set_commits` does.
`refs` (what `--commit REPO@SHA` sends) must name known repositories; Sentry would then fetch the
range between `previousCommit` and `commit` from the repository's integration. The demo has no
integration to ask, so it records the head commit of each ref as the release's commit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from dexter_tui.demo.api.errors import ApiError
from dexter_tui.demo.api.shapes import iso

if TYPE_CHECKING:
    import sqlite3

    from dexter_tui.demo.store import Store

#: Sentry's field limits (`CommitSerializer`, `ReleaseHeadCommitSerializer`).
MAX_ID = 64
MAX_REPOSITORY = 200
MAX_AUTHOR_NAME = 128
MAX_AUTHOR_EMAIL = 200
#: Commits accepted in one request (a release of a monorepo can carry thousands; Sentry has no
#: documented cap, this bounds the demo's work per request).
MAX_COMMITS = 10_000


def _text(errors: list[str], item: dict[str, Any], key: str, limit: int, *, required: bool) -> Any:
    value = item.get(key)
    if value is None:
        if required:
            errors.append(f"{key}: This field is required.")
        return None
    if not isinstance(value, str):
        errors.append(f"{key}: Not a valid string.")
        return None
    if len(value) > limit:
        errors.append(f"{key}: Ensure this field has no more than {limit} characters.")
    return value


def _timestamp(value: Any) -> float | None:
    if not isinstance(value, str) or not value:
        return None
    text = re.sub(r"(\.\d{6})\d+", r"\1", value.strip().replace("Z", "+00:00"))
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        return None


def validate_commits(value: Any) -> list[dict[str, Any]]:
    """The `commits` field of a release create/update, checked (400 `{"commits": [...]}`)."""
    if not isinstance(value, list) or len(value) > MAX_COMMITS:
        raise ApiError(400, {"commits": [f"Expected a list of at most {MAX_COMMITS} items."]})
    out = []
    for item in value:
        if not isinstance(item, dict):
            raise ApiError(400, {"commits": ["Invalid data. Expected a dictionary."]})
        errors: list[str] = []
        commit = {
            "id": _text(errors, item, "id", MAX_ID, required=True),
            "repository": _text(errors, item, "repository", MAX_REPOSITORY, required=False),
            "message": _text(errors, item, "message", 1 << 20, required=False),
            "author_name": _text(errors, item, "author_name", MAX_AUTHOR_NAME, required=False),
            "author_email": _text(errors, item, "author_email", MAX_AUTHOR_EMAIL, required=False),
            "timestamp": _timestamp(item.get("timestamp")),
        }
        if errors:
            raise ApiError(400, {"commits": errors})
        out.append(commit)
    return out


def validate_refs(value: Any) -> list[dict[str, Any]]:
    """The `refs` field: `[{"repository", "commit", "previousCommit"?}]`."""
    if not isinstance(value, list):
        raise ApiError(400, {"refs": ["Expected a list of items."]})
    out = []
    for item in value:
        if not isinstance(item, dict):
            raise ApiError(400, {"refs": ["Invalid data. Expected a dictionary."]})
        errors: list[str] = []
        ref = {
            "repository": _text(errors, item, "repository", MAX_REPOSITORY, required=True),
            "commit": _text(errors, item, "commit", MAX_ID, required=True),
            "previousCommit": _text(errors, item, "previousCommit", MAX_ID, required=False),
        }
        if errors:
            raise ApiError(400, {"refs": errors})
        out.append(ref)
    return out


def _repository_id(conn: sqlite3.Connection, org_id: int, name: str, now: float) -> int:
    conn.execute(
        "INSERT OR IGNORE INTO repositories (org_id, name, date_created) VALUES (?, ?, ?)",
        (org_id, name, now),
    )
    row = conn.execute(
        "SELECT id FROM repositories WHERE org_id = ? AND name = ?", (org_id, name)
    ).fetchone()
    return int(row["id"])


def set_commits(
    conn: sqlite3.Connection,
    org_id: int,
    release_id: int,
    commits: list[dict[str, Any]],
    now: float,
) -> None:
    """Replace the release's commits (newest first), creating repositories and commits."""
    conn.execute("DELETE FROM release_commits WHERE release_id = ?", (release_id,))
    for position, c in enumerate(commits):
        repo_id = _repository_id(conn, org_id, c["repository"] or f"organization-{org_id}", now)
        conn.execute(
            "INSERT INTO commits (repository_id, key, message, author_name, author_email,"
            " date_created) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(repository_id, key) DO UPDATE"
            " SET message = COALESCE(excluded.message, message),"
            " author_name = COALESCE(excluded.author_name, author_name),"
            " author_email = COALESCE(excluded.author_email, author_email)",
            (
                repo_id,
                c["id"],
                c["message"],
                c["author_name"],
                c["author_email"],
                c["timestamp"] if c["timestamp"] is not None else now,
            ),
        )
        commit_id = conn.execute(
            "SELECT id FROM commits WHERE repository_id = ? AND key = ?", (repo_id, c["id"])
        ).fetchone()["id"]
        conn.execute(
            "INSERT OR IGNORE INTO release_commits (release_id, commit_id, position)"
            " VALUES (?, ?, ?)",
            (release_id, commit_id, position),
        )


def set_refs(
    conn: sqlite3.Connection, org_id: int, release_id: int, refs: list[dict[str, Any]], now: float
) -> None:
    """Record each ref's head commit as the release's commits (400 on unknown repositories)."""
    names = [r["repository"] for r in refs]
    known = {
        r["name"]
        for r in conn.execute(
            f"SELECT name FROM repositories WHERE org_id = ? AND name IN"
            f" ({','.join('?' * len(names)) or 'NULL'})",
            (org_id, *names),
        )
    }
    unknown = sorted(set(names) - known)
    if unknown:
        raise ApiError(400, {"refs": [f"Invalid repository names: {','.join(unknown)}"]})
    heads = [
        {
            "id": r["commit"],
            "repository": r["repository"],
            "message": None,
            "author_name": None,
            "author_email": None,
            "timestamp": None,
        }
        for r in refs
    ]
    set_commits(conn, org_id, release_id, heads, now)


# -- serialisation ------------------------------------------------------------------------------


def repository_json(row: Mapping[str, Any] | sqlite3.Row) -> dict[str, Any]:
    """Sentry's `RepositorySerializer` for a repository without an integration."""
    return {
        "id": str(row["id"]),
        "name": row["name"],
        "url": None,
        "provider": {"id": "unknown", "name": "Unknown Provider"},
        "status": "active",
        "dateCreated": iso(row["date_created"]),
        "integrationId": None,
        "externalSlug": None,
        "externalId": None,
    }


def _author(row: sqlite3.Row) -> dict[str, Any]:
    """The commit's author (`{}` when unknown, as Sentry answers)."""
    if not row["author_email"]:
        return {}
    return {"name": row["author_name"], "email": row["author_email"]}


def release_commit_rows(store: Store, release_id: int) -> list[sqlite3.Row]:
    return store.query(
        "SELECT c.*, r.id AS repo_id, r.name AS repo_name, r.date_created AS repo_created"
        " FROM release_commits rc JOIN commits c ON c.id = rc.commit_id"
        " JOIN repositories r ON r.id = c.repository_id"
        " WHERE rc.release_id = ? ORDER BY rc.position",
        (release_id,),
    )


def commit_json(store: Store, row: sqlite3.Row, *, with_releases: bool = True) -> dict[str, Any]:
    """Sentry's commit shape (`CommitSerializer` with its releases)."""
    out: dict[str, Any] = {
        "id": row["key"],
        "message": row["message"],
        "dateCreated": iso(row["date_created"]),
        "pullRequest": None,
        "suspectCommitType": "",
        "repository": repository_json(
            {"id": row["repo_id"], "name": row["repo_name"], "date_created": row["repo_created"]}
        ),
        "author": _author(row),
    }
    if with_releases:
        from dexter_tui.demo.api.releases import version_info  # releases imports this module

        out["releases"] = [
            {
                "version": r["version"],
                "shortVersion": version_info(r["version"])["description"],
                "ref": r["ref"],
                "url": r["url"],
                "dateReleased": iso(r["date_released"]),
                "dateCreated": iso(r["date_created"]),
            }
            for r in store.query(
                "SELECT rl.* FROM release_commits rc JOIN releases rl ON rl.id = rc.release_id"
                " WHERE rc.commit_id = ? ORDER BY rl.date_created DESC, rl.id DESC",
                (row["id"],),
            )
        ]
    return out


def release_commit_summary(store: Store, release_id: int) -> dict[str, Any]:
    """`commitCount`, `lastCommit` and `authors` of a release."""
    rows = release_commit_rows(store, release_id)
    authors: dict[str, dict[str, Any]] = {}
    for row in rows:
        author = _author(row)
        if author:
            authors.setdefault(author["email"], author)
    return {
        "commitCount": len(rows),
        "lastCommit": commit_json(store, rows[0], with_releases=False) if rows else None,
        "authors": list(authors.values()),
    }
