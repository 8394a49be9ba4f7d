"""What a query touches, via PostgreSQL's own parser (pglast / libpg_query), degrading to a
light regex scan when the text does not parse (truncated at track_activity_query_size,
client-side `%s` placeholders, another dialect)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache

try:  # pglast is a declared dependency; the analyzer still works without it
    import pglast
    from pglast import ast
    from pglast.visitors import Visitor
except ImportError:  # pragma: no cover
    pglast = None  # type: ignore[assignment]

_PLACEHOLDER_RE = re.compile(r"%\(\w+\)s|%s|(?<![:\w]):(?!:)\w+")
_TABLE_RE = re.compile(
    r"\b(?:from|join|update|into|table|on|lock(?:\s+table)?)\s+(?:only\s+)?"
    r"((?:\"[^\"]+\"|[A-Za-z_][\w$]*)(?:\.(?:\"[^\"]+\"|[A-Za-z_][\w$]*))?)",
    re.IGNORECASE,
)
_DDL_RE = re.compile(
    r"^\s*(alter|drop|truncate|create\s+(?:unique\s+)?index|reindex|cluster|vacuum\s+full"
    r"|create\s+trigger|comment\s+on|grant|revoke)\b",
    re.IGNORECASE,
)
_KEYWORDS = frozenset(
    {"select", "set", "where", "values", "lateral", "each", "row", "conflict", "constraint"}
)


@dataclass(frozen=True)
class QueryInfo:
    """Tables a query names, what kind of statement it is, and a normalized fingerprint."""

    tables: tuple[str, ...] = ()
    kind: str = "unknown"  # select, update, insert, delete, ddl, lock, index, call...
    locking: tuple[str, ...] = field(default=())  # FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE
    concurrent_index: bool = False
    lock_mode: str | None = None  # LOCK TABLE mode as a lock-mode name
    upsert: bool = False  # INSERT ... ON CONFLICT: a speculative insertion
    fingerprint: str = ""
    parsed: bool = False


_LOCK_STMT_MODES = {
    1: "AccessShareLock",
    2: "RowShareLock",
    3: "RowExclusiveLock",
    4: "ShareUpdateExclusiveLock",
    5: "ShareLock",
    6: "ShareRowExclusiveLock",
    7: "ExclusiveLock",
    8: "AccessExclusiveLock",
}
#: DROP statements whose objects are relations (pglast's ObjectType names)
_DROPPED_RELATIONS = frozenset(
    {"OBJECT_TABLE", "OBJECT_VIEW", "OBJECT_MATVIEW", "OBJECT_FOREIGN_TABLE", "OBJECT_SEQUENCE"}
)
_STRENGTHS = {1: "FOR KEY SHARE", 2: "FOR SHARE", 3: "FOR NO KEY UPDATE", 4: "FOR UPDATE"}


def _strip_comments(sql: str) -> str:
    sql = re.sub(r"/\*.*?\*/", " ", sql, flags=re.DOTALL)
    return re.sub(r"--[^\n]*", " ", sql)


@lru_cache(maxsize=2048)
def analyze_query(sql: str) -> QueryInfo:
    """Tables/kind/fingerprint of `sql`; never raises."""
    text = _PLACEHOLDER_RE.sub("$1", sql)
    if pglast is not None:
        try:
            return _with_pglast(text)
        except Exception:  # noqa: S110 - unparsable SQL degrades to the regex scan below
            pass
    return _with_regex(sql)


def _with_pglast(text: str) -> QueryInfo:
    stmts = pglast.parse_sql(text)
    tables: list[str] = []
    aliases: set[str] = set()
    locking: list[str] = []
    upsert: list[bool] = []

    class _Collect(Visitor):  # type: ignore[misc]
        def visit_RangeVar(self, ancestors, node):
            if node.alias is not None:
                aliases.add(node.alias.aliasname)
            name = node.relname if not node.schemaname else f"{node.schemaname}.{node.relname}"
            tables.append(name)

        def visit_LockingClause(self, ancestors, node):
            locking.append(_STRENGTHS.get(int(node.strength), str(node.strength)))

        def visit_DropStmt(self, ancestors, node):
            # DROP TABLE/VIEW/... names its relations as lists of strings, not RangeVars
            if getattr(node.removeType, "name", node.removeType) in _DROPPED_RELATIONS:
                for obj in node.objects or ():
                    parts = [getattr(p, "sval", None) for p in obj]
                    if parts and all(parts):
                        tables.append(".".join(parts[-2:]))

        def visit_InsertStmt(self, ancestors, node):
            if node.onConflictClause is not None:
                upsert.append(True)

    kind = "unknown"
    concurrent = False
    lock_mode = None
    for raw in stmts:
        stmt = raw.stmt
        _Collect()(stmt)
        name = type(stmt).__name__
        if kind != "unknown":
            continue
        if isinstance(stmt, ast.IndexStmt):
            kind, concurrent = "index", bool(stmt.concurrent)
        elif isinstance(stmt, ast.LockStmt):
            kind, lock_mode = "lock", _LOCK_STMT_MODES.get(int(stmt.mode))
        elif name in ("SelectStmt", "UpdateStmt", "InsertStmt", "DeleteStmt", "MergeStmt"):
            kind = name[:-4].lower()
        elif name in ("CallStmt", "DoStmt"):
            kind = "call"
        elif name in ("ReindexStmt",):
            kind = "index"
            concurrent = any(
                getattr(p, "defname", "") == "concurrently" for p in (stmt.params or ())
            )
        elif name.endswith("Stmt"):
            kind = "ddl" if _DDL_RE.match(text) or "Alter" in name or "Drop" in name else "other"
    seen: list[str] = []
    for t in tables:
        # `FOR KEY SHARE OF x` names the alias, not a table
        if t not in seen and t not in aliases:
            seen.append(t)
    return QueryInfo(
        tables=tuple(seen),
        kind=kind,
        locking=tuple(locking),
        concurrent_index=concurrent,
        lock_mode=lock_mode,
        upsert=bool(upsert),
        fingerprint=pglast.parser.fingerprint(text),
        parsed=True,
    )


def _with_regex(sql: str) -> QueryInfo:
    body = _strip_comments(sql)
    tables: list[str] = []
    for m in _TABLE_RE.finditer(body):
        name = m.group(1).replace('"', "")
        if name.lower() not in _KEYWORDS and name not in tables:
            tables.append(name)
    first = body.strip().split(None, 1)[0].lower() if body.strip() else ""
    kind = {
        "select": "select",
        "update": "update",
        "insert": "insert",
        "delete": "delete",
        "lock": "lock",
        "with": "select",
    }.get(first, "unknown")
    if _DDL_RE.match(body):
        kind = (
            "index" if re.match(r"\s*(create\s+(unique\s+)?index|reindex)", body, re.I) else "ddl"
        )
    locking = tuple(
        s.upper()
        for s in re.findall(r"\bfor\s+(?:no\s+key\s+update|key\s+share|share|update)\b", body, re.I)
    )
    return QueryInfo(
        tables=tuple(tables),
        kind=kind,
        locking=locking,
        concurrent_index=bool(re.search(r"\bconcurrently\b", body, re.I)) and kind == "index",
        upsert=kind == "insert" and bool(re.search(r"\bon\s+conflict\b", body, re.I)),
        fingerprint=normalized_digest(body),
        parsed=False,
    )


def normalized_digest(sql: str) -> str:
    """A short digest of `sql` with literals, placeholders and whitespace normalized."""
    text = _strip_comments(sql).lower()
    text = re.sub(r"'(?:[^']|'')*'", "?", text)
    text = re.sub(r"\$\d+|%\(\w+\)s|%s|\b\d+(?:\.\d+)?\b", "?", text)
    text = re.sub(r"\?(?:\s*,\s*\?)+", "?", text)  # lists of any length, even cut off
    text = " ".join(text.split())
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:16]


_LITERAL_RE = re.compile(r"'(?:[^']|'')*'|\b\d+(?:\.\d+)?\b")


def mask_literals(sql: str) -> str:
    """`sql` with its constants replaced by `$n` (PostgreSQL's own normalization when it
    parses, else quoted strings and numbers become `?`), for showing queries without data."""
    if pglast is not None:
        try:
            return pglast.parser.normalize(sql)
        except Exception:  # noqa: S110 - fall back to the regex below
            pass
    return _LITERAL_RE.sub("?", sql)
