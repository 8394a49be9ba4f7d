"""The filter of an issue's event list: a Sentry event query built from picks and typing.

Why: the event list (`E`) narrows an issue's events by environment, release or any tag the way
Sentry's issue page does — with `query=` on the issue events route, so what the list shows is
exactly what the API returns for that query. Picking a value from the tag distribution replaces
that key's term (one value per key, as Sentry's tag pills do); anything typed is kept as typed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from dexter_tui.sentry.models import TagDetail
from dexter_tui.services.events.tags import tag_query

#: one search term: `key:value`, `key:"quoted value"`, `!key:value`, or free text
_TERM = re.compile(r'!?[\w.\[\]-]+:(?:"(?:[^"\\]|\\.)*"|\S+)|"(?:[^"\\]|\\.)*"|\S+')


def terms(query: str) -> list[str]:
    """The query split into its search terms (quoted values stay whole)."""
    return _TERM.findall(query)


def term_key(term: str) -> str | None:
    """The key of a `key:value` term (without `!`), or None for free text."""
    match = re.match(r"!?([\w.\[\]-]+):", term)
    return match.group(1) if match else None


def with_term(query: str, key: str, value: str) -> str:
    """`query` with `key` set to `value`: an existing term of that key is replaced in place."""
    new = tag_query(key, value)
    out: list[str] = []
    for term in terms(query):
        if term_key(term) == key and not term.startswith("!"):
            if new:
                out.append(new)
                new = ""
            continue
        out.append(term)
    if new:
        out.append(new)
    return " ".join(out)


def without_key(query: str, key: str) -> str:
    return " ".join(t for t in terms(query) if term_key(t) != key)


@dataclass(frozen=True)
class TagShare:
    """One value of a tag across the issue's events: count and share of the key's total."""

    key: str
    value: str
    count: int
    share: float
    first_of_key: bool


#: keys shown first: the ones an on-call engineer filters by most
FIRST_KEYS = ("environment", "release", "level", "server_name", "browser", "os", "user")


def mostly_unique(detail: TagDetail) -> bool:
    """A key whose values are mostly one per event (trace ids, request ids) filters nothing."""
    total, unique = detail.total_values or 0, detail.unique_values or 0
    return total >= 10 and unique > total / 2


def distribution(details: Sequence[TagDetail], *, per_key: int = 5) -> list[TagShare]:
    """The top values of every tag key, environment and release first, then by key name.

    Keys whose values are mostly unique (`mostly_unique`) are left out: no value there
    describes more than a handful of events."""
    order = {k: n for n, k in enumerate(FIRST_KEYS)}
    rows: list[TagShare] = []
    for detail in sorted(details, key=lambda d: (order.get(d.key, len(order)), d.key)):
        if mostly_unique(detail):
            continue
        values = list(detail.top_values or [])[:per_key]
        total = detail.total_values or sum(v.count or 0 for v in values) or 0
        for n, tv in enumerate(values):
            count = tv.count or 0
            rows.append(
                TagShare(detail.key, tv.value or "", count, count / total if total else 0.0, n == 0)
            )
    return rows
