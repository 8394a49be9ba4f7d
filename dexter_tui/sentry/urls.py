"""How the client spells API paths and query strings, shared by every resource part.

Release versions hold `/`, `@` and `+`, and Sentry repeats list parameters (`?project=1&project=2`):
one quoting rule and one pair builder keep every endpoint consistent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

#: the Web API's path prefix
API = "/api/0"

#: query parameters as httpx takes them
Params = Sequence[tuple[str, str]] | Mapping[str, Any] | None


def q(part: str | int) -> str:
    """One URL path segment, fully quoted (release versions hold `/`, `@`, `+`)."""
    return quote(str(part), safe="")


def pairs(**kw: Any) -> list[tuple[str, str]]:
    """Query pairs: None skipped, lists repeated (`?project=1&project=2`), bools as 1/0."""
    out: list[tuple[str, str]] = []
    for key, value in kw.items():
        if value is None:
            continue
        values = value if isinstance(value, list | tuple | set | frozenset) else [value]
        for item in values:
            if item is None:
                continue
            if isinstance(item, bool):
                item = "1" if item else "0"
            out.append((key, str(item)))
    return out
