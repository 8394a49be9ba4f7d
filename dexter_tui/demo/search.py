"""Sentry's issue search syntax: a parser and a compiler to SQL over the demo store.

`parse(text)` turns `is:unresolved !level:info server:web-* firstSeen:-24h "db timeout"` into a
`Query` (filters + free text); `compile_query(query, ctx)` turns that into a `WHERE` fragment
over `groups g` with qmark parameters. Anything the demo cannot answer exactly (unknown operator,
bad date or number, unbalanced quotes, boolean operators or parentheses, unknown `is:` value) raises
`SearchError`, which the API answers with 400 — never a silently wrong result.

Semantics worth knowing (Sentry's, as far as an issue index without Snuba can follow them):

* Filters on issue fields (`is:`, `level:`, `assigned:`, `firstSeen:`, `timesSeen:`, ...) test the
  `groups` row. Filters on event fields (`release:`, `environment:`, `user.email:`, `error.type:`,
  any tag) match an issue when **any** of its events matches; `!key:value` then means "no event
  matches". With an environment filter, only events in those environments count.
* Free text is a case-insensitive CONTAINS on title, culprit and message (`*` is a wildcard).
* `is:for_review` is Sentry's inbox: unresolved issues that are new (< 7 days), regressed or
  escalating and not marked reviewed, or added to the inbox by hand (`_reviewed` / `_inbox`
  bookkeeping keys in `groups.status_details`, see `serialize_issue`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

#: Prefix of the 400 detail for a query the demo cannot parse.
ERROR_PREFIX = "Invalid search query: "
#: Issues stay `new` (and in the inbox) this long after their first event.
NEW_ISSUE_SECONDS = 7 * 86400

OPERATORS = (">=", "<=", ">", "<", "=")


class SearchError(ValueError):
    """The query cannot be parsed or answered; the message explains why (shown to the user)."""


@dataclass(frozen=True)
class Filter:
    """One `key:value` term. `values` has several items for `key:[a, b]` lists."""

    key: str
    values: tuple[str, ...]
    op: str = "="
    negated: bool = False
    is_list: bool = False
    quoted: bool = False

    @property
    def value(self) -> str:
        return self.values[0]


@dataclass(frozen=True)
class Query:
    """A parsed issue search: all filters AND-ed, plus free text."""

    filters: tuple[Filter, ...] = ()
    text: str = ""


@dataclass
class SearchContext:
    """What compiling needs beyond the query: who asks, when, and the request's filters."""

    org_id: int
    user_id: int | None
    now: float
    project_ids: Sequence[int] = ()
    environments: Sequence[str] = ()


@dataclass
class Compiled:
    """A SQL boolean expression over `groups g` and its parameters."""

    where: str = "1"
    params: list = field(default_factory=list)


# -- parsing ------------------------------------------------------------------------------------

_KEY = re.compile(r"(!?)(tags\[[^\]\s]+\]|[A-Za-z_][\w.\-]*):")


def parse(text: str, *, allow_and: bool = False) -> Query:
    """Parse an issue search string; raises `SearchError` on anything malformed.

    `allow_and`: accept explicit `AND` between terms (event search allows it; it means the
    same as a space). `OR` and parentheses are never supported.
    """
    filters: list[Filter] = []
    words: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        m = _KEY.match(text, i)
        # `TypeError: boom`: a key with nothing after the colon is free text, as in Sentry
        if m and m.end() < n and not text[m.end()].isspace():
            flt, i = _parse_filter(text, m)
            filters.append(flt)
            continue
        if text[i] == '"':
            word, i = _read_quoted(text, i)
            words.append(word)
            continue
        j = i
        while j < n and not text[j].isspace():
            if text[j] == '"':
                raise SearchError(f"unexpected quote in {text[i:].split()[0]!r}")
            j += 1
        word = text[i:j]
        i = j
        if word == "AND" and allow_and:
            continue
        if word in ("OR", "AND"):
            raise SearchError(
                'Boolean statements containing "OR" or "AND" are not supported in this search'
            )
        if word.startswith("(") or (word.endswith(")") and "(" not in word):
            raise SearchError("Parentheses are not supported in this search (quote the text)")
        words.append(word)
    return Query(tuple(filters), " ".join(words))


def _read_quoted(text: str, i: int) -> tuple[str, int]:
    """Read `"..."` starting at `i` (backslash escapes `"` and `\\`); return (value, next index)."""
    out: list[str] = []
    j = i + 1
    while j < len(text):
        c = text[j]
        if c == "\\" and j + 1 < len(text) and text[j + 1] in '"\\':
            out.append(text[j + 1])
            j += 2
            continue
        if c == '"':
            j += 1
            if j < len(text) and not text[j].isspace():
                raise SearchError(f"unexpected text after closing quote: {text[i : j + 1]!r}")
            return "".join(out), j
        out.append(c)
        j += 1
    raise SearchError("unbalanced quotes")


def _parse_filter(text: str, m: re.Match[str]) -> tuple[Filter, int]:
    negated = m.group(1) == "!"
    key = m.group(2)
    i = m.end()
    n = len(text)
    if i < n and text[i] == "[":
        values, i = _read_list(text, i)
        return Filter(key, values, "=", negated, is_list=True), i
    op = "="
    for candidate in OPERATORS:
        if text.startswith(candidate, i):
            op = candidate
            i += len(candidate)
            break
    if i < n and text[i] == '"':
        value, i = _read_quoted(text, i)
        return Filter(key, (value,), op, negated, quoted=True), i
    j = i
    while j < n and not text[j].isspace():
        if text[j] == '"':
            raise SearchError(f"unexpected quote in the value of {key!r}")
        j += 1
    value = text[i:j]
    if value.endswith(")") and "(" not in value:
        raise SearchError("Parentheses are not supported in this search (quote the value)")
    if not value:
        raise SearchError(f'empty value for {key!r} (use {key}:"" to match a missing value)')
    return Filter(key, (value,), op, negated), j


def _read_list(text: str, i: int) -> tuple[tuple[str, ...], int]:
    """Read `[a, "b c", d]` starting at the `[`."""
    values: list[str] = []
    j = i + 1
    n = len(text)
    current: list[str] = []
    quoted = False
    while j < n:
        c = text[j]
        if c == '"' and not "".join(current).strip():
            value, j = _read_quoted_in_list(text, j)
            current = [value]
            quoted = True
            continue
        if c in ",]":
            item = "".join(current) if quoted else "".join(current).strip()
            if not item and not quoted:
                raise SearchError("empty item in a [..] list")
            values.append(item)
            current, quoted = [], False
            j += 1
            if c == "]":
                if j < n and not text[j].isspace():
                    raise SearchError("unexpected text after a [..] list")
                return tuple(values), j
            continue
        if quoted:
            if not c.isspace():
                raise SearchError("unexpected text after a quoted list item")
            j += 1
            continue
        current.append(c)
        j += 1
    raise SearchError("unterminated [..] list")


def _read_quoted_in_list(text: str, i: int) -> tuple[str, int]:
    out: list[str] = []
    j = i + 1
    while j < len(text):
        c = text[j]
        if c == "\\" and j + 1 < len(text) and text[j + 1] in '"\\':
            out.append(text[j + 1])
            j += 2
            continue
        if c == '"':
            return "".join(out), j + 1
        out.append(c)
        j += 1
    raise SearchError("unbalanced quotes")


# -- values -------------------------------------------------------------------------------------

_REL = re.compile(r"^([+-])(\d+)([smhdw])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_NUM = re.compile(r"^(\d+(?:\.\d+)?)([kmb]?)$", re.IGNORECASE)
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_datetime(value: str) -> float:
    """ISO-8601 date or datetime (naive = UTC) → epoch seconds; raises `SearchError`."""
    try:
        dt = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise SearchError(f"{value!r} is not a valid ISO 8601 date") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


def parse_number(value: str) -> float:
    """`100`, `1.5k`, `2m` → number; raises `SearchError`."""
    m = _NUM.match(value)
    if not m:
        raise SearchError(f"{value!r} is not a valid number")
    return float(m.group(1)) * {"": 1, "k": 1e3, "m": 1e6, "b": 1e9}[m.group(2).lower()]


def _like_pattern(value: str, *, contains: bool = False) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace("*", "%")
    return f"%{escaped}%" if contains else escaped


def _match(column: str, values: Sequence[str]) -> tuple[str, list]:
    """`column` equals one of `values` (`*` = wildcard)."""
    parts: list[str] = []
    params: list = []
    exact = [v for v in values if "*" not in v]
    if exact:
        parts.append(f"{column} IN ({','.join('?' * len(exact))})")
        params.extend(exact)
    for v in values:
        if "*" in v:
            parts.append(f"{column} LIKE ? ESCAPE '\\'")
            params.append(_like_pattern(v))
    return "(" + " OR ".join(parts) + ")", params


#: Public names for other modules (event search reuses the value matching).
like_pattern = _like_pattern
match_values = _match


# -- compiling ----------------------------------------------------------------------------------

IS_STATUS = {
    "unresolved": "g.status = 'unresolved'",
    "resolved": "g.status = 'resolved'",
    "ignored": "g.status = 'ignored'",
    "archived": "g.status = 'ignored'",
    "muted": "g.status = 'ignored'",
    "reprocessing": "g.status = 'reprocessing'",
    "assigned": "(g.assigned_user_id IS NOT NULL OR g.assigned_team_id IS NOT NULL)",
    "unassigned": "(g.assigned_user_id IS NULL AND g.assigned_team_id IS NULL)",
    "linked": "0",  # the demo has no external issue links
    "unlinked": "1",
}
IS_SUBSTATUS = ("new", "ongoing", "regressed", "escalating")
IS_VALUES = (*IS_STATUS, *IS_SUBSTATUS, "for_review")

LEVELS = ("sample", "debug", "info", "warning", "error", "fatal", "unknown")
PRIORITIES = ("low", "medium", "high")

#: Search keys that are other spellings of one key.
ALIASES = {
    "times_seen": "timesSeen",
    "first_seen": "firstSeen",
    "last_seen": "lastSeen",
    "first_release": "firstRelease",
    "release.version": "release",
    "assigned_or_suggested": "assigned",
    "issue.id": "issue.id",
    "user.ip_address": "user.ip",
    "http.url": "url",
    "event.type": "event.type",
}
DATE_KEYS = {"firstSeen": "g.first_seen", "age": "g.first_seen", "lastSeen": "g.last_seen"}
#: Keys of event JSON fields (normalized ingest shape) -> json path.
USER_PATHS = {
    "user.id": "$.user.id",
    "user.email": "$.user.email",
    "user.username": "$.user.username",
    "user.ip": "$.user.ip_address",
}
STACK_FIELDS = {
    "stack.filename": "filename",
    "stack.function": "function",
    "stack.module": "module",
    "stack.abs_path": "abs_path",
    "stack.package": "package",
}


def effective_substatus_sql(now_param: str = "?") -> str:
    """SQL for the substatus shown to users: `new` turns `ongoing` after seven days."""
    return (
        f"CASE WHEN g.substatus = 'new' AND g.first_seen < {now_param} THEN 'ongoing'"
        " ELSE g.substatus END"
    )


class _Compiler:
    def __init__(self, ctx: SearchContext):
        self.ctx = ctx

    # event-level helpers: "some event of the issue (in the selected environments) matches"
    def _env_clause(self, alias: str) -> tuple[str, list]:
        envs = list(self.ctx.environments)
        if not envs:
            return "", []
        return f" AND {alias}.environment IN ({','.join('?' * len(envs))})", envs

    def event_match(self, cond: str, params: list) -> tuple[str, list]:
        env_sql, env_params = self._env_clause("e")
        return (
            f"g.id IN (SELECT e.group_id FROM events e WHERE ({cond}){env_sql})",
            [*params, *env_params],
        )

    def tag_match(self, key: str, values: Sequence[str] | None) -> tuple[str, list]:
        """Some event has tag `key` (with one of `values`, if given)."""
        cond, params = "t.key = ?", [key]
        if values is not None:
            m_sql, m_params = _match("t.value", values)
            cond += f" AND {m_sql}"
            params += m_params
        if self.ctx.environments:
            env_sql, env_params = self._env_clause("e")
            return (
                "g.id IN (SELECT t.group_id FROM event_tags t JOIN events e ON e.id = t.event_row"
                f" WHERE {cond}{env_sql})",
                [*params, *env_params],
            )
        return f"g.id IN (SELECT t.group_id FROM event_tags t WHERE {cond})", params

    def latest_release_sql(self) -> tuple[str, list]:
        projects = list(self.ctx.project_ids)
        proj_sql = ""
        if projects:
            proj_sql = f" AND rp.project_id IN ({','.join('?' * len(projects))})"
        return (
            "(SELECT r.version FROM releases r JOIN release_projects rp ON rp.release_id = r.id"
            f" WHERE r.org_id = ?{proj_sql} ORDER BY r.date_created DESC, r.id DESC LIMIT 1)",
            [self.ctx.org_id, *projects],
        )

    def release_values(self, column: str, values: Sequence[str]) -> tuple[str, list]:
        parts, params = [], []
        plain = [v for v in values if v != "latest"]
        if plain:
            sql, p = _match(column, plain)
            parts.append(sql)
            params += p
        if "latest" in values:
            sql, p = self.latest_release_sql()
            parts.append(f"{column} = {sql}")
            params += p
        return "(" + " OR ".join(parts) + ")", params

    # -- per key --------------------------------------------------------------------------------

    def compile(self, query: Query) -> Compiled:
        parts: list[str] = []
        params: list = []
        for flt in query.filters:
            sql, p = self.filter(flt)
            if flt.negated:
                sql = f"NOT {sql}"
            parts.append(sql)
            params += p
        if query.text:
            pattern = _like_pattern(query.text, contains=True)
            parts.append(
                "(g.title LIKE ? ESCAPE '\\' OR COALESCE(g.culprit, '') LIKE ? ESCAPE '\\'"
                " OR g.message LIKE ? ESCAPE '\\')"
            )
            params += [pattern, pattern, pattern]
        if not parts:
            return Compiled()
        return Compiled(" AND ".join(f"({p})" for p in parts), params)

    def filter(self, flt: Filter) -> tuple[str, list]:
        key = ALIASES.get(flt.key, flt.key)
        if key.startswith("tags[") and key.endswith("]"):
            key = "tag:" + key[5:-1]
        if key in DATE_KEYS:
            return self.date_filter(flt, DATE_KEYS[key])
        if key == "timesSeen":
            return self.number_filter(flt, "g.times_seen")
        if flt.op != "=":
            raise SearchError(f"the operator {flt.op!r} is not supported for {flt.key!r}")
        handler = getattr(self, "key_" + key.replace(".", "_"), None)
        if handler is not None and not key.startswith("tag:"):
            return handler(flt)
        if key in USER_PATHS:
            return self.event_match(
                *_match(f"json_extract(e.data, '{USER_PATHS[key]}')", flt.values)
            )
        if key in STACK_FIELDS:
            return self.stack_filter(flt, STACK_FIELDS[key])
        tag = key[4:] if key.startswith("tag:") else key
        if flt.values == ("",):  # key:"" = the tag is missing
            sql, p = self.tag_match(tag, None)
            return f"NOT {sql}", p
        return self.tag_match(tag, flt.values)

    def date_filter(self, flt: Filter, column: str) -> tuple[str, list]:
        if flt.is_list:
            raise SearchError(f"{flt.key!r} does not accept a list")
        value = flt.value
        rel = _REL.match(value)
        if rel:
            if flt.op != "=":
                raise SearchError(f"a relative date cannot take the operator {flt.op!r}")
            sign, amount, unit = rel.groups()
            cutoff = self.ctx.now - int(amount) * _UNITS[unit]
            # -24h: within the last 24 hours; +7d: older than 7 days
            return (f"{column} >= ?", [cutoff]) if sign == "-" else (f"{column} <= ?", [cutoff])
        ts = parse_datetime(value)
        if flt.op == "=":
            if _DATE_ONLY.match(value):
                return f"({column} >= ? AND {column} < ?)", [ts, ts + 86400]
            return f"({column} >= ? AND {column} <= ?)", [ts - 300, ts + 300]
        return f"{column} {flt.op} ?", [ts]

    def number_filter(self, flt: Filter, column: str) -> tuple[str, list]:
        if flt.is_list:
            nums = [parse_number(v) for v in flt.values]
            return f"{column} IN ({','.join('?' * len(nums))})", nums
        return f"{column} {flt.op} ?", [parse_number(flt.value)]

    def stack_filter(self, flt: Filter, name: str) -> tuple[str, list]:
        m_sql, m_params = _match(f"json_extract(f.value, '$.{name}')", flt.values)
        cond = (
            "EXISTS (SELECT 1 FROM json_each(e.data, '$.exception.values') x,"
            f" json_each(x.value, '$.stacktrace.frames') f WHERE {m_sql})"
        )
        return self.event_match(cond, m_params)

    def key_is(self, flt: Filter) -> tuple[str, list]:
        parts, params = [], []
        for value in flt.values:
            v = value.lower()
            if v in IS_STATUS:
                parts.append(IS_STATUS[v])
            elif v in IS_SUBSTATUS:
                fresh = self.ctx.now - NEW_ISSUE_SECONDS
                parts.append(f"(g.status = 'unresolved' AND {effective_substatus_sql()} = ?)")
                params += [fresh, v]
            elif v == "for_review":
                parts.append(FOR_REVIEW_SQL)
                params.append(self.ctx.now - NEW_ISSUE_SECONDS)
            else:
                raise SearchError(
                    f'Invalid value for "is" search, valid values are {sorted(IS_VALUES)}'
                )
        return "(" + " OR ".join(parts) + ")", params

    def key_level(self, flt: Filter) -> tuple[str, list]:
        for v in flt.values:
            if v.lower() not in LEVELS and "*" not in v:
                raise SearchError(f"invalid level {v!r}, valid values are {list(LEVELS)}")
        return _match("g.level", [v.lower() for v in flt.values])

    def key_issue_priority(self, flt: Filter) -> tuple[str, list]:
        for v in flt.values:
            if v.lower() not in PRIORITIES:
                raise SearchError(f"invalid priority {v!r}, valid values are {list(PRIORITIES)}")
        return _match("g.priority", [v.lower() for v in flt.values])

    def key_issue_category(self, flt: Filter) -> tuple[str, list]:
        # every demo issue is an error-category issue (error or default events)
        return ("1" if any(v in ("error", "*") for v in flt.values) else "0"), []

    def key_issue_type(self, flt: Filter) -> tuple[str, list]:
        return ("1" if any(v in ("error", "*") for v in flt.values) else "0"), []

    def key_event_type(self, flt: Filter) -> tuple[str, list]:
        return _match("g.type", flt.values)

    def key_issue(self, flt: Filter) -> tuple[str, list]:
        parts, params = [], []
        for v in flt.values:
            if v.isascii() and v.isdigit():
                parts.append("g.id = ?")
                params.append(_row_id(v))
            else:
                parts.append("g.short_id = ?")
                params.append(v.upper())
        return "(" + " OR ".join(parts) + ")", params

    def key_issue_id(self, flt: Filter) -> tuple[str, list]:
        ids = []
        for v in flt.values:
            if not (v.isascii() and v.isdigit()):
                raise SearchError(f"{v!r} is not a valid issue id")
            ids.append(_row_id(v))
        return f"g.id IN ({','.join('?' * len(ids))})", ids

    def key_assigned(self, flt: Filter) -> tuple[str, list]:
        parts, params = [], []
        for v in flt.values:
            if v == "me":
                parts.append("g.assigned_user_id = ?")
                params.append(self.ctx.user_id)
            elif v == "none":
                parts.append(IS_STATUS["unassigned"])
            elif v == "my_teams":
                parts.append(
                    "g.assigned_team_id IN (SELECT tm.team_id FROM team_members tm"
                    " JOIN members m ON m.id = tm.member_id WHERE m.user_id = ? AND m.org_id = ?)"
                )
                params += [self.ctx.user_id, self.ctx.org_id]
            elif v.startswith("#"):
                parts.append(
                    "g.assigned_team_id IN (SELECT id FROM teams WHERE org_id = ? AND slug = ?)"
                )
                params += [self.ctx.org_id, v[1:]]
            else:
                parts.append(
                    "g.assigned_user_id IN (SELECT id FROM users WHERE email = ? OR username = ?"
                    " OR CAST(id AS TEXT) = ?)"
                )
                params += [v, v, v]
        return "(" + " OR ".join(parts) + ")", params

    def key_bookmarks(self, flt: Filter) -> tuple[str, list]:
        parts, params = [], []
        for v in flt.values:
            if v == "me":
                parts.append("g.id IN (SELECT group_id FROM group_bookmarks WHERE user_id = ?)")
                params.append(self.ctx.user_id)
            else:
                parts.append(
                    "g.id IN (SELECT b.group_id FROM group_bookmarks b"
                    " JOIN users u ON u.id = b.user_id WHERE u.email = ? OR u.username = ?)"
                )
                params += [v, v]
        return "(" + " OR ".join(parts) + ")", params

    def key_has(self, flt: Filter) -> tuple[str, list]:
        parts, params = [], []
        for v in flt.values:
            key = ALIASES.get(v, v)
            if key in ("assigned", "assignee", "assigned_to"):
                parts.append(IS_STATUS["assigned"])
            elif key == "firstRelease":
                parts.append("g.first_release IS NOT NULL")
            elif key in USER_PATHS:
                sql, p = self.event_match(
                    f"json_extract(e.data, '{USER_PATHS[key]}') IS NOT NULL", []
                )
                parts.append(sql)
                params += p
            else:
                if key.startswith("tags[") and key.endswith("]"):
                    key = key[5:-1]
                sql, p = self.tag_match(key, None)
                parts.append(sql)
                params += p
        return "(" + " OR ".join(parts) + ")", params

    def key_release(self, flt: Filter) -> tuple[str, list]:
        cond, params = self.release_values("t.value", flt.values)
        if self.ctx.environments:
            env_sql, env_params = self._env_clause("e")
            return (
                "g.id IN (SELECT t.group_id FROM event_tags t JOIN events e ON e.id = t.event_row"
                f" WHERE t.key = 'release' AND {cond}{env_sql})",
                [*params, *env_params],
            )
        return (
            f"g.id IN (SELECT t.group_id FROM event_tags t WHERE t.key = 'release' AND {cond})",
            params,
        )

    def key_firstRelease(self, flt: Filter) -> tuple[str, list]:
        return self.release_values("g.first_release", flt.values)

    def key_environment(self, flt: Filter) -> tuple[str, list]:
        return self.tag_match("environment", flt.values)

    def key_project(self, flt: Filter) -> tuple[str, list]:
        m_sql, params = _match("slug", flt.values)
        return f"g.project_id IN (SELECT id FROM projects WHERE org_id = ? AND {m_sql})", [
            self.ctx.org_id,
            *params,
        ]

    def key_project_id(self, flt: Filter) -> tuple[str, list]:
        ids = [int(parse_number(v)) for v in flt.values]
        return f"g.project_id IN ({','.join('?' * len(ids))})", ids

    def key_message(self, flt: Filter) -> tuple[str, list]:
        parts, params = [], []
        for v in flt.values:
            pattern = _like_pattern(v, contains=True)
            parts.append(
                "(g.title LIKE ? ESCAPE '\\' OR COALESCE(g.culprit, '') LIKE ? ESCAPE '\\'"
                " OR g.message LIKE ? ESCAPE '\\')"
            )
            params += [pattern, pattern, pattern]
        return "(" + " OR ".join(parts) + ")", params

    def key_title(self, flt: Filter) -> tuple[str, list]:
        return _match("g.title", flt.values)

    def key_culprit(self, flt: Filter) -> tuple[str, list]:
        return _match("g.culprit", flt.values)

    def _exception_field(self, name: str, values: Sequence[str]) -> tuple[str, list]:
        m_sql, m_params = _match(f"json_extract(x.value, '$.{name}')", values)
        cond = f"EXISTS (SELECT 1 FROM json_each(e.data, '$.exception.values') x WHERE {m_sql})"
        return self.event_match(cond, m_params)

    def key_error_type(self, flt: Filter) -> tuple[str, list]:
        return self._exception_field("type", flt.values)

    def key_error_value(self, flt: Filter) -> tuple[str, list]:
        return self._exception_field("value", flt.values)

    def key_error_mechanism(self, flt: Filter) -> tuple[str, list]:
        return self._exception_field("mechanism.type", flt.values)

    def _handled(self, flt: Filter, *, invert: bool) -> tuple[str, list]:
        if flt.is_list or flt.value.lower() not in ("1", "0", "true", "false", "yes", "no"):
            raise SearchError(f"{flt.key!r} takes a boolean (true, false, 1, 0)")
        handled = flt.value.lower() in ("1", "true", "yes")
        if invert:
            handled = not handled
        unhandled_event = (
            "EXISTS (SELECT 1 FROM event_tags ht WHERE ht.event_row = e.id"
            " AND ht.key = 'handled' AND ht.value = 'no')"
        )
        return self.event_match(unhandled_event if not handled else f"NOT {unhandled_event}", [])

    def key_error_handled(self, flt: Filter) -> tuple[str, list]:
        return self._handled(flt, invert=False)

    def key_error_unhandled(self, flt: Filter) -> tuple[str, list]:
        return self._handled(flt, invert=True)


FOR_REVIEW_SQL = (
    "(g.status = 'unresolved' AND ("
    "json_extract(g.status_details, '$._inbox') IS NOT NULL OR ("
    "json_extract(g.status_details, '$._reviewed') IS NULL"
    " AND (g.substatus IN ('regressed', 'escalating')"
    " OR (g.substatus = 'new' AND g.first_seen >= ?)))))"
)


def compile_query(query: Query | str, ctx: SearchContext) -> Compiled:
    """Compile a parsed (or raw) query to a WHERE fragment over `groups g`."""
    if isinstance(query, str):
        query = parse(query)
    return _Compiler(ctx).compile(query)


_SHORT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*-[A-Za-z0-9]+$")
_EVENT_ID = re.compile(r"^[0-9a-fA-F]{32}$|^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def looks_like_short_id(text: str) -> bool:
    return bool(_SHORT_ID.match(text.strip()))


def looks_like_event_id(text: str) -> str | None:
    """The 32-hex event id if `text` is one (dashes allowed), else None."""
    t = text.strip()
    if _EVENT_ID.match(t):
        return t.replace("-", "").lower()
    return None


def in_new_window(first_seen: float, now: float) -> bool:
    """Whether an issue first seen at `first_seen` still counts as `new`."""
    return first_seen >= now - NEW_ISSUE_SECONDS


def iso(ts: float | None) -> str | None:
    """Epoch seconds → `2024-01-02T03:04:05.123456Z` (Sentry's timestamp format)."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


#: Longest period or interval accepted (100 years): beyond it dates and SQLite integers overflow.
MAX_PERIOD_SECONDS = 100 * 365 * 86400


def _row_id(digits: str) -> int:
    """An id from ASCII digits; beyond SQLite's 64 bits it is -1, which no row has."""
    number = int(digits)
    return number if number < 2**63 else -1


def parse_stats_period(value: str) -> float:
    """`24h`, `14d`, `90m`, `2w`, `30s` → seconds; raises `SearchError`."""
    m = re.match(r"^(\d+)([smhdw])$", value.strip())
    if not m or int(m.group(1)) == 0:
        raise SearchError(f"Invalid statsPeriod: {value!r}")
    seconds = int(m.group(1)) * _UNITS[m.group(2)]
    if seconds > MAX_PERIOD_SECONDS:
        raise SearchError(f"Invalid statsPeriod: {value!r}")
    return seconds


__all__ = [
    "ERROR_PREFIX",
    "Compiled",
    "Filter",
    "Query",
    "SearchContext",
    "SearchError",
    "compile_query",
    "iso",
    "looks_like_event_id",
    "looks_like_short_id",
    "parse",
    "parse_datetime",
    "parse_stats_period",
]
