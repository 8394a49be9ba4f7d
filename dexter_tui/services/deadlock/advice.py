"""Explain a deadlock and advise: tables involved, who holds what, why modes conflict, the
pattern, concrete recommendations, a severity and a fingerprint to group recurring deadlocks."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from . import parse as P
from .graph import WaitForGraph
from .hints import advisory_key, catalog_queries, describe_object
from .messages import LOCK_MODES
from .model import Report, Wait
from .sql import QueryInfo, analyze_query, normalized_digest

#: PostgreSQL's table-level lock conflict table (lock.c / "Conflicting Lock Modes"):
#: requested mode -> modes held by others that block it
CONFLICTS: dict[str, frozenset[str]] = {
    "AccessShareLock": frozenset({"AccessExclusiveLock"}),
    "RowShareLock": frozenset({"ExclusiveLock", "AccessExclusiveLock"}),
    "RowExclusiveLock": frozenset(
        {"ShareLock", "ShareRowExclusiveLock", "ExclusiveLock", "AccessExclusiveLock"}
    ),
    "ShareUpdateExclusiveLock": frozenset(
        {
            "ShareUpdateExclusiveLock",
            "ShareLock",
            "ShareRowExclusiveLock",
            "ExclusiveLock",
            "AccessExclusiveLock",
        }
    ),
    "ShareLock": frozenset(
        {
            "RowExclusiveLock",
            "ShareUpdateExclusiveLock",
            "ShareRowExclusiveLock",
            "ExclusiveLock",
            "AccessExclusiveLock",
        }
    ),
    "ShareRowExclusiveLock": frozenset(
        {
            "RowExclusiveLock",
            "ShareUpdateExclusiveLock",
            "ShareLock",
            "ShareRowExclusiveLock",
            "ExclusiveLock",
            "AccessExclusiveLock",
        }
    ),
    "ExclusiveLock": frozenset(set(LOCK_MODES) - {"AccessShareLock"}),
    "AccessExclusiveLock": frozenset(LOCK_MODES),
}

#: what usually takes each table-level mode (PostgreSQL docs, "Table-Level Locks")
TAKEN_BY: dict[str, str] = {
    "AccessShareLock": "SELECT",
    "RowShareLock": "SELECT ... FOR UPDATE/SHARE",
    "RowExclusiveLock": "INSERT, UPDATE, DELETE, MERGE",
    "ShareUpdateExclusiveLock": "VACUUM, ANALYZE, CREATE INDEX CONCURRENTLY, some ALTER TABLE",
    "ShareLock": "CREATE INDEX (not concurrently), LOCK TABLE ... IN SHARE MODE",
    "ShareRowExclusiveLock": "CREATE TRIGGER, some ALTER TABLE",
    "ExclusiveLock": "REFRESH MATERIALIZED VIEW CONCURRENTLY",
    "AccessExclusiveLock": "ALTER TABLE, DROP, TRUNCATE, VACUUM FULL, LOCK TABLE (default)",
}

_TABLE_LOCKTYPES = frozenset({"relation", "extend", "page", "tuple"})
_RI_RE = re.compile(r"SELECT 1 FROM ONLY .+ FOR (?:KEY )?SHARE OF x", re.DOTALL)
_RI_CASCADE_RE = re.compile(
    r"(?:DELETE FROM ONLY|UPDATE ONLY) .+ OPERATOR\(pg_catalog\.=\)", re.DOTALL
)

_DML_KINDS = frozenset({"select", "insert", "update", "delete", "merge"})

SEVERITIES = ("none", "low", "medium", "high", "critical")


@dataclass(frozen=True)
class Recommendation:
    id: str
    title: str
    detail: str

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "title": self.title, "detail": self.detail}


@dataclass(frozen=True)
class RowLock:
    """Who owns the row a process waits for: `waiter` needs the row (page, item) of
    `relation` that transaction `xid` of `owner` changed or locked."""

    waiter: int
    owner: int
    xid: int | None
    relation: str | None
    row: tuple[int, int] | None
    operation: str | None  # update, delete, lock, insert-index, check-unique...


def row_locks(report: Report, contexts: dict[int, str], oid_names: dict[int, str]) -> list[RowLock]:
    """One entry per row-level wait (transaction or tuple lock)."""
    out: list[RowLock] = []
    for wait in report.all_waits:
        target = wait.target
        if target.locktype == "transactionid":
            ctx = P._tuple_context(contexts.get(wait.pid, "") or "")
            xid = target.fields.get("transactionid")
            out.append(
                RowLock(
                    wait.pid,
                    wait.blocked_by,
                    xid if isinstance(xid, int) else None,
                    ctx[3] if ctx else None,
                    (ctx[1], ctx[2]) if ctx else None,
                    ctx[0] if ctx else None,
                )
            )
        elif target.locktype == "tuple":
            oid = target.relation_oid
            page, item = target.fields.get("page"), target.fields.get("tuple")
            row = (page, item) if isinstance(page, int) and isinstance(item, int) else None
            name = oid_names.get(oid) if oid is not None else None
            out.append(RowLock(wait.pid, wait.blocked_by, None, name, row, "tuple-lock"))
    return out


@dataclass
class Advice:
    """Everything the analyzer concludes beyond the raw graph."""

    pattern: str
    severity: str
    recommendations: list[Recommendation]
    relations: list[str]  # tables
    relation_names: dict[int, str]
    explanations: list[str]
    fingerprint: str
    queries: dict[int, QueryInfo] = field(default_factory=dict)
    row_locks: list[RowLock] = field(default_factory=list)
    catalog_queries: list[str] = field(default_factory=list)  # resolve OIDs, xids, keys
    indexes: list[str] = field(default_factory=list)  # unique indexes an insert waited on


def _bare(name: str) -> str:
    return name[len("public.") :] if name.startswith("public.") else name


def _queries(report: Report) -> dict[int, QueryInfo]:
    out: dict[int, QueryInfo] = {}
    for pid, proc in report.processes.items():
        # DETAIL cuts queries at track_activity_query_size; STATEMENT has the whole text
        query = proc.statement if proc.truncated and proc.statement else proc.query
        if query:
            out[pid] = analyze_query(query)
    return out


def _contexts(report: Report) -> dict[int, str]:
    out: dict[int, str] = {}
    for pid, proc in report.processes.items():
        if proc.context:
            out[pid] = proc.context
    if report.victim_pid is not None and report.context and report.victim_pid not in out:
        out[report.victim_pid] = report.context
    return out


def _caret_word(position: str | None) -> str | None:
    """The identifier under the `^` of a `LINE n: ...` position marker."""
    if not position or "\n" not in position:
        return None
    line, caret = position.split("\n", 1)
    col = caret.find("^")
    if col < 0 or col >= len(line):
        return None
    m = re.match(r'"([^"]+)"|([A-Za-z_][\w$]*(?:\.[A-Za-z_][\w$]*)?)', line[col:])
    return (m.group(1) or m.group(2)) if m else None


def resolve_relations(
    report: Report,
    queries: dict[int, QueryInfo],
    contexts: dict[int, str],
    known: dict[int, str] | None = None,
) -> tuple[list[str], dict[int, str]]:
    """(relation names involved, relation OID -> name) from CONTEXT, queries, the caret marker
    and any names the caller knows."""
    names: list[str] = []
    oid_names: dict[int, str] = dict(known or {})

    def add(name: str) -> None:
        name = _bare(name)
        if name and name not in names:
            names.append(name)

    indexes = context_indexes(contexts, queries)
    for ctx in contexts.values():
        found = P._tuple_context(ctx)
        if found and found[3] not in indexes:
            add(found[3])
        for sql in _context_sql(ctx):  # FK checks, function bodies, LOCK TABLE in a function
            for table in analyze_query(sql).tables:
                add(table)
    for wait in report.all_waits:
        for pid in (wait.pid, wait.blocked_by):
            if pid in queries:
                for table in queries[pid].tables:
                    add(table)
    caret = _caret_word(report.position)
    # a pid waiting on a relation-level lock: its own query names the relation
    for wait in report.all_waits:
        oid = wait.target.relation_oid
        if oid is None or oid in oid_names:
            continue
        candidates: list[str] = []
        if wait.pid == report.victim_pid and caret:
            candidates = [_bare(caret)]
        elif wait.target.locktype == "tuple" and wait.pid in contexts:
            found = P._tuple_context(contexts[wait.pid])
            candidates = [found[3]] if found else []
        if not candidates and wait.pid in queries:
            candidates = [_bare(t) for t in queries[wait.pid].tables]
        if len(candidates) == 1:
            oid_names[oid] = candidates[0]
    unresolved = {
        w.target.relation_oid
        for w in report.all_waits
        if w.target.relation_oid is not None and w.target.relation_oid not in oid_names
    }
    free = [n for n in names if n not in oid_names.values()]
    if len(unresolved) == 1 and len(free) == 1:
        oid_names[unresolved.pop()] = free[0]
    for name in oid_names.values():
        add(name)
    return names, oid_names


def _side_indexes(contexts: dict[int, str], queries: dict[int, QueryInfo]) -> list[str]:
    """Indexes a CONTEXT names: `while inserting index tuple ... in relation "t_u_key"` names
    the unique index the insert waited on, which no query names (PostgreSQL names the table
    itself when the wait came from ON CONFLICT's pre-check)."""
    known = {_bare(t) for q in queries.values() for t in q.tables}
    out: list[str] = []
    if not known:
        return out
    for ctx in contexts.values():
        found = P._tuple_context(ctx)
        side = found and found[0] == "insert-index" and _bare(found[3]) not in known
        if found and side and found[3] not in out:
            out.append(found[3])
    return out


# the suffixes PostgreSQL gives the indexes it names itself (ChooseIndexName): primary key,
# unique constraint, exclusion constraint, plain CREATE INDEX without a name
_DEFAULT_INDEX_SUFFIXES = ("_pkey", "_key", "_excl", "_idx")


def context_indexes(contexts: dict[int, str], queries: dict[int, QueryInfo]) -> list[str]:
    """Indexes an `insert-index` CONTEXT names. That line names the index a plain insert waited
    on but the table itself for ON CONFLICT's pre-check, so: with the queries known, a name no
    query uses is an index (`_side_indexes`); without them (a client's error alone), a name is
    an index when it has one of PostgreSQL's own index suffixes, and otherwise stays a table."""
    if any(q.tables for q in queries.values()):
        return _side_indexes(contexts, queries)
    out: list[str] = []
    for ctx in contexts.values():
        found = P._tuple_context(ctx)
        named = found[3] if found and found[0] == "insert-index" else ""
        if _bare(named).endswith(_DEFAULT_INDEX_SUFFIXES) and named not in out:
            out.append(named)
    return out


_CONTEXT_SQL_RE = re.compile(r'^SQL statement "(.*)"\s*$', re.MULTILINE)


def _context_sql(context: str) -> list[str]:
    """The SQL of `SQL statement "..."` CONTEXT lines (its inner quotes are not escaped)."""
    return [m.group(1) for m in _CONTEXT_SQL_RE.finditer(context)]


def describe_target(wait: Wait, oid_names: dict[int, str]) -> str:
    """The lock target with the relation name when known."""
    target = wait.target
    oid = target.relation_oid
    if oid is not None and oid in oid_names:
        return f"{target.object} ({oid_names[oid]})"
    return target.object


def explain(
    report: Report,
    graph: WaitForGraph,
    oid_names: dict[int, str],
    contexts: dict[int, str],
    queries: dict[int, QueryInfo],
) -> list[str]:
    """One sentence per wait: what the process wanted, who holds it, why they conflict."""
    lines: list[str] = []
    for wait in report.all_waits:
        target = wait.target
        who = f"pid {wait.pid}"
        holder = f"pid {wait.blocked_by}"
        tail = "" if wait.in_report else " (bystander: not in the cycle)"
        if target.locktype == "transactionid":
            xid = target.fields.get("transactionid")
            ctx = P._tuple_context(contexts.get(wait.pid, "") or "")
            if ctx:
                op, page, item, rel = ctx
                row = f"to {op.replace('-', ' ')} row ({page},{item}) of {rel}, which"
            else:
                row = "a row that"
            lines.append(
                f"{who} wants {row} transaction {xid} ({holder}) changed or locked; it waits "
                f"({wait.mode} on the transaction) until {holder} commits or rolls back{tail}."
            )
        elif target.locktype == "tuple":
            lines.append(
                f"{who} queues for the row lock on {describe_target(wait, oid_names)}, held by "
                f"{holder} which is first in line for the same row{tail}."
            )
        elif target.locktype == "virtualxid":
            lines.append(
                f"{who} waits for virtual transaction {target.fields.get('backend')}/"
                f"{target.fields.get('localxid')} of {holder} to finish: index builds and "
                f"other CONCURRENTLY operations wait for every older transaction{tail}."
            )
        elif target.locktype in ("advisory", "userlock"):
            decoded = advisory_key(target)
            key = decoded.describe() if decoded else target.object[target.object.find("[") :]
            lines.append(f"{who} waits for {wait.mode} on {key} held by {holder}{tail}.")
        elif target.locktype == "object" and describe_object(target):
            lines.append(
                f"{who} requests {wait.mode} on {target.object} ({describe_object(target)}) "
                f"held by {holder}{tail}."
            )
        elif target.locktype in ("relation", "extend", "page", "object", "frozenid"):
            holder_q = queries.get(wait.blocked_by)
            held = _held_mode(wait, report, holder_q)
            if held:
                why = f"{holder} holds {held}, which conflicts with it"
            elif wait.mode == "AccessExclusiveLock":
                why = (
                    f"{holder} holds a lock on it from an earlier statement of its transaction "
                    "(AccessExclusiveLock conflicts with every mode, even a SELECT's)"
                )
            else:
                blockers = sorted(CONFLICTS.get(wait.mode, ()), key=LOCK_MODES.index)
                weakest = blockers[0] if blockers else "a conflicting mode"
                why = (
                    f"{holder} holds at least {weakest} from an earlier statement of its "
                    f"transaction ({TAKEN_BY.get(weakest, 'an explicit lock')})"
                )
            if holder_q and holder_q.kind != "unknown":
                why += f" (its query: {holder_q.kind})"
            lines.append(
                f"{who} requests {wait.mode} on {describe_target(wait, oid_names)}; {why}{tail}."
            )
        elif target.locktype == "spectoken":
            lines.append(
                f"{who} waits for the speculative insertion of {holder} "
                f"({target.object}): both insert the same unique key "
                f"(INSERT ... ON CONFLICT){tail}."
            )
        else:
            lines.append(f"{who} waits for {wait.mode} on {target.object} held by {holder}{tail}.")
    if report.is_deadlock and report.victim_pid is not None:
        lines.append(
            f"PostgreSQL broke the cycle by aborting pid {report.victim_pid} (SQLSTATE 40P01); "
            f"the other transactions went on."
        )
    return lines


def _held_mode(wait: Wait, report: Report, holder_q: QueryInfo | None) -> str | None:
    """The one mode the holder is known to hold on the same object, when the text says so:
    its own LOCK TABLE mode, or the mode it already waited with on that object."""
    blockers = CONFLICTS.get(wait.mode, frozenset())
    if holder_q and holder_q.lock_mode in blockers:
        return holder_q.lock_mode
    for other in report.waits:
        if other.pid == wait.blocked_by and other.target == wait.target and other.mode in blockers:
            return other.mode
    implied = {
        "select": "AccessShareLock",
        "update": "RowExclusiveLock",
        "insert": "RowExclusiveLock",
        "delete": "RowExclusiveLock",
        "merge": "RowExclusiveLock",
    }.get(holder_q.kind if holder_q else "")
    return implied if implied in blockers else None


def classify(
    report: Report,
    graph: WaitForGraph,
    queries: dict[int, QueryInfo],
    contexts: dict[int, str],
) -> str:
    """The deadlock pattern, from the mix of lock types in the cycle, CONTEXT and the queries;
    "unknown" when the text does not support a conclusion."""
    if not report.is_deadlock:
        return "none"
    cycle_pids = {pid for cycle in graph.cycles for pid in cycle} or {w.pid for w in report.waits}
    waits = [w for w in report.waits if w.pid in cycle_pids] or report.waits
    if not waits:
        return "unknown"
    known = (
        bool(contexts) or bool(report.context) or any(p.query for p in report.processes.values())
    )
    if report.partial and len(report.waits) < 2 and not known:
        return "unknown"  # one wait sentence and nothing else: any pattern is a guess
    locktypes = {w.target.locktype for w in waits}
    row_types = locktypes & {"transactionid", "tuple"}
    table_types = locktypes & {"relation", "extend", "page", "object"}
    # the victim's CONTEXT tells the operation even when a lost line hides who the victim is
    if report.context and report.context not in contexts.values():
        contexts = {**contexts, -1: report.context}
    all_ctx = "\n".join(contexts.values())
    qinfos = [queries[p] for p in cycle_pids if p in queries]
    in_function = any(P._function_context(line) for line in all_ctx.split("\n"))
    if locktypes & {"advisory", "userlock"}:
        keys = [k for w in waits if (k := advisory_key(w.target)) is not None]
        if any(not k.is_user_lock for k in keys):
            return "extension-lock"
        if row_types or table_types:
            return "advisory-and-row"
        distinct = {(k.field2, k.field3, k.field4) for k in keys}
        if len(distinct) == 1:
            return "advisory-shared-upgrade"
        return "advisory-key-order"
    if "virtualxid" in locktypes or any(q.concurrent_index for q in qinfos):
        return "index-build"
    if "spectoken" in locktypes:
        return "speculative-insertion"
    upserts = any(q.upsert for q in qinfos)
    if row_types and not table_types and upserts and not _RI_RE.search(all_ctx):
        return "speculative-insertion"  # upserts waiting on each other's confirmed keys
    for ctx in contexts.values():
        found = P._tuple_context(ctx)
        if found and found[0] in ("check-unique", "insert-index", "check-exclusion"):
            return "unique-constraint"
    if _RI_CASCADE_RE.search(all_ctx):
        return "fk-cascade"
    if _RI_RE.search(all_ctx):
        if re.search(r"FOR SHARE OF x", all_ctx):
            return "fk-for-share"  # servers before 9.3 took FOR SHARE in RI checks
        statements = [(p.statement or p.query or "") for p in report.processes.values()]
        if any(st.strip().rstrip(";").upper() in ("COMMIT", "END") for st in statements):
            return "fk-deferred"
        return "fk-parent-child"
    if in_function and row_types and not table_types:
        return "function-internal"
    if table_types:
        kinds = {q.kind for q in qinfos}
        if in_function:
            return "function-table-locks"
        if len(qinfos) >= 2 and kinds <= {"ddl", "index"}:
            return "ddl-vs-ddl"
        # every process wants AccessExclusiveLock (or a catalog object's lock): each runs DDL or
        # LOCK TABLE, none an application's SELECT/INSERT/UPDATE/DELETE
        ddl_modes = all(
            w.mode == "AccessExclusiveLock" or w.target.locktype == "object" for w in waits
        )
        if ddl_modes and not report.partial and not kinds & _DML_KINDS:
            return "ddl-vs-ddl"
        modes = {w.mode for w in waits}
        if "AccessExclusiveLock" in modes or kinds & {"ddl", "index"}:
            return "ddl-vs-dml"
        relations = {(w.target.locktype, w.target.relation_oid or w.target.object) for w in waits}
        if len(relations) == 1 or "lock" in kinds:
            return "lock-upgrade"
        return "table-lock-order"
    if row_types:
        # a partial report still names every process the queue holds (a lost line's pid too)
        named = {w.pid for w in waits} | {w.blocked_by for w in waits} | cycle_pids
        if "tuple" in locktypes and len(named) >= 3 and _one_relation(waits, contexts):
            return "hot-row-queue"
        if any(
            set(q.locking) & {"FOR SHARE", "FOR KEY SHARE"} for q in qinfos
        ) or _same_row_everywhere(contexts, cycle_pids):
            return "lock-upgrade"
        return "row-order-inversion"
    return "unknown"


def _one_relation(waits: list[Wait], contexts: dict[int, str]) -> bool:
    rels = {w.target.relation_oid for w in waits if w.target.locktype == "tuple"}
    return len(rels) == 1


def _same_row_everywhere(contexts: dict[int, str], pids: set[int]) -> bool:
    rows = set()
    for pid in pids:
        found = P._tuple_context(contexts.get(pid, "") or "")
        if not found:
            return False
        rows.add((found[1], found[2], found[3]))
    return len(pids) > 1 and len(rows) == 1


def _rec(rid: str, title: str, detail: str) -> Recommendation:
    return Recommendation(rid, title, detail)


def recommend(
    pattern: str, report: Report, relations: list[str], side_indexes: list[str] | None = None
) -> list[Recommendation]:
    """Concrete steps for the pattern, then the ones every deadlock deserves. `side_indexes`:
    unique indexes a speculative insertion waited on besides its ON CONFLICT target."""
    table = relations[0] if relations else "the_table"
    recs: list[Recommendation] = []
    if pattern == "row-order-inversion":
        recs.append(
            _rec(
                "consistent-row-order",
                "Lock rows in one global order",
                "The transactions touch the same rows in opposite orders. Sort the keys before "
                f"writing, or lock them all up front: SELECT ... FROM {table} WHERE id = ANY($1) "
                "ORDER BY id FOR UPDATE; then update. Batch updates should ORDER BY the key too.",
            )
        )
    elif pattern == "lock-upgrade":
        recs.append(
            _rec(
                "strongest-lock-first",
                "Take the strongest lock first",
                "Each transaction took a weak lock (SELECT ... FOR SHARE, or LOCK TABLE ... IN "
                "SHARE MODE) and then asked for a stronger one on the same object while the other "
                "held its weak lock too. Take the lock you will end up needing at once: "
                "SELECT ... FOR UPDATE (or FOR NO KEY UPDATE) before updating a row you read, "
                "LOCK TABLE ... IN SHARE ROW EXCLUSIVE MODE before reading-then-writing a table.",
            )
        )
    elif pattern in ("fk-parent-child", "fk-cascade"):
        unsure_when = (
            ""
            if any(p.query for p in report.processes.values()) or report.statement
            else " If the statement that failed was COMMIT, the constraint is DEFERRABLE "
            "INITIALLY DEFERRED and the check ran at commit (this text does not show the "
            "statement)."
        )
        recs.append(
            _rec(
                "lock-parent-first",
                "Lock the parent row before touching children",
                "Inserting a child row takes FOR KEY SHARE on its parent (the foreign-key check "
                "in CONTEXT), and updating a parent's key takes FOR UPDATE. Lock parents first in "
                "a consistent order (SELECT ... FROM parent WHERE id = ANY($1) ORDER BY id FOR "
                "NO KEY UPDATE), avoid updating key columns needlessly, and index the "
                "referencing columns so cascades and checks lock only the rows they must."
                + unsure_when,
            )
        )
    elif pattern == "ddl-vs-dml":
        recs.append(
            _rec(
                "lock-timeout-migrations",
                "Run DDL with a lock_timeout and retry it",
                "A schema change (AccessExclusiveLock) met a transaction that holds locks "
                "on the same tables in the other order. In migrations SET lock_timeout = '2s' "
                "(and retry), run each DDL in its own short transaction, take the table locks "
                "in the order "
                "the application uses, and keep long transactions off the tables being changed.",
            )
        )
    elif pattern == "table-lock-order":
        recs.append(
            _rec(
                "consistent-table-order",
                "Lock tables in one order",
                "Explicit table locks were taken in different orders. Acquire them in a fixed "
                "(e.g. alphabetical) order at the start of the transaction, in the strongest "
                "mode needed.",
            )
        )
    elif pattern == "index-build":
        recs.append(
            _rec(
                "index-build-alone",
                "Let CREATE INDEX CONCURRENTLY run alone",
                "CREATE/REINDEX ... CONCURRENTLY waits for every transaction older than it "
                "(ShareLock on their virtual transaction); a session that then takes a "
                "conflicting lock on the table closes the cycle. Run concurrent index builds "
                "outside transactions that also touch the table, one at a time, with "
                "lock_timeout set, and drop INVALID indexes left by a failed build.",
            )
        )
    elif pattern == "advisory-key-order":
        recs.append(
            _rec(
                "advisory-key-order",
                "Take advisory locks in a consistent key order",
                "Sessions took pg_advisory_lock keys in opposite orders. Sort the keys before "
                "locking (or derive one combined key), prefer pg_advisory_xact_lock so locks end "
                "with the transaction, and use pg_try_advisory_lock with a retry where waiting "
                "is not required.",
            )
        )
    elif pattern == "function-internal":
        recs.append(
            _rec(
                "function-lock-order",
                "Make the function lock rows in a fixed order",
                "The deadlock happens inside a PL/pgSQL/SQL function or trigger (see CONTEXT). "
                "At its start lock every row it will touch in key order (PERFORM 1 FROM t WHERE "
                "id = ANY(ARRAY[a, b]) ORDER BY id FOR UPDATE), then do the updates.",
            )
        )
    elif pattern == "unique-constraint":
        recs.append(
            _rec(
                "unique-insert-order",
                "Insert conflicting keys in a consistent order",
                "Concurrent inserts of the same unique/exclusion keys wait for each other's "
                "transactions. Sort multi-row inserts by the unique key so every "
                "session takes them in the same order, and avoid inserting the same keys from "
                "parallel batches.",
            )
        )
    elif pattern == "speculative-insertion" and side_indexes:
        recs.append(
            _rec(
                "upsert-other-unique-index",
                "The upsert collided on a unique index its ON CONFLICT does not cover",
                f"One insert waited on unique index {', '.join(side_indexes)} while holding its "
                "speculative token; ON CONFLICT arbitrates only the index it names, so the "
                "other session's upsert of the same key waited for that token. Name the "
                "constraint that really collides in ON CONFLICT (or make the other unique "
                "columns not collide), and sort multi-row upserts by their keys.",
            )
        )
    elif pattern == "speculative-insertion":
        recs.append(
            _rec(
                "upsert-key-order",
                "Sort multi-row upserts by their conflict key",
                "INSERT ... ON CONFLICT inserts speculatively and waits on the other session's "
                "speculative token when both insert the same key; two upserts that take the same "
                "keys in different orders deadlock. ON CONFLICT is what made the token, so the "
                "fix is the order: ORDER BY the conflict columns in the INSERT ... SELECT (or "
                "sort the VALUES list), or upsert one key per transaction.",
            )
        )
    elif pattern == "advisory-and-row":
        recs.append(
            _rec(
                "advisory-before-rows",
                "Take the advisory lock before touching rows",
                "One session holds an advisory lock and waits for a row, the other holds the "
                "row and waits for the advisory lock. Acquire the advisory lock first, at the "
                "start of the transaction, in every code path that touches these rows.",
            )
        )
    elif pattern == "advisory-shared-upgrade":
        recs.append(
            _rec(
                "advisory-exclusive-first",
                "Take the exclusive advisory lock at once",
                "Both sessions hold the same advisory key in shared mode "
                "(pg_advisory_lock_shared) and then ask for it exclusively. Take "
                "pg_advisory_xact_lock(key) exclusively from the start where a write may follow.",
            )
        )
    elif pattern == "extension-lock":
        recs.append(
            _rec(
                "unsure-extension-lock",
                "Unsure: an extension's advisory lock is in the cycle",
                "Field 4 of the advisory lock tag is not pg_advisory_lock's (1 or 2), so an "
                "extension (or an application using raw lock tags) took it. Find which one with "
                "the catalog query below while it happens (pg_locks), then see its docs.",
            )
        )
    elif pattern == "fk-deferred":
        recs.append(
            _rec(
                "deferred-fk-at-commit",
                "Deferred foreign-key checks lock parents at COMMIT",
                "The RI check ran at COMMIT (DEFERRABLE INITIALLY DEFERRED constraint), when the "
                "other transaction already held the parent rows. Make the constraint IMMEDIATE "
                "(SET CONSTRAINTS ... IMMEDIATE) or lock the parent rows in key order at the "
                "start of the transaction.",
            )
        )
    elif pattern == "fk-for-share":
        recs.append(
            _rec(
                "fk-for-share-old-server",
                "Old server: RI checks take FOR SHARE",
                "Before PostgreSQL 9.3 the foreign-key check locked parent rows FOR SHARE, which "
                "conflicts with any UPDATE of the parent. Upgrade (9.3+ takes FOR KEY SHARE), or "
                "lock parents FOR UPDATE before inserting children.",
            )
        )
    elif pattern == "hot-row-queue":
        recs.append(
            _rec(
                "hot-row-queue",
                "Take the hot row last, or stop contending on it",
                "Several sessions queue for the same row (the tuple lock marks the queue) while "
                "holding other rows; the queue closes a cycle. Lock the contended row last and "
                "in key order, keep the transaction that holds it short, or spread the hot row "
                "(per-shard counters, a queue table read with FOR UPDATE SKIP LOCKED).",
            )
        )
    elif pattern == "function-table-locks":
        recs.append(
            _rec(
                "function-table-lock-order",
                "Take the function's table locks first, in one order",
                "A function or trigger (see CONTEXT) takes table-level locks (LOCK TABLE, DDL, "
                "TRUNCATE) in different orders in the sessions. Take them all at the start of "
                "the function in a fixed order and in the strongest mode needed.",
            )
        )
    elif pattern == "ddl-vs-ddl":
        recs.append(
            _rec(
                "serialize-migrations",
                "Run schema changes one at a time",
                "Each session ran DDL (or LOCK TABLE in ACCESS EXCLUSIVE mode) and took the same "
                "tables or catalog objects in opposite orders: typically two migration runners "
                "or deploys overlapped. Serialize migrations (one runner, or pg_advisory_lock "
                "around the migration), take explicit locks in one order, and SET lock_timeout "
                "in each.",
            )
        )
    elif pattern == "unknown":
        recs.append(
            _rec(
                "unsure",
                "Unsure: the text does not show the pattern",
                "Not enough in this report to tell which pattern this is (queries or wait lines "
                "are missing). The server log's DETAIL has every process's query; with "
                "log_lock_waits = on it also shows who waited for what.",
            )
        )
    if report.is_deadlock:
        recs.append(
            _rec(
                "retry-40p01",
                "Retry the whole transaction on 40P01",
                "A deadlock aborts only the victim; the work is lost, not the data. Catch "
                "SQLSTATE 40P01 (psycopg DeadlockDetected) and rerun the whole transaction with "
                "jittered exponential backoff, a few attempts at most.",
            )
        )
        recs.append(
            _rec(
                "short-transactions",
                "Keep transactions short",
                "Hold locks for as little time as possible: no network calls, sleeps or user "
                "interaction inside a transaction; commit as soon as the writes are done.",
            )
        )
        if not any(p.query for p in report.processes.values() if p.query_source == "detail"):
            recs.append(
                _rec(
                    "server-log",
                    "Read the server log for the other queries",
                    "The client only sees the waits; the server log's DETAIL names each "
                    "process's query. Keep log_lock_waits = on and track_activities = on so the "
                    "next report shows every query.",
                )
            )
    elif report.lookalike:
        recs.extend(_lookalike_advice(report.lookalike))
    return recs


def _lookalike_advice(kind: str) -> list[Recommendation]:
    texts = {
        "lock-timeout": (
            "not-deadlock-lock-timeout",
            "Not a deadlock: lock_timeout expired (55P03)",
            "The statement gave up waiting for a lock after lock_timeout. Find the long "
            "holder (pg_stat_activity, log_lock_waits) or raise the timeout; retry is safe.",
        ),
        "nowait": (
            "not-deadlock-nowait",
            "Not a deadlock: NOWAIT could not obtain a lock (55P03)",
            "A FOR UPDATE NOWAIT / LOCK ... NOWAIT found the lock taken. Retry later or use "
            "SKIP LOCKED for queue-style work.",
        ),
        "serialization-failure": (
            "not-deadlock-serialization",
            "Not a deadlock: serialization failure (40001)",
            "REPEATABLE READ/SERIALIZABLE detected a concurrent change. Retry the whole "
            "transaction; this is expected under those isolation levels.",
        ),
        "statement-timeout": (
            "not-deadlock-statement-timeout",
            "Not a deadlock: statement_timeout (57014)",
            "The statement ran longer than statement_timeout; it may have waited for a lock. "
            "Look at log_lock_waits output and the query plan.",
        ),
        "in-failed-transaction": (
            "not-deadlock-in-failed-transaction",
            "Not a deadlock report: the transaction had already failed (25P02)",
            "An earlier error (possibly a deadlock the code swallowed) aborted the "
            "transaction; later statements fail until ROLLBACK. Find and handle the first error "
            "— the server log has it.",
        ),
        "sqlite-locked": (
            "not-postgres-sqlite-locked",
            "Not a PostgreSQL deadlock: SQLite 'database is locked'",
            "SQLite serializes writers; set a busy timeout and keep write transactions short.",
        ),
    }
    rid, title, detail = texts.get(kind, (f"not-deadlock-{kind}", f"Not a deadlock: {kind}", ""))
    return [Recommendation(rid, title, detail)]


def severity(pattern: str, report: Report, graph: WaitForGraph) -> str:
    """How urgent: by pattern, one level up for 3+-process cycles or bystanders."""
    if not report.is_deadlock:
        return "none"
    base = {
        "ddl-vs-dml": 3,
        "row-order-inversion": 3,
        "lock-upgrade": 3,
        "fk-parent-child": 3,
        "fk-cascade": 3,
        "function-internal": 3,
        "table-lock-order": 3,
        "index-build": 2,
        "advisory-key-order": 2,
        "unique-constraint": 2,
        "speculative-insertion": 2,
        "advisory-and-row": 2,
        "advisory-shared-upgrade": 2,
        "fk-deferred": 3,
        "fk-for-share": 3,
        "hot-row-queue": 3,
        "function-table-locks": 3,
        "ddl-vs-ddl": 2,
    }.get(pattern, 2)
    longest = max((len(c) for c in graph.cycles), default=0)
    if report.partial:  # a lost line must not change the verdict: count who the report names
        longest = max(longest, len(graph.gaps) + sum(len(c) for c in graph.cycles))
    if longest >= 3 or graph.bystanders:
        base += 1
    return SEVERITIES[min(base, 4)]


def fingerprint(
    pattern: str,
    report: Report,
    graph: WaitForGraph,
    queries: dict[int, QueryInfo],
    relations: list[str],
) -> str:
    """Stable across runs (pids, xids, OIDs and literals drop out): pattern, normalized
    queries, tables and lock modes/types. A partial report gets one of its own (from its own
    text), so unrelated half-read incidents never merge into one pattern."""
    if report.partial or not graph.cycles:
        own = report.raw or repr(report.waits)
        return "p" + hashlib.sha1(own.encode(), usedforsecurity=False).hexdigest()[:15]
    cycle = graph.cycles[0] if graph.cycles else [w.pid for w in report.waits]
    qparts = sorted(
        queries[p].fingerprint
        if p in queries
        else normalized_digest(report.processes[p].query or "")
        if p in report.processes and report.processes[p].query
        else "?"
        for p in cycle
    )
    modes = sorted(f"{w.mode}/{w.target.locktype}" for w in report.waits)
    raw = "|".join([pattern, ",".join(qparts), ",".join(sorted(relations)), ",".join(modes)])
    return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()[:16]


def advise(report: Report, graph: WaitForGraph, known: dict[int, str] | None = None) -> Advice:
    """All conclusions for one report."""
    queries = _queries(report)
    contexts = _contexts(report)
    relations, oid_names = resolve_relations(report, queries, contexts, known)
    pattern = classify(report, graph, queries, contexts)
    indexes = context_indexes(contexts, queries)
    # fingerprints stay what they were before client-side indexes left `relations`
    side = _side_indexes(contexts, queries)
    printed = relations + [_bare(name) for name in indexes if name not in side]
    return Advice(
        pattern=pattern,
        severity=severity(pattern, report, graph),
        recommendations=recommend(pattern, report, relations, side),
        relations=relations,
        relation_names=oid_names,
        explanations=explain(report, graph, oid_names, contexts, queries)
        if report.is_deadlock
        else [],
        fingerprint=fingerprint(pattern, report, graph, queries, printed)
        if report.is_deadlock
        else "",
        queries=queries,
        row_locks=row_locks(report, contexts, oid_names),
        catalog_queries=catalog_queries(report, oid_names) if report.is_deadlock else [],
        indexes=indexes,
    )
