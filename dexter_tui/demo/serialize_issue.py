"""Issue ("group") rows → Sentry's issue JSON (list items and the single-issue detail).

A page of issues is serialized with a fixed number of queries whatever its size (counts, user
counts, sparkline buckets, per-user flags and comment counts are each one `GROUP BY` over the
page's ids), so the list stays fast on a database with 100k issues.

Conventions over `groups.status_details`: keys starting with `_` are bookkeeping (ignore
conditions' baselines, inbox state) and never reach the API. `_reviewed` (epoch) = marked
reviewed, `_inbox` (epoch) = added to the inbox by hand; see `search.FOR_REVIEW_SQL`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dexter_tui.demo.search import NEW_ISSUE_SECONDS, iso
from dexter_tui.demo.store import Store, loads

HOUR = 3600
DAY = 86400

#: Sparkline periods: key → (bucket seconds, bucket count).
STATS_PERIODS = {"24h": (HOUR, 24), "14d": (DAY, 14), "30d": (DAY, 30)}

#: Sentry's labels for well-known tag keys (others: words title-cased).
TAG_NAMES = {
    "release": "Release",
    "dist": "Distribution",
    "user": "User",
    "environment": "Environment",
    "level": "Level",
    "logger": "Logger",
    "server_name": "Server",
    "transaction": "Transaction",
    "url": "URL",
    "browser": "Browser",
    "os": "OS",
    "os.name": "OS Name",
    "runtime": "Runtime",
    "device": "Device",
    "handled": "Handled",
    "mechanism": "Mechanism",
    "trace": "Trace",
}

#: GroupInboxReason values Sentry sends in `inbox.reason`.
INBOX_REASONS = {"new": 0, "unignored": 1, "regressed": 2, "manual": 3, "escalating": 5}


def tag_name(key: str) -> str:
    """Sentry's label of a tag key: `browser.name` → `Browser Name`."""
    return TAG_NAMES.get(key) or key.replace("_", " ").replace(".", " ").title()


def public_status_details(raw: str | dict | None) -> dict[str, Any]:
    """`statusDetails` without the internal bookkeeping keys."""
    details = loads(raw, {}) if isinstance(raw, str) or raw is None else raw
    return {k: v for k, v in (details or {}).items() if not k.startswith("_")}


def effective_substatus(row: sqlite3.Row | dict, now: float) -> str | None:
    """The substatus users see: `new` turns `ongoing` a week after the first event."""
    sub = row["substatus"]
    if sub == "new" and row["first_seen"] < now - NEW_ISSUE_SECONDS:
        return "ongoing"
    if row["status"] == "unresolved" and sub is None:
        return "ongoing"
    return sub


def short_version(version: str) -> str:
    """Sentry's `shortVersion`: a commit sha shortened, `pkg@1.2.3` → `1.2.3`."""
    if len(version) == 40 and all(c in "0123456789abcdef" for c in version):
        return version[:7]
    if "@" in version:
        return version.split("@", 1)[1]
    return version


def user_json(row: sqlite3.Row | None) -> dict[str, Any] | None:
    """Sentry's user serializer (the fields a client reads) from a `users` row."""
    if row is None:
        return None
    return {
        "id": str(row["id"]),
        "name": row["name"],
        "username": row["username"],
        "email": row["email"],
        "avatarUrl": "",
        "isActive": True,
        "isSuspended": False,
        "hasPasswordAuth": True,
        "isManaged": False,
        "dateJoined": iso(row["date_joined"]),
        "lastLogin": None,
        "has2fa": False,
        "lastActive": None,
        "isSuperuser": False,
        "isStaff": False,
        "experiments": {},
        "emails": [{"id": str(row["id"]), "email": row["email"], "is_verified": True}],
        "avatar": {"avatarType": "letter_avatar", "avatarUuid": None},
    }


def release_json(store: Store, org_id: int, version: str | None) -> dict[str, Any] | None:
    """The short release object of `firstRelease` / `lastRelease`."""
    if not version:
        return None
    row = store.query_one(
        "SELECT * FROM releases WHERE org_id = ? AND version = ?", (org_id, version)
    )
    return {
        "version": version,
        "shortVersion": short_version(version),
        "dateCreated": iso(row["date_created"]) if row else None,
        "dateReleased": iso(row["date_released"]) if row else None,
        "ref": row["ref"] if row else None,
        "url": row["url"] if row else None,
    }


def _marks(n: int) -> str:
    return ",".join("?" * n)


def bucket_starts(
    period: str, now: float, spec: tuple[int, int] | None = None
) -> tuple[int, int, list[int]]:
    """(bucket seconds, first bucket start, all bucket starts) for a sparkline period.

    `spec` = (bucket seconds, bucket count) for periods not in `STATS_PERIODS` (`auto`).
    """
    size, count = spec or STATS_PERIODS[period]
    end = int(now // size) * size
    start = end - (count - 1) * size
    return size, start, [start + i * size for i in range(count)]


@dataclass
class IssueSerializer:
    """Serializes issue rows for one request (one caller, one set of filters)."""

    store: Store
    org_id: int
    org_slug: str
    base_url: str  # e.g. "http://127.0.0.1:8000/" (request.base_url)
    user_id: int | None
    now: float
    environments: Sequence[str] = ()
    stats_periods: Sequence[str] = ("24h",)
    auto_spec: tuple[int, int] = (DAY, 14)  # buckets of groupStatsPeriod=auto
    collapse: frozenset[str] = frozenset()
    expand: frozenset[str] = frozenset()
    _projects: dict[int, dict[str, Any]] = field(default_factory=dict)

    # -- batched lookups --------------------------------------------------------------------------

    def _env_sql(self) -> tuple[str, list]:
        if not self.environments:
            return "", []
        return f" AND environment IN ({_marks(len(self.environments))})", list(self.environments)

    def _project(self, project_id: int) -> dict[str, Any]:
        if not self._projects:
            for p in self.store.query(
                "SELECT id, slug, name, platform FROM projects WHERE org_id = ?", (self.org_id,)
            ):
                self._projects[p["id"]] = {
                    "id": str(p["id"]),
                    "name": p["name"],
                    "slug": p["slug"],
                    "platform": p["platform"],
                }
        return self._projects[project_id]

    def _counts(self, ids: list[int], *, env: bool) -> dict[int, sqlite3.Row]:
        env_sql, env_params = self._env_sql() if env else ("", [])
        rows = self.store.query(
            "SELECT group_id, COUNT(*) AS n, COUNT(DISTINCT user_key) AS users,"
            f" MIN(timestamp) AS first, MAX(timestamp) AS last FROM events"
            f" WHERE group_id IN ({_marks(len(ids))}){env_sql} GROUP BY group_id",
            [*ids, *env_params],
        )
        return {r["group_id"]: r for r in rows}

    def _user_counts(self, ids: list[int]) -> dict[int, int]:
        rows = self.store.query(
            "SELECT group_id, COUNT(DISTINCT user_key) AS users FROM events"
            f" WHERE group_id IN ({_marks(len(ids))}) GROUP BY group_id",
            ids,
        )
        return {r["group_id"]: r["users"] for r in rows}

    def stats(self, ids: list[int], period: str) -> dict[int, list[list[int]]]:
        """Sparkline buckets for every id in one query: `{id: [[epoch, n], ...]}`."""
        spec = self.auto_spec if period == "auto" else None
        size, start, starts = bucket_starts(period, self.now, spec)
        env_sql, env_params = self._env_sql()
        rows = self.store.query(
            f"SELECT group_id, CAST((timestamp - ?) / ? AS INTEGER) AS b, COUNT(*) AS n FROM events"
            f" WHERE group_id IN ({_marks(len(ids))}) AND timestamp >= ?{env_sql}"
            " GROUP BY group_id, b",
            [start, size, *ids, start, *env_params],
        )
        out = {i: [[s, 0] for s in starts] for i in ids}
        last = len(starts) - 1
        for r in rows:
            out[r["group_id"]][min(int(r["b"]), last)][1] += r["n"]
        return out

    def _per_user(self, table: str, ids: list[int], cols: str) -> dict[int, sqlite3.Row]:
        if self.user_id is None:
            return {}
        rows = self.store.query(
            f"SELECT group_id, {cols} FROM {table} WHERE user_id = ?"
            f" AND group_id IN ({_marks(len(ids))})",
            [self.user_id, *ids],
        )
        return {r["group_id"]: r for r in rows}

    def _comment_counts(self, ids: list[int]) -> dict[int, int]:
        rows = self.store.query(
            "SELECT group_id, COUNT(*) AS n FROM activities WHERE type = 'note'"
            f" AND group_id IN ({_marks(len(ids))}) GROUP BY group_id",
            ids,
        )
        return {r["group_id"]: r["n"] for r in rows}

    def _assignees(self, rows: Iterable[sqlite3.Row]) -> dict[tuple[str, int], dict[str, Any]]:
        user_ids = {r["assigned_user_id"] for r in rows if r["assigned_user_id"] is not None}
        team_ids = {r["assigned_team_id"] for r in rows if r["assigned_team_id"] is not None}
        out: dict[tuple[str, int], dict[str, Any]] = {}
        if user_ids:
            for u in self.store.query(
                f"SELECT id, name, email FROM users WHERE id IN ({_marks(len(user_ids))})",
                list(user_ids),
            ):
                out[("user", u["id"])] = {
                    "type": "user",
                    "id": str(u["id"]),
                    "name": u["name"],
                    "email": u["email"],
                }
        if team_ids:
            for t in self.store.query(
                f"SELECT id, slug, name FROM teams WHERE id IN ({_marks(len(team_ids))})",
                list(team_ids),
            ):
                out[("team", t["id"])] = {"type": "team", "id": str(t["id"]), "name": t["slug"]}
        return out

    # -- shapes -----------------------------------------------------------------------------------

    def permalink(self, group_id: int) -> str:
        return f"{self.base_url.rstrip('/')}/organizations/{self.org_slug}/issues/{group_id}/"

    def inbox(self, row: sqlite3.Row) -> dict[str, Any] | None:
        if row["status"] != "unresolved":
            return None
        details = loads(row["status_details"], {})
        if details.get("_inbox") is not None:
            return {"reason": 3, "reason_details": None, "date_added": iso(details["_inbox"])}
        if details.get("_reviewed") is not None:
            return None
        sub = effective_substatus(row, self.now)
        if sub == "new":
            return {"reason": 0, "reason_details": None, "date_added": iso(row["first_seen"])}
        if sub in ("regressed", "escalating"):
            reason = INBOX_REASONS[sub]
            return {"reason": reason, "reason_details": None, "date_added": iso(row["last_seen"])}
        return None

    def serialize_many(self, rows: Sequence[sqlite3.Row]) -> list[dict[str, Any]]:
        """List items (SENTRY_API.md 3.3) for `rows`, in order."""
        if not rows:
            return []
        ids = [r["id"] for r in rows]
        users = self._user_counts(ids)
        filtered = self._counts(ids, env=True) if self.environments else None
        stats = {}
        if "stats" not in self.collapse:
            stats = {p: self.stats(ids, p) for p in self.stats_periods}
        bookmarks = self._per_user("group_bookmarks", ids, "date_added")
        seen = self._per_user("group_seen", ids, "last_seen")
        subs = self._per_user("group_subscriptions", ids, "is_active, reason")
        comments = self._comment_counts(ids)
        assignees = self._assignees(rows)
        out = []
        for r in rows:
            gid = r["id"]
            lifetime = {
                "count": str(r["times_seen"]),
                "userCount": users.get(gid, 0),
                "firstSeen": iso(r["first_seen"]),
                "lastSeen": iso(r["last_seen"]),
            }
            current = dict(lifetime)
            filtered_obj = None
            if filtered is not None:
                f = filtered.get(gid)
                current = {
                    "count": str(f["n"] if f else 0),
                    "userCount": f["users"] if f else 0,
                    "firstSeen": iso(f["first"]) if f else None,
                    "lastSeen": iso(f["last"]) if f else None,
                }
                filtered_obj = {**current, "stats": {p: stats[p][gid] for p in stats}}
            assigned = None
            if r["assigned_user_id"] is not None:
                assigned = assignees.get(("user", r["assigned_user_id"]))
            elif r["assigned_team_id"] is not None:
                assigned = assignees.get(("team", r["assigned_team_id"]))
            sub = subs.get(gid)
            subscribed = bool(sub and sub["is_active"])
            seen_row = seen.get(gid)
            item: dict[str, Any] = {
                "id": str(gid),
                "shareId": r["share_id"] if r["is_public"] else None,
                "shortId": r["short_id"],
                "title": r["title"],
                "culprit": r["culprit"],
                "permalink": self.permalink(gid),
                "logger": r["logger"],
                "level": r["level"],
                "status": r["status"],
                "statusDetails": public_status_details(r["status_details"]),
                "substatus": effective_substatus(r, self.now),
                "isPublic": bool(r["is_public"]),
                "platform": r["platform"],
                "priority": r["priority"],
                "priorityLockedAt": iso(r["priority_locked_at"]),
                "seerFixabilityScore": None,
                "seerAutofixLastTriggered": None,
                "seerExplorerAutofixLastTriggered": None,
                "project": self._project(r["project_id"]),
                "type": r["type"],
                "issueType": "error",
                "issueCategory": "error",
                "metadata": loads(r["metadata"], {}),
                "numComments": comments.get(gid, 0),
                "assignedTo": assigned,
                "isBookmarked": gid in bookmarks,
                "isSubscribed": subscribed,
                "subscriptionDetails": {"reason": sub["reason"]} if subscribed else None,
                "hasSeen": bool(seen_row and seen_row["last_seen"] >= r["last_seen"]),
                "annotations": [],
                "isUnhandled": bool(r["is_unhandled"]),
                **current,
            }
            if "unhandled" in self.collapse:
                del item["isUnhandled"]
            if "base" in self.collapse:
                item = {"id": str(gid)}
            if stats:
                item["stats"] = {p: stats[p][gid] for p in stats}
            if "lifetime" not in self.collapse:
                item["lifetime"] = {**lifetime, "stats": None}
            if "filtered" not in self.collapse:
                item["filtered"] = filtered_obj
            if "inbox" in self.expand:
                inbox = self.inbox(r)
                # Sentry sends null outside the inbox; the list schema types `inbox` as a
                # non-null object, so the demo leaves the key out instead
                if inbox is not None:
                    item["inbox"] = inbox
            # expand=owners: no ownership rules in the demo, so no `owners` key (Sentry: null;
            # the list schema types it as a non-null object)
            if "integrationIssues" in self.expand:
                item["integrationIssues"] = []
            if "sentryAppIssues" in self.expand:
                item["sentryAppIssues"] = []
            if "latestEventHasAttachments" in self.expand:
                item["latestEventHasAttachments"] = False
            out.append(item)
        return out

    def serialize(self, row: sqlite3.Row) -> dict[str, Any]:
        return self.serialize_many([row])[0]

    # -- detail -----------------------------------------------------------------------------------

    def activities(self, group_id: int, *, limit: int = 100) -> list[dict[str, Any]]:
        rows = self.store.query(
            "SELECT * FROM activities WHERE group_id = ? ORDER BY date_created DESC, id DESC"
            " LIMIT ?",
            (group_id, limit),
        )
        return activity_list(self.store, rows)

    def tag_summary(self, group_id: int) -> list[dict[str, Any]]:
        if self.environments:
            env_sql, env_params = self._env_sql()
            rows = self.store.query(
                "SELECT t.key, COUNT(*) AS n FROM event_tags t JOIN events e ON e.id = t.event_row"
                f" WHERE t.group_id = ?{env_sql.replace('environment', 'e.environment')}"
                " GROUP BY t.key ORDER BY t.key",
                [group_id, *env_params],
            )
        else:
            rows = self.store.query(
                "SELECT key, COUNT(*) AS n FROM event_tags WHERE group_id = ?"
                " GROUP BY key ORDER BY key",
                (group_id,),
            )
        return [{"key": r["key"], "name": tag_name(r["key"]), "totalValues": r["n"]} for r in rows]

    def serialize_detail(self, row: sqlite3.Row) -> dict[str, Any]:
        """The single-issue GET body: list fields plus activity, seenBy, releases, tags, stats."""
        item = self.serialize(row)
        gid = row["id"]
        seen_by = self.store.query(
            "SELECT u.*, s.last_seen AS seen_at FROM group_seen s JOIN users u ON u.id = s.user_id"
            " WHERE s.group_id = ? ORDER BY s.last_seen DESC",
            (gid,),
        )
        participants = self.store.query(
            "SELECT u.* FROM group_subscriptions s JOIN users u ON u.id = s.user_id"
            " WHERE s.group_id = ? AND s.is_active = 1 ORDER BY u.id",
            (gid,),
        )
        item.update(
            {
                "activity": self.activities(gid),
                "seenBy": [{**user_json(u), "lastSeen": iso(u["seen_at"])} for u in seen_by],
                "participants": [user_json(u) for u in participants],
                "userReportCount": 0,
                "pluginActions": [],
                "pluginIssues": [],
                "pluginContexts": [],
            }
        )
        if "release" not in self.collapse:
            item["firstRelease"] = release_json(self.store, self.org_id, row["first_release"])
            item["lastRelease"] = release_json(self.store, self.org_id, row["last_release"])
        if "tags" not in self.collapse:
            item["tags"] = self.tag_summary(gid)
        if "stats" not in self.collapse:
            item["stats"] = {p: self.stats([gid], p)[gid] for p in ("24h", "30d")}
        return item


def activity_list(store: Store, rows: Sequence[sqlite3.Row]) -> list[dict[str, Any]]:
    """Activity items (`{id, type, data, user, sentry_app, dateCreated}`) for `activities` rows."""
    user_ids = {r["user_id"] for r in rows if r["user_id"] is not None}
    users = {}
    if user_ids:
        users = {
            u["id"]: user_json(u)
            for u in store.query(
                f"SELECT * FROM users WHERE id IN ({_marks(len(user_ids))})", list(user_ids)
            )
        }
    return [
        {
            "id": str(r["id"]),
            "type": r["type"],
            "data": loads(r["data"], {}),
            "user": users.get(r["user_id"]),
            "sentry_app": None,
            "dateCreated": iso(r["date_created"]),
        }
        for r in rows
    ]
