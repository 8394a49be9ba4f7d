"""The rows' search lines in the table's own row order, ready while a text filter is typed.

Why: the search store keeps lines in the order rows arrived (a poll puts rows first, a page
last), so each filter key mapped its matches back to the table's order through a set of every
match and a pass over every row (~10 ms a key at 100k rows, most of the filter's cost). With a
line per row in the table's order, a key is one C-speed test per line of the rows that passed
before plus two `compress`es, and the rows come out in order: nothing to intersect.

Built in idle slices once the filter input has focus (`TableModel.prime_filter`), dropped when the
filter ends. Valid for one version of the rows: after a poll or a page the model serves keys the
store's way until the lines are aligned again (one C-speed pass, in an idle slice).
"""

from __future__ import annotations

from itertools import compress
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dexter_tui.tui.widgets.search_store import SearchStore
    from dexter_tui.tui.widgets.table_model import Row

#: results kept for narrowing (typing forwards) and going back (backspace)
KEPT_RESULTS = 8


def narrowed(
    rows: list[Row], lines: list[str], words: tuple[str, ...]
) -> tuple[list[Row], list[str]]:
    """The rows whose line holds every word (a C-speed test per line, `compress`)."""
    for word in words:
        keep = [word in line for line in lines]
        rows = list(compress(rows, keep))
        lines = list(compress(lines, keep))
    return rows, lines


def _narrowed_shared(
    rows: list[Row], lines: list[str], words: tuple[str, ...]
) -> tuple[list[Row], list[str]]:
    """`narrowed`, giving back the lists themselves where a word keeps every row (typing
    "erro", "error" after "err" over most issues: no 100k-item copies). Only for lists nobody
    changes in place (`FilterLines`' own)."""
    for word in words:
        keep = [word in line for line in lines]
        if False not in keep:
            continue
        rows = list(compress(rows, keep))
        lines = list(compress(lines, keep))
    return rows, lines


class FilterLines:
    """A search line per row of one version of the table's rows, and the last few results."""

    def __init__(self) -> None:
        #: every sealed row's line (rows are immutable: a row's line never changes)
        self._line_of: dict[Row, str] = {}
        self._read = 0  # store chunks read into `_line_of`
        self._generation = -1  # the store's, when they were read
        self.version = -1  # the rows' version the lines are aligned to (-1: none)
        self._failed = -1  # a version that could not be aligned (not retried)
        self.rows: list[Row] = []
        self.lines: list[str] = []
        self._results: list[tuple[tuple[str, ...], list[Row], list[str]]] = []

    def ready(self, version: int) -> bool:
        return self.version == version

    def done(self, version: int) -> bool:
        """Nothing more to do for `version`: aligned, or found not to align."""
        return version in (self.version, self._failed)

    def prime(self, store: SearchStore, rows: list[Row], version: int, chunks: int) -> bool:
        """Read up to `chunks` more of the store's chunks, then align to `rows` (one pass);
        True when there is nothing more to do for this version. The store must be sealed."""
        if self.version == version or self._failed == version:
            return True
        if store.generation != self._generation:
            # rebuilt (compacted, replaced): read it again, without the rows it let go
            self._generation, self._read, self._line_of = store.generation, 0, {}
        self._read = store.read_lines(self._line_of, self._read, chunks)
        if self._read < store.chunk_count:
            return False
        try:
            lines = list(map(self._line_of.__getitem__, rows))
        except KeyError:  # a row the store never had: the model keeps the store's way
            self._failed = version
            return True
        self.rows, self.lines, self.version = list(rows), lines, version
        self._results = []
        return True

    def matching(self, words: tuple[str, ...]) -> tuple[list[Row], list[str]]:
        """The rows (in order) and lines holding every word. Typing forwards narrows the kept
        result the words extend (only its rows are tested); backspace finds a kept one."""
        wanted = tuple(sorted(set(words), key=len, reverse=True))  # longest first: rules out most
        best: tuple[tuple[str, ...], list[Row], list[str]] = ((), self.rows, self.lines)
        for entry in self._results:
            if entry[0] == wanted:
                return entry[1], entry[2]
            if all(any(old in new for new in wanted) for old in entry[0]) and len(entry[1]) < len(
                best[1]
            ):
                best = entry
        old_words = best[0]
        # a word inside one of the base's words holds for all its rows already
        new = tuple(w for w in wanted if not any(w in old for old in old_words))
        rows, lines = _narrowed_shared(best[1], best[2], new)
        self._results = [(wanted, rows, lines), *self._results[: KEPT_RESULTS - 1]]
        return rows, lines

    def clear(self) -> None:
        self.__init__()  # type: ignore[misc]
