"""What a parsed deadlock report holds: processes, lock waits, lock targets."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class LockTarget:
    """A lock PostgreSQL waited for, as DescribeLockTag printed it.

    `locktype` uses pg_locks' names; `object` is the English description even when the server
    was localized; `fields` holds the numbers (relation, database, page, tuple, transactionid...).
    """

    locktype: str
    object: str
    fields: dict[str, int | str] = field(default_factory=dict, compare=False, hash=False)
    original: str = field(default="", compare=False)

    @property
    def relation_oid(self) -> int | None:
        value = self.fields.get("relation")
        return value if isinstance(value, int) else None


@dataclass(frozen=True)
class Wait:
    """One edge of the wait-for graph: `pid` waits for `mode` on `target`, held by `blocked_by`."""

    pid: int
    mode: str
    target: LockTarget
    blocked_by: int
    in_report: bool = True  # False: learned from a lock-wait LOG line (a bystander)

    def to_json(self) -> dict[str, object]:
        return {
            "pid": self.pid,
            "blocked_by": self.blocked_by,
            "mode": self.mode,
            "locktype": self.target.locktype,
            "object": self.target.object,
        }


@dataclass
class Process:
    """A backend in the report: its query (from DETAIL, else the log STATEMENT, else the client)."""

    pid: int
    query: str | None = None
    query_source: str | None = None  # detail | statement | client
    statement: str | None = None
    context: str | None = None
    truncated: bool = False


@dataclass
class Report:
    """One PostgreSQL error report found in the input (a deadlock or not)."""

    is_deadlock: bool
    source: str  # client | server-log | csvlog | jsonlog | sentry-event | diag
    sqlstate: str | None = None
    message: str = ""
    language: str = "en"
    waits: list[Wait] = field(default_factory=list)
    bystander_waits: list[Wait] = field(default_factory=list)
    processes: dict[int, Process] = field(default_factory=dict)
    victim_pid: int | None = None
    context: str | None = None
    statement: str | None = None
    hint: str | None = None
    position: str | None = None  # "LINE 1: ..." with the caret line
    client_statement: str | None = None
    client_params: str | None = None
    error_class: str | None = None
    lookalike: str | None = None  # lock-timeout, nowait, serialization-failure...
    extra_queries: list[str] = field(default_factory=list)  # e.g. Sentry query breadcrumbs
    #: why the report is incomplete (lost or unreadable wait lines...); empty when whole
    partial: list[str] = field(default_factory=list)
    driver: str | None = None  # psycopg, pgjdbc, postgrex, node-postgres... when recognisable
    raw: str = ""  # the report's own text: the identity of a partial report
    normalized: list[str] = field(default_factory=list)  # normalisation steps applied
    timestamp: str | None = None  # when the server logged it (server logs only)

    @property
    def all_waits(self) -> list[Wait]:
        return [*self.waits, *self.bystander_waits]
