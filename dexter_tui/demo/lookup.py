"""Resolve the org / project / issue named in a URL, with Sentry's 404 and 403 answers."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

from dexter_tui.demo.api.errors import forbidden, not_found

if TYPE_CHECKING:
    from dexter_tui.demo.auth import Caller
    from dexter_tui.demo.store import Store

#: SQLite's largest INTEGER: a bigger number can name no row (and makes sqlite3 raise).
MAX_DB_INT = 2**63 - 1

#: Issues in these states answer 404, as in Sentry (`GroupEndpoint`).
HIDDEN_GROUP_STATUSES = ("pending_deletion", "deletion_in_progress", "pending_merge")


def db_int(text: str) -> int | None:
    """`text` as a row id: ASCII digits within SQLite's 64-bit range, else None.

    (`str.isdigit` alone accepts `²` and `٣`, which `int()` or SQLite then reject.)
    """
    if not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if number <= MAX_DB_INT else None


def org(store: Store, caller: Caller, org_slug: str) -> sqlite3.Row:
    """The organisation `org_slug` (or numeric id) the caller may see.

    404 when it does not exist; 403 when the caller's token is bound to another org or its user
    is not a member.
    """
    row = store.query_one("SELECT * FROM organizations WHERE slug = ?", (org_slug,))
    if row is None and (org_id := db_int(org_slug)) is not None:
        row = store.query_one("SELECT * FROM organizations WHERE id = ?", (org_id,))
    if row is None:
        raise not_found()
    if caller.org_id is not None and caller.org_id != row["id"]:
        raise forbidden()
    member = store.query_one(
        "SELECT 1 FROM members WHERE org_id = ? AND user_id = ?", (row["id"], caller.user_id)
    )
    if member is None and caller.org_id is None:
        raise forbidden()
    return row


def project(store: Store, org_row: sqlite3.Row, project_slug: str) -> sqlite3.Row:
    """The project `project_slug` (or numeric id) of `org_row`; 404 otherwise."""
    row = store.query_one(
        "SELECT * FROM projects WHERE org_id = ? AND slug = ?", (org_row["id"], project_slug)
    )
    if row is None and (project_id := db_int(project_slug)) is not None:
        row = store.query_one(
            "SELECT * FROM projects WHERE org_id = ? AND id = ?", (org_row["id"], project_id)
        )
    if row is None:
        raise not_found()
    return row


def group(store: Store, org_row: sqlite3.Row, issue_id: str) -> sqlite3.Row:
    """The issue `issue_id` (numeric id or short id like `CHECKOUT-API-1A`) of `org_row`.

    A merged issue resolves to the issue it was merged into (Sentry's `GroupRedirect`); issues
    pending deletion or merge answer 404.
    """
    sql = (
        "SELECT g.* FROM groups g JOIN projects p ON p.id = g.project_id WHERE p.org_id = ? AND {}"
    )
    if issue_id.isascii() and issue_id.isdigit():
        number = db_int(issue_id)
        row = (
            None
            if number is None
            else store.query_one(sql.format("g.id = ?"), (org_row["id"], number))
        )
    else:
        row = store.query_one(
            sql.format("g.short_id = ? COLLATE NOCASE"), (org_row["id"], issue_id)
        )
    seen: set[int] = set()
    while row is not None and row["merged_into"] is not None and row["id"] not in seen:
        seen.add(row["id"])
        row = store.query_one(sql.format("g.id = ?"), (org_row["id"], row["merged_into"]))
    if row is None or row["status"] in HIDDEN_GROUP_STATUSES:
        raise not_found()
    return row
