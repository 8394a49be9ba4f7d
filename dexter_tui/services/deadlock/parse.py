"""Find PostgreSQL deadlock reports in the forms they reach an engineer, and parse them.

Forms: the client error text (psycopg 3 `str(e)`, psycopg2 `pgerror`, SQLAlchemy and Django
wrappers, tracebacks), the server log (stderr with any `log_line_prefix`, csvlog, jsonlog) with
its lock-wait LOG lines, diag-field dicts, and Sentry events in the API shape (`entries`) or the
SDK's ingest shape. Everything is decided by PostgreSQL's message formats (all its languages),
never by the surrounding text, so unknown wrappers and prefixes still parse.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from . import messages as M
from .model import LockTarget, Process, Report, Wait
from .normalize import may_hold_wait, normalize

MAX_INPUT_CHARS = 20_000_000

# ---------------------------------------------------------------------------------------------
# lock targets


@lru_cache(maxsize=4096)
def parse_lock_target(text: str, lang: str | None = None) -> LockTarget:
    """A DescribeLockTag description (any language) as a LockTarget with English `object`."""
    text = text.strip()
    for msgid, locktype in M.LOCKTAGS.items():
        found = M.match_any(msgid, text, lang=lang)
        if found is None:
            continue
        args = found[1]
        values: list[int | str] = [int(a) if a.lstrip("-").isdigit() else a for a in args]
        fields = dict(zip(M.LOCKTAG_FIELDS[locktype], values, strict=False))
        english = _format_c(msgid, values)
        return LockTarget(locktype, english, fields, text)
    return LockTarget("unknown", text, {}, text)


def _format_c(msgid: str, values: list[int | str]) -> str:
    out = msgid
    for value in values:
        out = re.sub(r"%0?\d*l{0,2}[dus]", str(value).replace("\\", "\\\\"), out, count=1)
    return out


# ---------------------------------------------------------------------------------------------
# entries: one PostgreSQL error report (primary message + fields), from any form


@dataclass
class Entry:
    """A server/client error report with its fields, before deadlock-specific parsing."""

    message: str = ""
    severity: str | None = None
    sqlstate: str | None = None
    detail: str | None = None
    hint: str | None = None
    context: str | None = None
    statement: str | None = None
    query: str | None = None
    position: str | None = None
    pid: int | None = None
    error_class: str | None = None
    client_sql: str | None = None
    client_params: str | None = None
    source: str = "client"
    timestamp: str | None = None  # from the log line prefix / csvlog / jsonlog
    fields_seen: set[str] = field(default_factory=set)


_LABEL_RE = re.compile(r"^(?P<prefix>|.*?[\s:\]\)>|,\-])(?P<label>[^\W\d_][^\s:]*):  (?P<text>.*)$")
_LOOSE_LABEL_RE = re.compile(r"^(?P<label>[^\W\d_][^\s:]*)[ \u00a0]?:[ \u00a0]{1,2}(?P<text>.*)$")
_POSITION_RE = re.compile(r"^\S+ \d+: ")
_CARET_RE = re.compile(r"^\s*\^\s*$")
_WRAPPER_RE = re.compile(
    r"^(?:\((?P<paren>[A-Za-z_][\w.]*)\)\s*"
    r"|(?P<cls>[A-Za-z_]\w*(?:\.\w+)+|[A-Z]\w*(?:Error|Exception|Detected|Rollback|Failure|"
    r"Available|Canceled|Transaction|Warning)): )"
)
_SQLA_TAIL_RE = re.compile(r"^\((?:Background on this error at|Background on this error):")
_CLASS_SQLSTATE = {
    "DeadlockDetected": "40P01",
    "LockNotAvailable": "55P03",
    "SerializationFailure": "40001",
    "QueryCanceled": "57014",
    "InFailedSqlTransaction": "25P02",
}


def _line_label(line: str) -> tuple[str, str, str] | None:
    """(role, label, text) when the line starts a labelled record (`[prefix]LABEL:  text`)."""
    m = _LABEL_RE.match(line)
    if m is None:
        # libpq's own translations (client locale), e.g. French "DÉTAIL : ": known labels only
        m = _LOOSE_LABEL_RE.match(line)
        if m is None or (
            m.group("label") not in M.SEVERITY_LABELS and m.group("label") not in M.FIELD_LABELS
        ):
            return None
    label = m.group("label")
    if label in M.SEVERITY_LABELS:
        return "severity", label, m.group("text")
    if label in M.FIELD_LABELS:
        return M.FIELD_LABELS[label], label, m.group("text")
    if label.upper() != label or len(label) < 2:
        return None
    return _role_by_content(m.group("text")), label, m.group("text")


def _role_by_content(text: str) -> str:
    """The role of a record whose label is not one we know, judged by PostgreSQL's messages."""
    if _is_deadlock_message(text) or _lookalike_message(text) or _lock_wait_log(text):
        return "severity"
    if M.match_any(M.WAITS, text, search=True) or M.match_any(M.WAITS_NOBLOCK, text, search=True):
        return "detail"
    if M.starts_with_message(M.HINT, text):
        return "hint"
    if _tuple_context(text) or _function_context(text):
        return "context"
    return "unknown"


def _strip_wrappers(line: str) -> tuple[str, str | None]:
    """Drop `(psycopg2.errors.X) `, `module.Class: ` and `ERROR:  ` wrappers of a message line."""
    cls = None
    for _ in range(4):
        labelled = _line_label(line)
        if labelled and labelled[0] == "severity":
            line = labelled[2]
            continue
        m = _WRAPPER_RE.match(line)
        if m is None:
            break
        cls = m.group("paren") or m.group("cls")
        line = line[m.end() :]
    return line, cls


def text_entries(text: str, source: str = "client") -> list[Entry]:
    """Split free text (client error, traceback, stderr server log) into report entries."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if _SYSLOG_RE.search(text):
        lines = [_unsyslog(line) for line in lines]
    entries: list[Entry] = []
    cur: Entry | None = None
    cur_field: str | None = None
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        i += 1
        if line.startswith("\t") and cur is not None and cur_field is not None:
            _append(cur, cur_field, line[1:])
            continue
        if cur is not None and line.startswith("[SQL: "):
            sql_lines = [line[6:]]
            while not sql_lines[-1].endswith("]") and i < n:
                sql_lines.append(lines[i])
                i += 1
            cur.client_sql = "\n".join(sql_lines)[:-1] if sql_lines[-1].endswith("]") else None
            cur_field = None
            continue
        if cur is not None and line.startswith("[parameters: "):
            cur.client_params = line[len("[parameters: ") :].rstrip("]")
            cur_field = None
            continue
        if _SQLA_TAIL_RE.match(line):
            cur_field = None
            continue
        if (
            cur is not None
            and _POSITION_RE.match(line)
            and (cur_field == "message" or (i < n and _CARET_RE.match(lines[i])))
        ):
            caret = lines[i] if i < n and _CARET_RE.match(lines[i]) else ""
            if caret:
                i += 1
            cur.position = line + ("\n" + caret if caret else "")
            cur_field = None
            continue
        labelled = _line_label(line)
        if labelled is not None:
            role, label, body = labelled
            if role == "severity" or role == "unknown":
                cur = Entry(severity=label, source=source, pid=_prefix_pid(line, body))
                stamp = _STAMP_RE.search(line, 0, max(0, len(line) - len(body)))
                cur.timestamp = stamp.group(0) if stamp else None
                body, cur.error_class = _strip_wrappers(body)
                verbose = _VERBOSE_SQLSTATE_RE.match(body)  # log_error_verbosity = verbose
                if verbose:
                    cur.sqlstate, body = verbose.group(1), body[verbose.end() :]
                cur.message = body
                entries.append(cur)
                cur_field = "message"
                continue
            if cur is None or role in cur.fields_seen:
                cur = Entry(source=source)
                entries.append(cur)
            cur.fields_seen.add(role)
            _append(cur, role, body)
            cur_field = role
            continue
        # an unlabelled line: a client message line when a DETAIL/HINT/CONTEXT/LINE follows it
        nxt = _next_role(lines, i)
        if nxt is not None and (
            cur is None
            or cur_field in (None, "message")
            or (cur_field != "detail" and nxt != "hint")
        ):
            body, cls = _strip_wrappers(line.strip())
            if body:
                cur = Entry(source=source, error_class=cls, message=body)
                entries.append(cur)
                cur_field = "message"
                continue
        if cur is not None and cur_field not in (None, "message") and line.strip():
            _append(cur, cur_field, line)
            continue
        if line.strip():
            body, cls = _strip_wrappers(line.strip())
            if cls or _is_deadlock_message(body) or _lookalike_message(body):
                cur = Entry(source=source, error_class=cls, message=body)
                entries.append(cur)
                cur_field = "message"
            else:
                cur_field = None
    return entries


_STAMP_RE = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d")
_SYSLOG_LINE_RE = re.compile(r"^.*?\[\d+\]: \[\d+-(\d+)\] ")
_SYSLOG_RE = re.compile(r"\[\d+\]: \[\d+-\d+\] ")
_VERBOSE_SQLSTATE_RE = re.compile(r"^([0-9A-Z]{5}): ")
_PID_RE = re.compile(r"\[(\d+)(?:-\d+)?\]|\bpid[=:](\d+)|\w\[(\d+)\]:")


def _unsyslog(line: str) -> str:
    """syslog splits a report into `[N-1]`, `[N-2]`... lines, tabs as #011: rejoin them."""
    m = _SYSLOG_LINE_RE.match(line)
    if m is None or m.group(1) == "1":
        return line
    rest = line[m.end() :]
    return "\t" + rest.removeprefix("#011")


def _prefix_pid(line: str, body: str) -> int | None:
    """The backend pid from a log_line_prefix such as `[%p]` or `pid=%p`, when it has one."""
    prefix = line[: max(0, len(line) - len(body))]
    for m in _PID_RE.finditer(prefix):
        value = m.group(1) or m.group(2) or m.group(3)
        return int(value)
    return None


def _next_role(lines: list[str], i: int) -> str | None:
    if i >= len(lines):
        return None
    line = lines[i]
    if _POSITION_RE.match(line) and i + 1 < len(lines) and _CARET_RE.match(lines[i + 1]):
        return "position"
    labelled = _line_label(line)
    if labelled is None or labelled[0] not in ("detail", "hint", "context"):
        return None
    return labelled[0]


def _append(entry: Entry, field_name: str, text: str) -> None:
    if field_name in ("message", "location", "unknown"):
        if field_name == "message":
            entry.message += "\n" + text
        return
    old = getattr(entry, field_name, None)
    setattr(entry, field_name, text if old is None else old + "\n" + text)


# csvlog columns (PostgreSQL 13-17; later versions only append)
_CSV = {
    "pid": 3,
    "severity": 11,
    "sqlstate": 12,
    "message": 13,
    "detail": 14,
    "hint": 15,
    "query": 16,
    "context": 18,
    "statement": 19,
}
_CSV_START = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?(?: [A-Za-z+\-0-9:]+)?,")


def csv_entries(text: str) -> list[Entry]:
    """Entries from a csvlog file."""
    out: list[Entry] = []
    for row in csv.reader(io.StringIO(text)):
        if len(row) <= _CSV["statement"]:
            continue
        pid = row[_CSV["pid"]]
        out.append(
            Entry(
                message=row[_CSV["message"]],
                severity=row[_CSV["severity"]] or None,
                sqlstate=row[_CSV["sqlstate"]] or None,
                detail=row[_CSV["detail"]] or None,
                hint=row[_CSV["hint"]] or None,
                query=row[_CSV["query"]] or None,
                context=row[_CSV["context"]] or None,
                statement=row[_CSV["statement"]] or None,
                pid=int(pid) if pid.isdigit() else None,
                source="csvlog",
                timestamp=row[0][:19] or None,
            )
        )
    return out


def json_log_entry(obj: dict[str, Any]) -> Entry:
    """An entry from one jsonlog object."""
    pid = obj.get("pid")
    return Entry(
        message=str(obj.get("message") or ""),
        severity=obj.get("error_severity"),
        sqlstate=obj.get("state_code"),
        detail=obj.get("detail") or obj.get("detail_log"),
        hint=obj.get("hint"),
        query=obj.get("internal_query"),
        context=obj.get("context"),
        statement=obj.get("statement"),
        pid=pid if isinstance(pid, int) else None,
        source="jsonlog",
        timestamp=str(obj.get("timestamp") or "")[:19] or None,
    )


def diag_entry(diag: dict[str, Any], source: str = "diag") -> Entry | None:
    """An entry from psycopg-style diag fields (message_primary, message_detail, ...)."""
    if not isinstance(diag.get("message_primary") or diag.get("message_detail"), str):
        return None
    return Entry(
        message=str(diag.get("message_primary") or ""),
        sqlstate=_str(diag.get("sqlstate") or diag.get("pgcode")),
        detail=_str(diag.get("message_detail")),
        hint=_str(diag.get("message_hint")),
        context=_str(diag.get("context")),
        statement=_str(diag.get("statement") or diag.get("query")),
        source=source,
    )


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


# ---------------------------------------------------------------------------------------------
# message classification


@lru_cache(maxsize=4096)
def _is_deadlock_message(text: str) -> str | None:
    """The language of PostgreSQL's deadlock message when `text` is (or ends a
    `Something failed: ` line with) it."""
    text = text.lstrip()
    lang = M.starts_with_message(M.DEADLOCK, text)
    if lang is None:
        first = text.split("\n", 1)[0]
        for lang_, translated in M.translations_of(M.DEADLOCK):
            at = first.find(translated)
            if at > 0 and first[at - 1] in " :('\"[":
                return lang_
    return lang


@lru_cache(maxsize=4096)
def _lookalike_message(text: str) -> tuple[str, str] | None:
    text = text.strip()
    for msgid, info in M.LOOKALIKES.items():
        if "%" in msgid:
            if M.match_any(msgid, text.split("\n", 1)[0], search=True):
                return info
        else:
            for _lang, translated in M.translations_of(msgid):
                if text.startswith(translated):
                    return info
    low = text.lower()
    if "database is locked" in low or "database table is locked" in low:
        return ("SQLITE_BUSY", "sqlite-locked")
    return None


@lru_cache(maxsize=4096)
def _lock_wait_log(text: str) -> tuple[str, str, list[str]] | None:
    """(msgid, language, args) of a lock-wait LOG message (still waiting, acquired...)."""
    for msgid in M.LOCK_WAIT_LOGS:
        found = M.match_any(msgid, text.split("\n", 1)[0], search=True)
        if found:
            return msgid, found[0], found[1]
    return None


@lru_cache(maxsize=4096)
def _tuple_context(text: str) -> tuple[str, int, int, str] | None:
    """(operation, page, item, relation) of a row-lock CONTEXT line."""
    for msgid, op in M.TUPLE_CONTEXTS.items():
        found = M.match_any(msgid, text, search=True)
        if found:
            page, item, rel = found[1]
            return op, int(page), int(item), _unquote(rel)
    return None


def _unquote(name: str) -> str:
    for left, right in (('"', '"'), ("»", "«"), ("«", "»"), ("„", "“"), ("“", "”"), ("「", "」")):
        if name.startswith(left) and name.endswith(right) and len(name) >= 2:
            return name[1:-1]
    return name


@lru_cache(maxsize=4096)
def _function_context(text: str) -> tuple[str, str] | None:
    """(kind, function) for a PL/pgSQL / SQL function CONTEXT line."""
    for msgid in M.FUNCTION_CONTEXTS:
        found = M.match_any(msgid, text, search=True)
        if found:
            kind = "sql-function" if msgid.startswith("SQL") else "plpgsql"
            return kind, found[1][0]
    return None


# ---------------------------------------------------------------------------------------------
# from entries to reports


#: what pgstat reports instead of a query (track_activities = off, other users' sessions)
_NO_QUERY = frozenset(
    {
        "",
        "<command string not enabled>",
        "<backend information not available>",
        "<insufficient privilege>",
    }
)
_PORTAL_PARAMS_RE = re.compile(r"portal \S* ?with parameters: (.*)$", re.MULTILINE)
_HOLDERS_RE = re.compile(r"(\d+(?:\s*,\s*\d+)*)")


def reports_from_entries(entries: list[Entry]) -> list[Report]:
    """Every report in a sequence of entries: deadlocks with bystanders, and look-alikes."""
    reports: list[Report] = []
    waiting: dict[int, tuple[str, LockTarget, list[int], Entry]] = {}
    seen: dict[int, Entry] = {}
    for entry in entries:
        log = _lock_wait_log(entry.message) if entry.message else None
        if log is not None:
            msgid, lang, args = log
            pid = int(args[0])
            if msgid == M.STILL_WAITING:
                holders = _holders(entry.detail)
                waiting[pid] = (args[1], parse_lock_target(args[2], lang), holders, entry)
            elif msgid in (M.ACQUIRED, M.FAILED):
                waiting.pop(pid, None)
            seen[pid] = entry
            continue
        if entry.pid is not None:
            waiting.pop(entry.pid, None)  # it errored or moved on: no longer waiting
        report = report_from_entry(entry)
        if report is None:
            continue
        if report.is_deadlock:
            _add_log_knowledge(report, waiting, seen)
            waiting.clear()
            seen.clear()
        reports.append(report)
    return reports


def _holders(detail: str | None) -> list[int]:
    if not detail:
        return []
    first = detail.split(".", 1)[0]
    m = _HOLDERS_RE.search(first)
    return [int(x) for x in re.findall(r"\d+", m.group(1))] if m else []


def _add_log_knowledge(
    report: Report,
    waiting: dict[int, tuple[str, LockTarget, list[int], Entry]],
    seen: dict[int, Entry],
) -> None:
    in_cycle = {w.pid for w in report.waits}
    # a waiter is a bystander only when it waits (maybe through others) for a process of this
    # deadlock: in a busy log, other sessions' unrelated lock waits are not part of it
    involved = in_cycle | {w.blocked_by for w in report.waits}
    pending = {pid: w for pid, w in waiting.items() if pid not in in_cycle}
    changed = True
    while changed:
        changed = False
        for pid, (mode, target, holders, _entry) in list(pending.items()):
            linked = [h for h in holders if h != pid and h in involved]
            if not linked:
                continue
            for holder in holders:
                if holder != pid:
                    report.bystander_waits.append(Wait(pid, mode, target, holder, in_report=False))
            involved.add(pid)
            del pending[pid]
            changed = True
    for pid, entry in seen.items():
        proc = report.processes.get(pid)
        if proc is None and pid not in involved:
            continue
        if proc is None:
            proc = report.processes.setdefault(pid, Process(pid))
        proc.statement = proc.statement or entry.statement
        proc.context = proc.context or entry.context
        if proc.query is None and entry.statement:
            proc.query, proc.query_source = entry.statement, "statement"


def report_from_entry(entry: Entry) -> Report | None:
    """A Report when the entry is a deadlock or a known look-alike, else None."""
    message = entry.message.strip()
    lang = _is_deadlock_message(message)
    sqlstate = entry.sqlstate or _CLASS_SQLSTATE.get((entry.error_class or "").rsplit(".", 1)[-1])
    parsed = parse_detail(entry.detail or "")
    waits, processes, detail_lang = parsed.waits, parsed.processes, parsed.lang
    if lang is None and sqlstate != "40P01" and not (not message and waits):
        info = _lookalike_message(message)
        if info is None and sqlstate in ("55P03", "40001", "57014", "25P02"):
            info = (sqlstate, {v[0]: v[1] for v in M.LOOKALIKES.values()}[sqlstate])
        if info is None:
            return None
        return Report(
            is_deadlock=False,
            source=entry.source,
            sqlstate=info[0] if info[0][0].isdigit() else None,
            message=message,
            lookalike=info[1],
            context=entry.context,
            statement=entry.statement,
            error_class=entry.error_class,
        )
    report = Report(
        is_deadlock=True,
        source=entry.source,
        sqlstate="40P01",
        message=message,
        language=lang if lang and lang != "en" else detail_lang,
        waits=waits,
        processes=processes,
        context=entry.context,
        statement=entry.statement,
        hint=entry.hint,
        position=entry.position,
        client_statement=entry.client_sql,
        client_params=entry.client_params,
        error_class=entry.error_class,
        raw="\n".join(x for x in (message, entry.detail, entry.context, entry.statement) if x),
        timestamp=entry.timestamp,
    )
    check_integrity(report, parsed, entry.pid)
    if report.client_params is None and entry.context:
        # log_parameter_max_length_on_error: CONTEXT "unnamed portal with parameters: $1 = ..."
        m = _PORTAL_PARAMS_RE.search(entry.context)
        report.client_params = m.group(1) if m else None
    for wait in waits:
        report.processes.setdefault(wait.pid, Process(wait.pid))
        report.processes.setdefault(wait.blocked_by, Process(wait.blocked_by))
    victim = report.processes.get(report.victim_pid) if report.victim_pid else None
    if victim is not None:
        victim.statement = entry.statement
        victim.context = entry.context
        if victim.query is None and entry.statement:
            victim.query, victim.query_source = entry.statement, "statement"
        if victim.query is None and entry.client_sql:
            victim.query, victim.query_source = entry.client_sql, "client"
        if victim.query is None and entry.position:
            line = entry.position.split("\n", 1)[0]
            victim.query, victim.query_source = line.split(": ", 1)[1], "position"
    return report


@dataclass
class DetailParse:
    """What a deadlock DETAIL yielded, and how much of it could not be read."""

    waits: list[Wait]
    processes: dict[int, Process]
    lang: str
    unreadable: int = 0  # lines that start a wait sentence but do not parse
    first_is_wait: bool = False  # the DETAIL's first line is a whole wait sentence


def _parse_detail(detail: str) -> tuple[list[Wait], dict[int, Process], str]:
    """Waits and `Process N: query` lines of a deadlock DETAIL (any language)."""
    parsed = parse_detail(detail)
    return parsed.waits, parsed.processes, parsed.lang


def parse_detail(detail: str) -> DetailParse:
    """Waits and `Process N: query` lines of a deadlock DETAIL, with what was unreadable."""
    from .normalize import process_line_re, wait_start_re

    out = DetailParse([], {}, "en")
    current: Process | None = None
    query_lines: list[str] = []
    start_re, proc_re = wait_start_re(), process_line_re()

    def flush() -> None:
        if current is not None:
            query = "\n".join(query_lines)
            if query.strip() in _NO_QUERY:  # track_activities = off, or no privilege
                return
            current.query = query
            current.query_source = "detail"
            current.truncated = len(query.encode()) >= 1023

    first = True
    for line in detail.split("\n"):
        stripped = line.strip()
        if first and not stripped:
            continue
        is_first, first = first, False
        found = M.match_any(M.WAITS, stripped, lang=out.lang)
        if found is not None:
            out.lang, args = found
            out.waits.append(
                Wait(int(args[0]), args[1], parse_lock_target(args[2], out.lang), int(args[3]))
            )
            out.first_is_wait = out.first_is_wait or is_first
            continue
        proc = proc_re.match(stripped)
        if proc is not None:
            found_p = M.match_any(M.PROCESS_QUERY, stripped, lang=out.lang)
            if found_p is not None and found_p[1][0].isdigit():
                flush()
                pid = int(found_p[1][0])
                current = out.processes.setdefault(pid, Process(pid))
                query_lines = [found_p[1][1]]
                continue
        if start_re.match(stripped) and current is None:
            out.unreadable += 1  # a wait sentence cut short or garbled
            continue
        if current is not None:
            query_lines.append(line)
    flush()
    return out


def check_integrity(report: Report, parsed: DetailParse, entry_pid: int | None) -> None:
    """Say what is missing instead of guessing: partial reasons and the victim from evidence.

    In PostgreSQL's DETAIL every process of the cycle has exactly one wait line, so a pid with
    no outgoing edge means a line was lost; the victim is the process the error belongs to
    (the log line's pid, or the first DETAIL line, which PostgreSQL always writes for it).
    """
    from .graph import find_cycles

    reasons: list[str] = []
    if parsed.unreadable:
        n = parsed.unreadable
        reasons.append(f"{n} wait line{'s' if n > 1 else ''} unreadable")
    waiters = {w.pid for w in parsed.waits}
    mentioned = {w.blocked_by for w in parsed.waits} | set(parsed.processes)
    missing = sorted(mentioned - waiters)
    if parsed.waits and missing:
        pids = ", ".join(str(p) for p in missing)
        n = len(missing)
        reasons.append(f"{n} wait line{'s' if n > 1 else ''} missing (pid {pids} waits for ?)")
    if not parsed.waits:
        reasons.append("no wait lines in the report (DETAIL missing or cut off)")
    elif not missing and not find_cycles(parsed.waits):
        reasons.append("the wait lines do not close a cycle")
    report.partial = reasons
    pids = waiters | mentioned
    if entry_pid is not None and (not pids or entry_pid in pids):
        report.victim_pid = entry_pid
    elif parsed.waits and parsed.first_is_wait and not reasons:
        # whole cycle: no line was lost, so the first one is the detecting process's own
        report.victim_pid = parsed.waits[0].pid
    else:
        report.victim_pid = None


# ---------------------------------------------------------------------------------------------
# input forms


def log_entries(text: str) -> list[Entry]:
    """The entries of a server log in any of its formats (jsonlog, csvlog, stderr/syslog)."""
    text = text.lstrip("\ufeff")
    stripped = text.strip()
    if stripped[:1] == "{":
        objs = [_json_or_none(ln) for ln in stripped.split("\n") if ln.strip()]
        dicts = [o for o in objs if isinstance(o, dict) and "error_severity" in o]
        if dicts:
            return [json_log_entry(o) for o in dicts]
    if _CSV_START.match(stripped):
        entries = csv_entries(stripped)
        if entries:
            return entries
    norm = normalize(text)
    source = "server-log" if _looks_like_server_log(norm.text) else "client"
    return text_entries(norm.text, source)


def lock_wait_event(entry: Entry) -> tuple[str, int, str, LockTarget, float] | None:
    """(kind, pid, mode, target, waited ms) of a log_lock_waits LOG line."""
    found = _lock_wait_log(entry.message) if entry.message else None
    if found is None:
        return None
    msgid, lang, args = found
    kind = {
        M.STILL_WAITING: "still-waiting",
        M.ACQUIRED: "acquired",
        M.DETECTED: "deadlock",
        M.AVOIDED: "avoided",
        M.FAILED: "failed",
    }[msgid]
    ms = float(f"{args[3]}.{args[4]}") if args[3].isdigit() and args[4].isdigit() else 0.0
    return kind, int(args[0]), args[1], parse_lock_target(args[2], lang), ms


def reports_from_text(text: str) -> list[Report]:
    """Reports in a text of unknown form (server log of any format, client error, JSON)."""
    text = text.lstrip("\ufeff")
    stripped = text.strip()
    if stripped[:1] in "{[":
        obj = _json_or_none(stripped)
        if obj is not None:
            return reports_from_object(obj)
        lines = [ln for ln in stripped.split("\n") if ln.strip()]
        objs = [_json_or_none(ln) for ln in lines]
        if lines and all(isinstance(o, dict) for o in objs):
            if any("error_severity" in o for o in objs):  # type: ignore[operator]
                return reports_from_entries([json_log_entry(o) for o in objs])  # type: ignore[arg-type]
            # e.g. a Sentry envelope: headers and the event item, one JSON per line; or an
            # application's JSON log lines
            return [r for o in objs for r in reports_from_object(o)]
    if _CSV_START.match(stripped) and "," in stripped.split("\n", 1)[0]:
        entries = csv_entries(stripped)
        if entries:
            return reports_from_entries(entries)
    norm = normalize(text)
    reports = _reports_from_plain(norm.text)
    if not _has_waits(reports):
        # driver structs and JSON/repr strings: `detail: "Process 1 waits…\nProcess 2…"`
        plain = _unescaped(text)
        alts = (_key_value_report(text), plain, _key_value_report(plain) if plain else None)
        for alt in alts:
            if alt is None:
                continue
            more = _reports_from_plain(normalize(alt).text)
            if _wait_count(more) > _wait_count(reports):
                reports = more
    if not _has_waits(reports):
        found = _free_text_waits(norm.text)
        if found is not None:
            reports = [found, *[r for r in reports if not r.is_deadlock]]
    driver = detect_driver(text)
    for report in reports:
        report.driver = report.driver or driver
        report.normalized = norm.steps
    return reports


def _reports_from_plain(text: str) -> list[Report]:
    source = "server-log" if _looks_like_server_log(text) else "client"
    return reports_from_entries(text_entries(text, source))


def _has_waits(reports: list[Report]) -> bool:
    return any(r.is_deadlock and r.waits for r in reports)


def _wait_count(reports: list[Report]) -> int:
    return max((len(r.waits) for r in reports if r.is_deadlock), default=-1)


_ESCAPE_RE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)", re.DOTALL)
_ESCAPES = {"n": "\n", "t": "\t", "r": "", '"': '"', "'": "'", "\\": "\\", "/": "/"}


def unescape(text: str) -> str:
    """Undo JSON / repr() / Elixir string escapes (`\\n`, `\\"`, `\\u00e9`)."""

    def sub(m: re.Match[str]) -> str:
        esc = m.group(1)
        if esc[0] in "ux" and len(esc) > 1:
            return chr(int(esc[1:], 16))
        return _ESCAPES.get(esc, "\\" + esc)

    return _ESCAPE_RE.sub(sub, text)


def _unescaped(text: str) -> str | None:
    if "\\n" not in text:
        return None
    return unescape(text)


_NODE_CONCAT_RE = re.compile(r"(['\"])\s*\+\s*\n\s*\1")
_KV_RE = re.compile(
    r"""(?<![\w.])["']?(?P<key>message_detail|message_primary|message_hint|detail|hint|where|"""
    r"""context|message|statement|internal_?query|code|sqlstate|pg_code|severity)["']?"""
    r"""\s*(?::|=>|=)\s*(?:(?P<q>["'])(?P<val>(?:\\.|(?!(?P=q)).)*)(?P=q)|:(?P<atom>\w+))""",
    re.IGNORECASE | re.DOTALL,
)
_KV_FIELDS = {
    "message_detail": "detail",
    "detail": "detail",
    "message_hint": "hint",
    "hint": "hint",
    "where": "context",
    "context": "context",
    "message": "message",
    "message_primary": "message",
    "statement": "statement",
    "code": "code",
    "sqlstate": "code",
    "pg_code": "code",
}


def _key_value_report(text: str) -> str | None:
    """A driver's struct/JSON dump (Postgrex, pgx `%+v`, node-postgres, vert.x) rewritten as
    the server's labelled report, when it has a `detail` field."""
    if not re.search(r"detail", text, re.IGNORECASE):
        return None
    text = _NODE_CONCAT_RE.sub("", text)
    fields: dict[str, str] = {}
    for m in _KV_RE.finditer(text):
        name = _KV_FIELDS.get(m.group("key").lower())
        if name is None or name in fields:
            continue
        value = m.group("atom") if m.group("atom") is not None else unescape(m.group("val"))
        fields[name] = value
    detail = fields.get("detail")
    if not detail:
        return None
    message = fields.get("message") or ""
    if not message and fields.get("code") in ("40P01", "deadlock_detected"):
        message = "deadlock detected"
    lines = [f"ERROR:  {message}", f"DETAIL:  {detail}"]
    for name, label in (("hint", "HINT"), ("context", "CONTEXT"), ("statement", "STATEMENT")):
        if fields.get(name):
            lines.append(f"{label}:  {fields[name]}")
    return "\n".join(lines)


def _free_text_waits(text: str) -> Report | None:
    """Last resort: PostgreSQL's wait sentences anywhere in the text, in any language."""
    hits: list[tuple[int, Wait, str]] = []
    seen: set[tuple[int, int]] = set()
    for tpl in M.templates(M.WAITS):
        if tpl.needle not in text:
            continue
        for m in tpl.regex.finditer(text):
            args = [""] * (max(tpl.order) + 1)
            for group, index in enumerate(tpl.order, start=1):
                args[index] = m.group(group)
            key = (int(args[0]), int(args[3]))
            if key in seen:
                continue
            seen.add(key)
            target = parse_lock_target(args[2], tpl.lang)
            hits.append((m.start(), Wait(key[0], args[1], target, key[1]), tpl.lang))
    if not hits:
        return None
    hits.sort(key=lambda h: h[0])
    waits = [h[1] for h in hits]
    report = Report(
        is_deadlock=True,
        source="client",
        sqlstate="40P01",
        message="",
        language=hits[0][2],
        waits=waits,
        raw="\n".join(text[h[0] : h[0] + 200] for h in hits),
    )
    parsed = DetailParse(waits, {}, hits[0][2])
    check_integrity(report, parsed, None)
    report.victim_pid = None  # no report structure: nothing says whose error this was
    report.partial.insert(0, "no report structure: wait sentences found in free text")
    for wait in waits:
        report.processes.setdefault(wait.pid, Process(wait.pid))
        report.processes.setdefault(wait.blocked_by, Process(wait.blocked_by))
    return report


_DRIVERS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("sqlalchemy", re.compile(r"sqlalchemy\.exc\.|sqlalche\.me/")),
    ("django", re.compile(r"django\.db\.utils\.")),
    ("psycopg2", re.compile(r"psycopg2[.\s]")),
    ("psycopg", re.compile(r"psycopg\.errors\.|psycopg\.")),
    ("asyncpg", re.compile(r"asyncpg\.")),
    ("pgjdbc", re.compile(r"org\.postgresql\.|PSQLException")),
    ("r2dbc-postgresql", re.compile(r"io\.r2dbc\.postgresql")),
    ("vertx-pg-client", re.compile(r"io\.vertx\.pgclient")),
    ("npgsql", re.compile(r"Npgsql\.")),
    ("postgrex", re.compile(r"Postgrex\.Error")),
    ("pgx", re.compile(r"\(SQLSTATE 40P01\)|pgconn\.PgError")),
    ("node-postgres", re.compile(r"\bcode: '40P01'|DatabaseError: deadlock|error: deadlock")),
    ("ruby-pg", re.compile(r"PG::TRDeadlockDetected|PG::\w+Error")),
    ("dbd-pg", re.compile(r"DBD::Pg")),
    ("sqlx", re.compile(r"error returned from database")),
    ("tokio-postgres", re.compile(r"db error: ERROR")),
)


def detect_driver(text: str) -> str | None:
    """The client library whose error wrapping the text shows, when recognisable."""
    head = text[:20000]
    for name, rx in _DRIVERS:
        if rx.search(head):
            return name
    return None


def _looks_like_server_log(text: str) -> bool:
    """A log_line_prefix before the severity, or the log's tab-indented continuation lines."""
    lines = text.split("\n", 200)[:200]
    tabbed = any(line.startswith("\t") for line in lines)
    for line in lines:
        m = _LABEL_RE.match(line)
        if m and m.group("label") in M.SEVERITY_LABELS and (m.group("prefix").strip() or tabbed):
            return True
    return False


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def reports_from_object(obj: Any, depth: int = 0) -> list[Report]:
    """Reports in decoded JSON: a Sentry event (either shape), a list of them, a jsonlog
    record, diag fields, or an API response wrapping an event."""
    if isinstance(obj, list):
        if obj and all(isinstance(o, dict) and "error_severity" in o for o in obj):
            return reports_from_entries([json_log_entry(o) for o in obj])
        out: list[Report] = []
        if depth < 4:
            for item in obj:
                out.extend(reports_from_object(item, depth + 1))
        return out
    if not isinstance(obj, dict):
        return reports_from_text(obj) if isinstance(obj, str) else []
    if "error_severity" in obj and "message" in obj:
        return reports_from_entries([json_log_entry(obj)])
    entry = diag_entry(obj)
    if entry is not None and not _looks_like_event(obj):
        return reports_from_entries([entry])
    if not _looks_like_event(obj):
        # an application's JSON log: a driver error's fields under any key (`err.detail`)
        found = [e for o in _error_objects(obj, 4) if (e := error_object_entry(o)) is not None]
        if found:
            return reports_from_entries(found)
    return reports_from_event(obj)


#: a driver error's field names (pgx, node-postgres, Postgrex, structured loggers) -> Entry's
_ERROR_KEYS = {
    "message": "message",
    "msg": "message",
    "primary": "message",
    "code": "sqlstate",
    "sqlstate": "sqlstate",
    "pgcode": "sqlstate",
    "pg_code": "sqlstate",
    "detail": "detail",
    "hint": "hint",
    "where": "context",
    "context": "context",
    "statement": "statement",
    "severity": "severity",
}


def _error_objects(obj: Any, depth: int) -> Iterator[dict[str, Any]]:
    """Dicts (at any depth up to `depth`) with a string `detail` field."""
    if isinstance(obj, dict):
        if any(isinstance(v, str) and k.lower() == "detail" for k, v in obj.items()):
            yield obj
            return
        if depth > 0:
            for value in obj.values():
                yield from _error_objects(value, depth - 1)
    elif isinstance(obj, list) and depth > 0:
        for value in obj:
            yield from _error_objects(value, depth - 1)


def error_object_entry(obj: dict[str, Any]) -> Entry | None:
    """An entry from a JSON error object whose `detail` holds PostgreSQL's wait lines."""
    fields: dict[str, str] = {}
    for key, value in obj.items():
        name = _ERROR_KEYS.get(key.lower()) if isinstance(key, str) else None
        if name and isinstance(value, str) and value and name not in fields:
            fields[name] = value
    detail = fields.get("detail", "")
    if not may_hold_wait(detail):
        return None
    sqlstate = fields.get("sqlstate")
    return Entry(
        message=fields.get("message", ""),
        severity=fields.get("severity"),
        sqlstate=sqlstate if sqlstate and re.fullmatch(r"[0-9A-Z]{5}", sqlstate) else None,
        detail=detail,
        hint=fields.get("hint"),
        context=fields.get("context"),
        statement=fields.get("statement"),
        source="client",
    )


def _looks_like_event(obj: dict[str, Any]) -> bool:
    keys = ("entries", "exception", "logentry", "event_id", "eventID", "breadcrumbs", "platform")
    return any(k in obj for k in keys)


def event_texts(event: dict[str, Any]) -> Iterator[tuple[str, str, str | None]]:
    """(where, text, exception type) of every place a report can sit in a Sentry event,
    most authoritative first: exceptions, messages, extra/contexts, breadcrumbs."""
    exc_values: list[dict[str, Any]] = []
    messages: list[str] = []
    crumbs: list[dict[str, Any]] = []
    for entry in event.get("entries") or []:
        if not isinstance(entry, dict):
            continue
        data = entry.get("data") or {}
        kind = entry.get("type")
        if kind == "exception" and isinstance(data, dict):
            exc_values.extend(v for v in data.get("values") or [] if isinstance(v, dict))
        elif kind == "message" and isinstance(data, dict):
            messages.extend(
                s for s in (data.get("formatted"), data.get("message")) if isinstance(s, str)
            )
        elif kind == "breadcrumbs" and isinstance(data, dict):
            crumbs.extend(b for b in data.get("values") or [] if isinstance(b, dict))
    exc = event.get("exception")
    if isinstance(exc, dict):
        exc_values.extend(v for v in exc.get("values") or [] if isinstance(v, dict))
    elif isinstance(exc, list):
        exc_values.extend(v for v in exc if isinstance(v, dict))
    for key in ("logentry", "message"):
        value = event.get(key)
        if isinstance(value, dict):
            messages.extend(
                s for s in (value.get("formatted"), value.get("message")) if isinstance(s, str)
            )
        elif isinstance(value, str):
            messages.append(value)
    bc = event.get("breadcrumbs")
    if isinstance(bc, dict):
        crumbs.extend(b for b in bc.get("values") or [] if isinstance(b, dict))
    elif isinstance(bc, list):
        crumbs.extend(b for b in bc if isinstance(b, dict))
    # chained exceptions: the SDK lists the outermost last; the driver error sits innermost
    for value in exc_values:
        text = value.get("value")
        if isinstance(text, str):
            etype = ".".join(str(p) for p in (value.get("module"), value.get("type")) if p)
            yield "exception", text, etype or None
    for text in messages:
        yield "message", text, None
    for key in ("extra", "context", "contexts"):
        for text in _strings(event.get(key), depth=3):
            yield key, text, None
    for crumb in crumbs:
        text = crumb.get("message")
        if isinstance(text, str):
            yield "breadcrumb", text, None


def _strings(value: Any, depth: int) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif depth > 0 and isinstance(value, dict):
        for v in value.values():
            yield from _strings(v, depth - 1)
    elif depth > 0 and isinstance(value, list):
        for v in value:
            yield from _strings(v, depth - 1)


def reports_from_event(event: dict[str, Any]) -> list[Report]:
    """The deadlock in a Sentry event: the first report found with its waits (a report whose
    DETAIL was cut off is kept only until a fuller one turns up), enriched from the rest."""
    if isinstance(event.get("event"), dict):  # {"event": {...}} or envelope-like wrappers
        event = event["event"]
    found: Report | None = None
    lookalike: Report | None = None
    primary_type: str | None = None
    for where, text, etype in event_texts(event):
        if etype and primary_type is None:
            primary_type = etype
        if where == "breadcrumb" and (lookalike is not None or found is not None):
            continue
        if where in ("extra", "context", "contexts") and "\n" not in text and len(text) < 40:
            continue
        for report in reports_from_text(text) if text.strip() else []:
            report.error_class = report.error_class or etype
            if report.is_deadlock and (found is None or (report.waits and not found.waits)):
                found = report
            elif not report.is_deadlock and lookalike is None and where in ("exception", "message"):
                lookalike = report
        if found is not None and found.waits:
            break
    if lookalike is None and (found is None or not found.waits):
        # diag fields set by the app (e.g. contexts.postgres.message_detail)
        for diag in _diag_dicts(event):
            reports = reports_from_entries([diag])
            if reports and reports[0].is_deadlock and reports[0].waits:
                found = reports[0]
                break
    primary_type = primary_type or _first_exception_type(event)
    tags = _tag_map(event)
    short = (primary_type or "").rsplit(".", 1)[-1]
    sqlstate = _CLASS_SQLSTATE.get(short) or (
        tags.get("db.sqlstate") if isinstance(tags.get("db.sqlstate"), str) else None
    )
    if found is None and lookalike is None and sqlstate == "40P01":
        # a driver's DeadlockDetected whose text we could not read: still a deadlock
        found = Report(is_deadlock=True, source="sentry-event", sqlstate="40P01")
        found.error_class = primary_type
    if found is None:
        if lookalike is None and sqlstate and sqlstate != "40P01":
            entry = Entry(message="", sqlstate=sqlstate, error_class=primary_type)
            lookalike = report_from_entry(entry)
        if lookalike is not None:
            lookalike.source = "sentry-event"
        return [lookalike] if lookalike else []
    found.source = "sentry-event"
    found.driver = found.driver or detect_driver(found.error_class or "")
    _enrich_from_event(found, event)
    return [found]


def _first_exception_type(event: dict[str, Any]) -> str | None:
    values: list[Any] = []
    exc = event.get("exception")
    if isinstance(exc, dict):
        values = exc.get("values") or []
    for entry in event.get("entries") or []:
        if isinstance(entry, dict) and entry.get("type") == "exception":
            values = values or (entry.get("data") or {}).get("values") or []
    for value in values:
        if isinstance(value, dict) and value.get("type"):
            return ".".join(str(p) for p in (value.get("module"), value.get("type")) if p)
    return None


def _diag_dicts(event: dict[str, Any]) -> Iterator[Entry]:
    for key in ("contexts", "context", "extra"):
        holder = event.get(key)
        if isinstance(holder, dict):
            for value in holder.values():
                entry = diag_entry(value, "sentry-event") if isinstance(value, dict) else None
                if entry is not None:
                    yield entry


def _tag_map(event: dict[str, Any]) -> dict[str, Any]:
    tags = event.get("tags")
    tag_map: dict[str, Any] = {}
    if isinstance(tags, dict):
        tag_map = dict(tags)
    elif isinstance(tags, list):
        for t in tags:
            if isinstance(t, dict) and "key" in t:
                tag_map[str(t["key"])] = t.get("value")
            elif isinstance(t, list | tuple) and len(t) == 2:
                tag_map[str(t[0])] = t[1]
    return tag_map


def _enrich_from_event(report: Report, event: dict[str, Any]) -> None:
    tag_map = _tag_map(event)
    extra = event.get("extra") if isinstance(event.get("extra"), dict) else event.get("context")
    extra = extra if isinstance(extra, dict) else {}
    crumbs = list(_query_breadcrumbs(event))
    report.extra_queries = crumbs
    victim = report.processes.get(report.victim_pid) if report.victim_pid else None
    if victim is not None and victim.query is None:
        query = extra.get("query") if isinstance(extra.get("query"), str) else None
        query = query or report.client_statement or (crumbs[-1] if crumbs else None)
        if query:
            victim.query, victim.query_source = query, "client"
    pid = tag_map.get("db.backend_pid")
    if report.victim_pid is None and isinstance(pid, str) and pid.isdigit():
        report.victim_pid = int(pid)


def _query_breadcrumbs(event: dict[str, Any]) -> Iterator[str]:
    sources: list[Any] = []
    bc = event.get("breadcrumbs")
    if isinstance(bc, dict):
        sources.extend(bc.get("values") or [])
    for entry in event.get("entries") or []:
        if isinstance(entry, dict) and entry.get("type") == "breadcrumbs":
            sources.extend((entry.get("data") or {}).get("values") or [])
    for crumb in sources:
        if isinstance(crumb, dict) and crumb.get("category") in ("query", "db", "db.query"):
            msg = crumb.get("message")
            if isinstance(msg, str) and msg:
                yield msg


def find_reports(data: str | bytes | dict[str, Any] | list[Any]) -> list[Report]:
    """Every report in the input, whatever its form. Bytes must be UTF-8 (ValueError if not)."""
    if isinstance(data, bytes):
        data = data.decode("utf-8")
    if isinstance(data, str):
        if len(data) > MAX_INPUT_CHARS:
            data = data[:MAX_INPUT_CHARS]
        return reports_from_text(data)
    return reports_from_object(data)


def clear_caches() -> None:
    """Forget memoized message matches and query analyses (benchmarks measure cold runs)."""
    from .sql import analyze_query

    for fn in (
        parse_lock_target,
        _tuple_context,
        _function_context,
        _lock_wait_log,
        _lookalike_message,
        _is_deadlock_message,
        analyze_query,
    ):
        fn.cache_clear()


def first_report(reports: Iterable[Report]) -> Report | None:
    """The deadlock to show: the first deadlock, else the first look-alike."""
    reports = list(reports)
    for report in reports:
        if report.is_deadlock:
            return report
    return reports[0] if reports else None
