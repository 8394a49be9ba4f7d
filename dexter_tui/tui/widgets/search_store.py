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

from dexter_tui.tui.widgets.filter_lines import narrowed

if TYPE_CHECKING:
    from dexter_tui.tui.widgets.table_model import Row

#: rows per chunk: sealing one costs ~2 ms for issue rows
CHUNK = 1024
#: results kept for narrowing (typing forwards) and going back (backspace)
KEPT_RESULTS = 8


class Matches:
    """The rows (and their lines) matching `words` among the first `chunks` chunks."""

    __slots__ = ("_hits", "chunks", "lines", "rows", "words")

    def __init__(
        self, words: tuple[str, ...], chunks: int, rows: list[Row], lines: list[str]
    ) -> None:
        self.words = words
        self.chunks = chunks
        self.rows = rows
        self.lines = lines
        self._hits: set[Row] | None = None

    def same_rows(self, other: Matches) -> bool:
        """Whether `other` matched the same rows, given that these words narrow its words."""
        return self.chunks == other.chunks and len(self.rows) == len(other.rows)

    @property
    def hits(self) -> set[Row]:
        if self._hits is None:
            self._hits = set(self.rows)
        return self._hits


def _narrowed(
    rows: list[Row], lines: list[str], words: tuple[str, ...]
) -> tuple[list[Row], list[str]]:
    """`narrowed`, always into new lists (the caller extends them)."""
    if not words:
        return list(rows), list(lines)
    return narrowed(rows, lines, words)


class SearchStore:
    """Search text of rows in chunks (`rows`, their lines joined with newlines)."""

    def __init__(self) -> None:
        self._chunks: list[tuple[list[Row], str]] = []
        self._pending: list[Row] = []
        self._stored = 0  # rows in chunks, live or not
        self._results: list[Matches] = []  # the latest first
        #: bumped when chunks are rebuilt (`compact`): what was read of them is to be read again
        self.generation = 0

    @property
    def pending(self) -> int:
        """Rows added but not sealed into a chunk yet."""
        return len(self._pending)

    @property
    def stored(self) -> int:
        return self._stored + len(self._pending)

    def reset(self, rows: Iterable[Row] = ()) -> None:
        self._chunks = []
        self._results = []
        self.generation += 1
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

    def matching(self, words: Sequence[str]) -> Matches:
        """Rows (among every row added, live or not) whose search text holds every word.

        Typing forwards, each result narrows the one before: only its rows are tested again
        (no chunk is split). The last few results are kept for that, and for backspace.
        """
        self.seal()
        wanted = tuple(sorted(set(words), key=len, reverse=True))  # longest first: rules out most
        for entry in self._results:
            if entry.words == wanted and entry.chunks == len(self._chunks):
                return entry
        base = self._narrowest_base(wanted)
        if base is None:
            rows, lines = self._scan(wanted, 0)
        else:
            # a word inside one of the base's words holds for all its rows already
            new = tuple(w for w in wanted if not any(w in old for old in base.words))
            rows, lines = _narrowed(base.rows, base.lines, new)
            more_rows, more_lines = self._scan(wanted, base.chunks)
            rows += more_rows
            lines += more_lines
        entry = Matches(wanted, len(self._chunks), rows, lines)
        self._results = [entry, *self._results[: KEPT_RESULTS - 1]]
        return entry

    @property
    def chunk_count(self) -> int:
        return len(self._chunks)

    def read_lines(self, line_of: dict[Row, str], start: int, chunks: int) -> int:
        """Put each row's line of chunks `start` to `start + chunks` into `line_of`; return the
        next chunk to read (`FilterLines` aligns them to the table's order)."""
        for rows, text in self._chunks[start : start + chunks]:
            line_of.update(zip(rows, text.split("\n"), strict=True))
        return min(start + chunks, len(self._chunks))

    def forget(self) -> None:
        """Drop the kept results (a filter ended)."""
        self._results = []

    def _narrowest_base(self, words: tuple[str, ...]) -> Matches | None:
        """The smallest kept result whose rows include every row matching `words`."""
        best: Matches | None = None
        for entry in self._results:
            if all(any(old in new for new in words) for old in entry.words) and (
                best is None or len(entry.rows) < len(best.rows)
            ):
                best = entry
        return best

    def _scan(self, words: tuple[str, ...], first_chunk: int) -> tuple[list[Row], list[str]]:
        """Rows and lines of the chunks from `first_chunk` on that hold every word."""
        out_rows: list[Row] = []
        out_lines: list[str] = []
        for rows, text in self._chunks[first_chunk:]:
            if any(word not in text for word in words):
                continue
            found_rows, found_lines = _narrowed(rows, text.split("\n"), words)
            out_rows += found_rows
            out_lines += found_lines
        return out_rows, out_lines

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
        self._results = []
        self.generation += 1
