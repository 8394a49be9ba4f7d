"""Ingest: normalized events into the store, with Sentry's issue bookkeeping (SENTRY_API.md 10.4).

Each event is normalized (`normalize.py`), hashed (`grouping.py`) and stored in `events` and
`event_tags`; the group owning one of its hashes is updated (or a new one created, with a short id
`<PROJECT-SLUG>-<base32 counter>`), and the issue life cycle runs:

* new group -> unresolved/new, activity `first_seen`;
* event on a resolved group -> unresolved/regressed, activity `set_regression`, `resolved_at`
  cleared. A group resolved `inRelease` X (or `inNextRelease`) does not regress on events from a
  release created before X (before the resolution); events without a release always regress;
* event on an ignored group with substatus `archived_until_condition_met` -> unresolved/escalating,
  activity `set_escalating`, once its `statusDetails` condition holds (see `ignore_bookkeeping`);
* `archived_until_escalating` -> unresolved/escalating when the events received in the last hour
  (since it was archived) exceed 3x its hourly average over the 7 days before that hour, with a
  floor of 1 event/hour (so at least 4 events are needed). Sentry uses forecasts; this is the
  documented stand-in;
* `archived_forever` stays ignored; events on a merged child land in its parent (`merged_into`).

Ignore conditions are checked against the event's `received` time ("now" of the ingest).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from dexter_tui.demo.envelope import EnvelopeError, check_json_value, parse_envelope
from dexter_tui.demo.grouping import compute_hashes
from dexter_tui.demo.normalize import iso, normalize_event, parse_timestamp, search_message
from dexter_tui.demo.store import Store, dumps

#: Sentry's short-id alphabet (Crockford base32: no I, L, O, U).
BASE32_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: Item types ingest turns into events; every other item type is accepted and discarded.
EVENT_ITEMS = frozenset({"event"})
ESCALATION_FACTOR = 3.0
ESCALATION_HISTORY_HOURS = 7 * 24


class UnknownProject(LookupError):
    """Ingest into a project id the store does not hold."""


def base32_encode(number: int) -> str:
    """Sentry's short id counter: 1 -> "1", 31 -> "Z", 32 -> "10"."""
    if number == 0:
        return BASE32_ALPHABET[0]
    digits = []
    while number:
        number, rem = divmod(number, 32)
        digits.append(BASE32_ALPHABET[rem])
    return "".join(reversed(digits))


def short_id(project_slug: str, counter: int) -> str:
    return f"{project_slug.upper()}-{base32_encode(counter)}"


def _initial_priority(level: str, unhandled: bool) -> str:
    """Sentry's initial priority from the log level (unhandled errors count as severe)."""
    if level == "fatal" or (level == "error" and unhandled):
        return "high"
    if level in ("error", "warning"):
        return "medium"
    return "low"


def _is_unhandled(event: dict[str, Any]) -> bool:
    values = (event.get("exception") or {}).get("values") or []
    return any((v.get("mechanism") or {}).get("handled") is False for v in values)


# -- ignore conditions --------------------------------------------------------------------------


def _distinct_users(conn: sqlite3.Connection, group_id: int, since: float | None = None) -> int:
    if since is None:
        sql, args = "SELECT COUNT(DISTINCT user_key) FROM events WHERE group_id = ?", (group_id,)
    else:
        sql = "SELECT COUNT(DISTINCT user_key) FROM events WHERE group_id = ? AND received > ?"
        args = (group_id, since)
    return int(conn.execute(sql, args).fetchone()[0])


def _since(now: float, window_minutes: float, ignored_at: float | None) -> float:
    """Start (exclusive) of "within the last W minutes and after it was ignored"."""
    start = now - window_minutes * 60
    return start if ignored_at is None else max(start, ignored_at)


def ignore_bookkeeping(
    store_conn: Store | sqlite3.Connection,
    group_id: int,
    status_details: dict[str, Any],
    *,
    now: float | None = None,
) -> dict[str, Any]:
    """`status_details` for an issue being ignored, plus what ingest needs to reopen it.

    Call this when setting status `ignored` (any substatus) and store the result in
    `groups.status_details`. Added keys (underscore-prefixed: API serializers must drop them):

    * `_ignoredAt` (float epoch seconds): when it was ignored (`now`, default the store clock);
    * `_countAtIgnore` (int): `groups.times_seen` then; `ignoreCount` N without `ignoreWindow`
      reopens once `times_seen - _countAtIgnore >= N`; with `ignoreWindow` W (minutes) once N
      events were received within the last W minutes and after `_ignoredAt`;
    * `_usersAtIgnore` (int): distinct `events.user_key` then; `ignoreUserCount` N reopens once
      the distinct users reach `_usersAtIgnore + N`, or with `ignoreUserWindow` W once N distinct
      users sent events within the last W minutes and after `_ignoredAt`;
    * `ignoreDuration` D (minutes) also gets `ignoreUntil` = `_ignoredAt` + D as ISO 8601, which
      is what Sentry reports; `ignoreUntil` reopens once an event arrives at or after it.
    """
    conn = store_conn.conn if isinstance(store_conn, Store) else store_conn
    if now is None:
        now = store_conn.now() if isinstance(store_conn, Store) else time.time()
    row = conn.execute("SELECT times_seen FROM groups WHERE id = ?", (group_id,)).fetchone()
    details = dict(status_details)
    details["_ignoredAt"] = now
    details["_countAtIgnore"] = int(row[0]) if row else 0
    details["_usersAtIgnore"] = _distinct_users(conn, group_id)
    duration = details.get("ignoreDuration")
    if isinstance(duration, int | float) and duration > 0 and not details.get("ignoreUntil"):
        until = datetime.fromtimestamp(now, UTC) + timedelta(minutes=duration)
        details["ignoreUntil"] = until.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return details


def _condition_met(conn: sqlite3.Connection, group: sqlite3.Row, now: float) -> bool:
    """Whether an `archived_until_condition_met` group's statusDetails condition now holds."""
    details = json.loads(group["status_details"] or "{}")
    ignored_at = details.get("_ignoredAt")
    ignored_at = float(ignored_at) if isinstance(ignored_at, int | float) else None
    until = parse_timestamp(details.get("ignoreUntil"))
    if until is None and ignored_at is not None:
        duration = details.get("ignoreDuration")
        if isinstance(duration, int | float) and duration > 0:
            until = ignored_at + duration * 60
    if until is not None and now >= until:
        return True
    count = details.get("ignoreCount")
    if isinstance(count, int) and count > 0:
        window = details.get("ignoreWindow")
        if isinstance(window, int | float) and window > 0:
            seen = conn.execute(
                "SELECT COUNT(*) FROM events WHERE group_id = ? AND received > ?",
                (group["id"], _since(now, window, ignored_at)),
            ).fetchone()[0]
            if seen >= count:
                return True
        elif group["times_seen"] - int(details.get("_countAtIgnore", 0)) >= count:
            return True
    users = details.get("ignoreUserCount")
    if isinstance(users, int) and users > 0:
        window = details.get("ignoreUserWindow")
        if isinstance(window, int | float) and window > 0:
            if _distinct_users(conn, group["id"], _since(now, window, ignored_at)) >= users:
                return True
        elif _distinct_users(conn, group["id"]) - int(details.get("_usersAtIgnore", 0)) >= users:
            return True
    return False


def _escalated(conn: sqlite3.Connection, group: sqlite3.Row, now: float) -> bool:
    """`archived_until_escalating`: last hour's events above 3x the previous hourly average."""
    details = json.loads(group["status_details"] or "{}")
    hour_ago = now - 3600
    ignored_at = details.get("_ignoredAt")
    ignored_at = float(ignored_at) if isinstance(ignored_at, int | float) else None
    recent_since = _since(now, 60, ignored_at)
    recent = conn.execute(
        "SELECT COUNT(*) FROM events WHERE group_id = ? AND received > ?",
        (group["id"], recent_since),
    ).fetchone()[0]
    history_start = hour_ago - ESCALATION_HISTORY_HOURS * 3600
    count, earliest = conn.execute(
        "SELECT COUNT(*), MIN(received) FROM events WHERE group_id = ? AND received >= ?"
        " AND received < ?",
        (group["id"], history_start, hour_ago),
    ).fetchone()
    hours = 1.0 if earliest is None else max(1.0, (hour_ago - earliest) / 3600)
    average = max(count / hours, 1.0)
    return recent > ESCALATION_FACTOR * average


# -- the batch ------------------------------------------------------------------------------------


class _Batch:
    """Ingest into one project inside one open transaction, caching what repeats per event."""

    def __init__(self, store: Store, conn: sqlite3.Connection, project_id: int):
        self.store = store
        self.conn = conn
        row = conn.execute(
            "SELECT id, org_id, slug, next_short_id, first_event FROM projects WHERE id = ?",
            (project_id,),
        ).fetchone()
        if row is None:
            raise UnknownProject(f"unknown project {project_id}")
        self.project_id = project_id
        self.org_id = row["org_id"]
        self.slug = row["slug"]
        self.next_short_id = int(row["next_short_id"])
        self.first_event = row["first_event"]
        self.first_event_seen: float | None = None
        self.environments: set[str] = {
            r[0]
            for r in conn.execute(
                "SELECT e.name FROM environments e JOIN environment_projects ep"
                " ON ep.environment_id = e.id WHERE ep.project_id = ?",
                (project_id,),
            )
        }
        self.releases: set[str] = {
            r[0]
            for r in conn.execute(
                "SELECT r.version FROM releases r JOIN release_projects rp ON rp.release_id = r.id"
                " WHERE rp.project_id = ?",
                (project_id,),
            )
        }

    def finish(self) -> None:
        self.conn.execute(
            "UPDATE projects SET next_short_id = ? WHERE id = ?",
            (self.next_short_id, self.project_id),
        )
        if self.first_event_seen is not None and (
            self.first_event is None or self.first_event_seen < self.first_event
        ):
            self.conn.execute(
                "UPDATE projects SET first_event = ? WHERE id = ?",
                (self.first_event_seen, self.project_id),
            )

    # -- registration of names ------------------------------------------------------------------

    def _register(self, event: dict[str, Any]) -> None:
        env = event.get("environment")
        if env and env not in self.environments:
            self.conn.execute(
                "INSERT OR IGNORE INTO environments (org_id, name) VALUES (?, ?)",
                (self.org_id, env),
            )
            env_id = self.conn.execute(
                "SELECT id FROM environments WHERE org_id = ? AND name = ?", (self.org_id, env)
            ).fetchone()[0]
            self.conn.execute(
                "INSERT OR IGNORE INTO environment_projects (environment_id, project_id)"
                " VALUES (?, ?)",
                (env_id, self.project_id),
            )
            self.environments.add(env)
        release = event.get("release")
        if release and release not in self.releases:
            created = min(event["timestamp"], event["received"])
            self.conn.execute(
                "INSERT INTO releases (org_id, version, date_created) VALUES (?, ?, ?)"
                " ON CONFLICT(org_id, version) DO UPDATE SET"
                " date_created = min(date_created, excluded.date_created)",
                (self.org_id, release, created),
            )
            release_id = self.conn.execute(
                "SELECT id FROM releases WHERE org_id = ? AND version = ?", (self.org_id, release)
            ).fetchone()[0]
            self.conn.execute(
                "INSERT OR IGNORE INTO release_projects (release_id, project_id) VALUES (?, ?)",
                (release_id, self.project_id),
            )
            self.releases.add(release)

    # -- groups ---------------------------------------------------------------------------------

    def _find_group(self, hashes: list[str]) -> sqlite3.Row | None:
        row = None
        for h in hashes:
            row = self.conn.execute(
                "SELECT group_id FROM group_hashes WHERE project_id = ? AND hash = ?",
                (self.project_id, h),
            ).fetchone()
            if row is not None:
                break
        if row is None:
            return None
        group_id = row[0]
        for _ in range(16):  # follow merges to the surviving parent
            group = self.conn.execute("SELECT * FROM groups WHERE id = ?", (group_id,)).fetchone()
            if group is None or group["merged_into"] is None:
                return group
            group_id = group["merged_into"]
        return group

    def _create_group(self, event: dict[str, Any], message: str, hashes: list[str]) -> int:
        counter = self.next_short_id
        self.next_short_id += 1
        unhandled = _is_unhandled(event)
        ts = event["timestamp"]
        group_id = int(
            self.conn.execute(
                "INSERT INTO groups (project_id, short_id, type, title, culprit, location, message,"
                " level, logger, platform, metadata, status, substatus, status_details, priority,"
                " is_unhandled, first_seen, last_seen, times_seen, first_release, last_release)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'unresolved', 'new', '{}', ?, ?, ?, ?,"
                " 1, ?, ?)",
                (
                    self.project_id,
                    short_id(self.slug, counter),
                    event["type"],
                    event["title"],
                    event.get("culprit"),
                    event.get("location"),
                    message,
                    event["level"],
                    event.get("logger"),
                    event.get("platform"),
                    dumps(event.get("metadata") or {}),
                    _initial_priority(event["level"], unhandled),
                    int(unhandled),
                    ts,
                    ts,
                    event.get("release"),
                    event.get("release"),
                ),
            ).lastrowid
        )
        self.conn.executemany(
            "INSERT OR IGNORE INTO group_hashes (project_id, hash, group_id) VALUES (?, ?, ?)",
            [(self.project_id, h, group_id) for h in hashes],
        )
        self._activity(group_id, "first_seen", {}, event["received"])
        return group_id

    def _activity(self, group_id: int, kind: str, data: dict[str, Any], when: float) -> None:
        self.conn.execute(
            "INSERT INTO activities (group_id, project_id, type, user_id, data, date_created)"
            " VALUES (?, ?, ?, NULL, ?, ?)",
            (group_id, self.project_id, kind, dumps(data), when),
        )

    def _release_created(self, version: str | None) -> float | None:
        if not version:
            return None
        row = self.conn.execute(
            "SELECT date_created FROM releases WHERE org_id = ? AND version = ?",
            (self.org_id, version),
        ).fetchone()
        return None if row is None else float(row[0])

    def _regresses(self, group: sqlite3.Row, event: dict[str, Any]) -> bool:
        """A resolved group regresses unless the event comes from a release the fix predates."""
        details = json.loads(group["status_details"] or "{}")
        event_release = self._release_created(event.get("release"))
        if event_release is None:
            return True
        if details.get("inRelease"):
            fixed = self._release_created(str(details["inRelease"]))
            return fixed is None or event_release > fixed
        if details.get("inNextRelease"):
            resolved_at = group["resolved_at"]
            return resolved_at is None or event_release > resolved_at
        return True

    def _update_group(self, group: sqlite3.Row, event: dict[str, Any], message: str) -> None:
        group_id = group["id"]
        ts = event["timestamp"]
        now = event["received"]
        newest = ts >= group["last_seen"]
        sets = ["times_seen = times_seen + 1"]
        args: list[Any] = []
        if newest:
            sets += [
                "last_seen = ?",
                "title = ?",
                "culprit = ?",
                "location = ?",
                "message = ?",
                "level = ?",
                "metadata = ?",
            ]
            args += [
                ts,
                event["title"],
                event.get("culprit"),
                event.get("location"),
                message,
                event["level"],
                dumps(event.get("metadata") or {}),
            ]
            if event.get("release"):
                sets.append("last_release = ?")
                args.append(event["release"])
        if ts < group["first_seen"]:
            sets.append("first_seen = ?")
            args.append(ts)
            if event.get("release"):
                sets.append("first_release = ?")
                args.append(event["release"])
        elif group["first_release"] is None and event.get("release"):
            sets.append("first_release = ?")
            args.append(event["release"])
        if _is_unhandled(event) and not group["is_unhandled"]:
            sets.append("is_unhandled = 1")
        self.conn.execute(f"UPDATE groups SET {', '.join(sets)} WHERE id = ?", (*args, group_id))

        status, substatus = group["status"], group["substatus"]
        if status == "resolved":
            if self._regresses(group, event):
                self._reopen(group_id, "regressed", "set_regression", event)
        elif status == "ignored":
            fresh = self.conn.execute("SELECT * FROM groups WHERE id = ?", (group_id,)).fetchone()
            if substatus == "archived_until_condition_met" or (
                substatus is None and group["status_details"] not in (None, "", "{}")
            ):
                reopen = _condition_met(self.conn, fresh, now)
            else:
                reopen = substatus == "archived_until_escalating" and _escalated(
                    self.conn, fresh, now
                )
            if reopen:
                self._reopen(group_id, "escalating", "set_escalating", event)

    def _reopen(self, group_id: int, substatus: str, activity: str, event: dict[str, Any]) -> None:
        self.conn.execute(
            "UPDATE groups SET status = 'unresolved', substatus = ?, status_details = '{}',"
            " resolved_at = NULL WHERE id = ?",
            (substatus, group_id),
        )
        data: dict[str, Any] = {"event_id": event["event_id"]}
        if activity == "set_regression" and event.get("release"):
            data["version"] = event["release"]
        self._activity(group_id, activity, data, event["received"])

    # -- events ---------------------------------------------------------------------------------

    def add(
        self,
        raw: dict[str, Any],
        *,
        received: float | None = None,
        size: int = 0,
        client_ip: str | None = None,
        event_type: str | None = None,
    ) -> tuple[str, int]:
        received = self.store.now() if received is None else received
        check_json_value(raw)  # what Relay refuses never reaches the store (nor breaks a route)
        try:
            event = normalize_event(
                raw, received=received, client_ip=client_ip, event_type=event_type
            )
        except ValueError as exc:
            raise EnvelopeError(f"invalid event: {exc}") from exc
        existing = self.conn.execute(
            "SELECT group_id FROM events WHERE project_id = ? AND event_id = ?",
            (self.project_id, event["event_id"]),
        ).fetchone()
        if existing is not None:  # Sentry drops duplicate event ids
            return event["event_id"], int(existing[0] or 0)

        self._register(event)
        ts = event["timestamp"]
        if self.first_event_seen is None or ts < self.first_event_seen:
            self.first_event_seen = ts
        message = search_message(event)
        group: sqlite3.Row | None = None
        group_id: int | None = None
        if event["type"] != "transaction":
            hashes = compute_hashes(event)
            event["hashes"] = hashes
            group = self._find_group(hashes)
            group_id = (
                group["id"] if group is not None else self._create_group(event, message, hashes)
            )
        tags = event["tags"]
        user_key = next((v for k, v in tags if k == "user"), None)
        data = dumps(event)
        row_id = self.conn.execute(
            "INSERT INTO events (event_id, project_id, group_id, timestamp, received, type,"
            " level, title, message, culprit, location, environment, release, user_key, hashes,"
            " size, data)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                event["event_id"],
                self.project_id,
                group_id,
                ts,
                received,
                event["type"],
                event["level"],
                event["title"],
                message,
                event.get("culprit"),
                event.get("location"),
                event.get("environment"),
                event.get("release"),
                user_key,
                dumps(event.get("hashes") or []),
                size or len(data.encode("utf-8")),
                data,
            ),
        ).lastrowid
        self.conn.executemany(
            "INSERT INTO event_tags (event_row, group_id, key, value) VALUES (?, ?, ?, ?)",
            [(row_id, group_id, k, v) for k, v in tags],
        )
        if group_id is None:
            return event["event_id"], 0
        if group is not None:
            self._update_group(group, event, message)
        return event["event_id"], group_id


# -- public API ---------------------------------------------------------------------------------


def ingest_event(
    store: Store,
    project_id: int,
    event: dict[str, Any],
    *,
    received: float | None = None,
    size: int = 0,
    client_ip: str | None = None,
) -> tuple[str, int]:
    """Store one SDK event payload; returns (event_id hex, group_id; 0 for transactions)."""
    with store.transaction() as conn:
        batch = _Batch(store, conn, project_id)
        result = batch.add(event, received=received, size=size, client_ip=client_ip)
        batch.finish()
    return result


def ingest_events(
    store: Store,
    project_id: int,
    events: Iterable[dict[str, Any]],
    *,
    received: float | None = None,
    client_ip: str | None = None,
) -> list[tuple[str, int]]:
    """Store many events in one transaction (the seed's fast path). `received` None = store clock;
    an event may carry its own receive time under the key `"_received"` (popped, not stored)."""
    out = []
    with store.transaction() as conn:
        batch = _Batch(store, conn, project_id)
        for event in events:
            own = event.pop("_received", None) if isinstance(event, dict) else None
            out.append(
                batch.add(event, received=own if own is not None else received, client_ip=client_ip)
            )
        batch.finish()
    return out


def ingest_envelope(
    store: Store,
    project_id: int,
    body: bytes,
    *,
    client_ip: str | None = None,
    received: float | None = None,
) -> list[str]:
    """Store the `event` items of an (uncompressed) envelope atomically; returns their event ids.

    Other item types (transaction, session(s), client_report, attachment, check_in, log, span,
    profile, user_report, unknown ones) are accepted and discarded. Raises `EnvelopeError` on
    malformed input, in which case nothing is stored.
    """
    envelope = parse_envelope(body)
    header_id = envelope.headers.get("event_id")
    payloads: list[tuple[dict[str, Any], int]] = []
    for item in envelope.items:
        if item.type not in EVENT_ITEMS:
            continue
        payload = item.json()
        if not isinstance(payload, dict):
            raise EnvelopeError("invalid event item: payload must be a JSON object")
        if not payload.get("event_id") and isinstance(header_id, str):
            payload["event_id"] = header_id
        payloads.append((payload, len(item.payload)))
    if not payloads:
        return []
    ids = []
    with store.transaction() as conn:
        batch = _Batch(store, conn, project_id)
        for payload, size in payloads:
            ids.append(batch.add(payload, received=received, size=size, client_ip=client_ip)[0])
        batch.finish()
    return ids


__all__ = [
    "BASE32_ALPHABET",
    "UnknownProject",
    "base32_encode",
    "ignore_bookkeeping",
    "ingest_envelope",
    "ingest_event",
    "ingest_events",
    "iso",
    "short_id",
]
