"""Recent issue searches, per organization, newest first, kept between sessions.

Why: Sentry's search bar offers the searches you ran lately; an on-call engineer re-runs the same
few. Stored as JSON in the platformdirs data dir (`recent_searches.json`), written atomically with
mode 0600 (queries can name customers, hosts, users) and merged under a lock so two dexters on one
machine keep each other's entries. A missing or damaged file is an empty list, never an error.
"""

from __future__ import annotations

import json
from pathlib import Path

from dexter_tui.services.local_files import locked, write_atomic

FILENAME = "recent_searches.json"
#: searches kept per organization
LIMIT = 20


def default_path() -> Path:
    import platformdirs

    return platformdirs.user_data_path("dexter-tui") / FILENAME


def _read(path: Path) -> dict[str, list[str]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    out: dict[str, list[str]] = {}
    for org, items in data.items():
        if isinstance(org, str) and isinstance(items, list):
            out[org] = [i for i in items if isinstance(i, str) and i.strip()][:LIMIT]
    return out


class RecentSearches:
    """The recent searches of one organization (`path` None: this session only)."""

    def __init__(self, path: Path | None, org: str) -> None:
        self.path = path
        self.org = org
        self._items: list[str] = _read(path).get(org, []) if path is not None else []

    def items(self) -> list[str]:
        """Newest first."""
        return list(self._items)

    def remember(self, query: str) -> None:
        """Put `query` first (once); the empty search and the default one are not worth a line."""
        query = " ".join(query.split())
        if not query:
            return
        self._items = [query, *[q for q in self._items if q != query]][:LIMIT]
        if self.path is None:
            return
        with locked(self.path):
            data = _read(self.path)
            merged = [query, *[q for q in [*data.get(self.org, []), *self._items] if q != query]]
            data[self.org] = list(dict.fromkeys(merged))[:LIMIT]
            write_atomic(self.path, json.dumps(data, indent=1, ensure_ascii=False) + "\n")
            self._items = data[self.org]
