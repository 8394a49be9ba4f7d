"""The table's search text, kept compactly: rows' `Row.search` joined into one string per chunk.

Why: a case-folded string per row costs ~160 bytes and a Python object each (100k rows: 16 MB
and 100k objects for the garbage collector); joined per chunk of rows it costs the characters
only. A chunk that lacks a word altogether is skipped with one C-speed `in`; the others are
split into lines and tested a word at a time (list comprehensions, no per-row Python calls).

Rows are added as they come (a page, a poll's changed rows) and sealed into chunks later, in
slices (`seal`), so filling a table never pays for its search text up front. Rows that left the
table stay in their chunk until `compact`: a match is only a candidate, the caller keeps the
rows it still has (`TableModel` intersects with its own lists).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dexter_tui.tui.widgets.table_model import Row

#: rows per chunk: sealing one costs ~2 ms for issue rows
CHUNK = 1024


class SearchStore:
    """Search text of rows in chunks (`rows`, their lines joined with newlines)."""

    def __init__(self) -> None:
        self._chunks: list[tuple[list[Row], str]] = []
        self._pending: list[Row] = []
        self._stored = 0  # rows in chunks, live or not

    @property
    def pending(self) -> int:
        """Rows added but not sealed into a chunk yet."""
        return len(self._pending)

    @property
    def stored(self) -> int:
        return self._stored + len(self._pending)

    def reset(self, rows: Iterable[Row] = ()) -> None:
        self._chunks = []
        self._stored = 0
        self._pending = list(rows)

    def add(self, rows: Iterable[Row]) -> None:
        self._pending.extend(rows)

    def seal(self, limit: int | None = None) -> int:
        """Seal up to `limit` pending rows (all: None) into chunks; return how many are left."""
        pending = self._pending
        count = len(pending) if limit is None else min(limit, len(pending))
        done = 0
        while done < count:
            part = pending[done : done + CHUNK]
            done += len(part)
            lines = [row.search.replace("\n", " ") for row in part]
            self._chunks.append((part, "\n".join(lines)))
            self._stored += len(part)
        del pending[:done]
        return len(pending)

    def matching(self, words: Sequence[str]) -> set[Row]:
        """Rows (among every row added, live or not) whose search text holds every word."""
        self.seal()
        found: set[Row] = set()
        if not words:
            for rows, _text in self._chunks:
                found.update(rows)
            return found
        # the longest word first: it rules out the most chunks and lines
        ordered = sorted(words, key=len, reverse=True)
        first, rest = ordered[0], ordered[1:]
        for rows, text in self._chunks:
            if first not in text or any(word not in text for word in rest):
                continue
            pairs = [pair for pair in zip(rows, text.split("\n"), strict=True) if first in pair[1]]
            for word in rest:
                pairs = [pair for pair in pairs if word in pair[1]]
            found.update(row for row, _line in pairs)
        return found

    def compact(self, alive: Callable[[Row], bool]) -> None:
        """Drop the rows that are no longer in the table (their text goes with them)."""
        self.seal()
        kept_rows: list[Row] = []
        kept_lines: list[str] = []
        for rows, text in self._chunks:
            for row, line in zip(rows, text.split("\n"), strict=True):
                if alive(row):
                    kept_rows.append(row)
                    kept_lines.append(line)
        self._chunks = [
            (kept_rows[i : i + CHUNK], "\n".join(kept_lines[i : i + CHUNK]))
            for i in range(0, len(kept_rows), CHUNK)
        ]
        self._stored = len(kept_rows)
