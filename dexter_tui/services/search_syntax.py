"""Sentry issue-search text as terms: split it, add or replace a `key:value`, and find what Sentry
would refuse before the query is sent.

Why: tag → search must add its term to the query (replacing a term on the same key) instead of
replacing the whole search, completion must know which token the cursor is in, and a query Sentry
answers with 400 (an open quote, an empty `key:`) is cheaper to flag while it is being typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: values Sentry's issue search takes for `is:` (status, substatus, assignment, links)
IS_VALUES = (
    "unresolved",
    "resolved",
    "ignored",
    "archived",
    "escalating",
    "new",
    "ongoing",
    "regressed",
    "assigned",
    "unassigned",
    "for_review",
    "linked",
    "unlinked",
)
LEVEL_VALUES = ("fatal", "error", "warning", "info", "debug", "sample")
ASSIGNED_VALUES = ("me", "my_teams", "none")
RELATIVE_TIMES = ("-1h", "-24h", "-7d", "-14d", "-30d", "+1h", "+24h")

#: keys of Sentry's issue search with a short description; values offered for the fixed ones
BUILTIN_KEYS: dict[str, str] = {
    "is": "status: unresolved, resolved, ignored, assigned, for_review…",
    "assigned": "assignee: me, my_teams, none, #team, email",
    "assigned_or_suggested": "assignee or suggested owner",
    "bookmarks": "bookmarked by: me, email",
    "level": "fatal, error, warning, info, debug",
    "release": "a release version (or latest)",
    "environment": "an environment",
    "has": "the tag is set",
    "firstSeen": "first seen, e.g. -24h",
    "lastSeen": "last seen, e.g. -1h",
    "times_seen": "event count, e.g. >100",
    "age": "issue age, e.g. -24h",
    "firstRelease": "the release first seen in",
    "error.type": "exception type",
    "error.value": "exception message",
    "error.handled": "true or false",
    "error.unhandled": "true or false",
    "message": "the event message",
    "issue.category": "error, performance, …",
    "issue.priority": "high, medium, low",
    "user.email": "the user's email",
    "user.id": "the user's id",
    "platform": "the SDK's platform",
    "transaction": "the transaction name",
    "url": "the request URL",
}

FIXED_VALUES: dict[str, tuple[str, ...]] = {
    "is": IS_VALUES,
    "level": LEVEL_VALUES,
    "assigned": ASSIGNED_VALUES,
    "assigned_or_suggested": ASSIGNED_VALUES,
    "bookmarks": ("me",),
    "firstSeen": RELATIVE_TIMES,
    "lastSeen": RELATIVE_TIMES,
    "age": RELATIVE_TIMES,
    "error.handled": ("true", "false"),
    "error.unhandled": ("true", "false"),
    "issue.priority": ("high", "medium", "low"),
    "issue.category": ("error", "performance", "feedback", "cron", "uptime"),
}

#: one token: a run of non-space characters where "…" (with \" escapes) may hold spaces
_TOKEN = re.compile(r'(?:[^\s"]|"(?:\\.|[^"\\])*(?:"|$))+')
_KEY = re.compile(r"^(!?)([A-Za-z_][\w.\-\[\]]*):(.*)$", re.DOTALL)


@dataclass(frozen=True)
class Token:
    """One term of the query and where it stands in the text."""

    text: str
    start: int
    end: int

    @property
    def key(self) -> str | None:
        """`level` for `level:error` and `!level:error`; None for free text."""
        found = _KEY.match(self.text)
        return found.group(2) if found else None

    @property
    def value(self) -> str:
        found = _KEY.match(self.text)
        return found.group(3) if found else self.text

    @property
    def negated(self) -> bool:
        found = _KEY.match(self.text)
        return bool(found and found.group(1))


def tokens(text: str) -> list[Token]:
    return [Token(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def token_at(text: str, position: int) -> Token:
    """The token the cursor at `position` is in or just after (an empty one between spaces)."""
    for token in tokens(text):
        if token.start <= position <= token.end:
            return token
    return Token("", position, position)


def quote_value(value: str) -> str:
    """A value as the search takes it: quoted (escaped) when it holds spaces, quotes or is empty."""
    if value and not re.search(r'[\s"\\(),]', value):
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def add_term(query: str, term: str) -> str:
    """`query` with `term` added; a term on the same key (negated or not) is replaced in place."""
    new = Token(term, 0, len(term))
    key = new.key
    parts = [t.text for t in tokens(query)]
    if key is not None and key != "has":
        for i, part in enumerate(parts):
            if Token(part, 0, len(part)).key == key:
                parts[i] = term
                return " ".join(parts)
    if term in parts:
        return " ".join(parts)
    return " ".join([*parts, term])


def problems(text: str) -> list[str]:
    """What Sentry would refuse in `text`, in words; empty when it looks sendable."""
    found: list[str] = []
    depth = 0
    for token in tokens(text):
        body = token.text
        unescaped = re.sub(r"\\.", "", body)
        if unescaped.count('"') % 2:
            found.append(f"unclosed quote in {body}")
            continue
        outside = re.sub(r'"[^"]*"', "", unescaped)
        depth += outside.count("(") - outside.count(")")
        if depth < 0:
            found.append("a ) without its (")
            depth = 0
        key = token.key
        if key is None:
            continue
        value = token.value.strip("()")
        if not value:
            found.append(f"{body} needs a value")
        elif key == "is" and value not in IS_VALUES:
            found.append(f"is:{value} is not a status ({', '.join(IS_VALUES[:5])}…)")
        elif key == "level" and value.lstrip("<>=") not in LEVEL_VALUES and "[" not in value:
            found.append(f"level:{value} is not a level ({', '.join(LEVEL_VALUES[:5])})")
    if depth > 0:
        found.append("a ( without its )")
    return found
