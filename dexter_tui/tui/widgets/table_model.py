"""The data side of `FastTable`: columns, keyed rows, filter, sort and marks — no Textual here.

Why separate: the widget must stay cheap per frame, so everything that is O(rows) happens here,
once per data change (replace, filter, sort), never per keystroke; and these rules (marks keyed by
row key surviving replace/sort/filter, stable keyed replace) are easier to test without a terminal.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from rich.text import Text

from dexter_tui.tui.widgets.filter_lines import FilterLines
from dexter_tui.tui.widgets.search_store import CHUNK, Matches, SearchStore

__all__ = [
    "Align",
    "Column",
    "Row",
    "RowPredicate",
    "TableModel",
    "TextFilter",
    "layout_columns",
]

Align = Literal["left", "center", "right"]
CellMap = Mapping[str, Text]
RowPredicate = Callable[["Row"], bool]


@dataclass(frozen=True, slots=True)
class Column:
    """One column: ``width`` if given, else ``min_width`` plus a ``ratio`` share of spare cells.

    ``hide_below``: the column is left out when the table is narrower than this many cells (e.g.
    culprit only on wide terminals).
    """

    key: str
    label: str
    width: int | None = None
    min_width: int = 1
    ratio: int = 0
    align: Align = "left"
    hide_below: int = 0


@dataclass(frozen=True, slots=True, eq=False)
class Row:
    """A row keyed by a stable string (an issue id). Immutable: a changed row is a new `Row`.

    ``cells`` maps column key → `Text` (never a markup string), or is a zero-argument callable
    returning that mapping, called only when the row is drawn (saves memory with very many rows).
    ``sort_values`` gives typed sort keys per column (else the cell's plain text is used).
    ``data`` is the caller's object (e.g. the issue) for filters and actions.
    ``search`` is the row's case-folded text for `TextFilter` (built once with the row, so typing
    a filter never case-folds cells).
    Rows hash by identity, which is what the widget's strip cache relies on.
    """

    key: str
    cells: CellMap | Callable[[], CellMap]
    dim: bool = False
    sort_values: Mapping[str, Any] | None = None
    data: Any = None
    search: str = ""

    def get_cells(self) -> CellMap:
        cells = self.cells
        return cells() if callable(cells) else cells

    def sort_value(self, column_key: str) -> Any:
        if self.sort_values is not None and column_key in self.sort_values:
            return self.sort_values[column_key]
        cell = self.get_cells().get(column_key)
        return cell.plain.casefold() if cell is not None else ""


class TextFilter:
    """Rows whose `Row.search` contains every word (case-folded substrings).

    Why a class and not a lambda: the model can tell that a filter *narrows* the previous one
    (each old word is inside some new word, as when typing forwards) and then tests only the rows
    that passed before; and a word at a time over a precomputed haystack is a C-speed scan.
    """

    __slots__ = ("words",)

    def __init__(self, words: Iterable[str]) -> None:
        self.words: tuple[str, ...] = tuple(w.casefold() for w in words if w)

    def __call__(self, row: Row) -> bool:
        search = row.search
        return all(w in search for w in self.words)

    def narrows(self, other: RowPredicate | None) -> bool:
        """True when every row this filter passes also passed `other`."""
        if not isinstance(other, TextFilter):
            return other is None and not self.words
        return all(any(old in new for new in self.words) for old in other.words)

    def scan(self, rows: Iterable[Row]) -> list[Row]:
        """The rows that pass, a word at a time (a list comprehension per word)."""
        out = rows if isinstance(rows, list) else list(rows)
        for word in self.words:
            out = [row for row in out if word in row.search]
        return out

    def scan_with(self, store: SearchStore, rows: list[Row]) -> list[Row]:
        """`scan`, reading the search text from `store` (which must hold every row of `rows`)."""
        if not self.words:
            return list(rows)
        hits = store.matching(self.words).hits
        return list(filter(hits.__contains__, rows))


class TableModel:
    """Rows in source order, the visible (filtered, sorted) view of them, and marks by key.

    The key → row index is built lazily: filling an empty table with 100k rows must not pay for a
    100k-entry dict before the first frame (`ensure_index` builds it, and drops duplicate keys).
    """

    def __init__(self) -> None:
        self._rows: list[Row] = []
        self._index: dict[str, Row] | None = {}
        self._visible: list[Row] = []
        self._positions: dict[str, int] | None = None
        self.marks: dict[str, None] = {}
        self.new_keys: set[str] = set()
        self.highlighted: set[str] = set()
        self.filter: RowPredicate | None = None
        self.sort_column: str | None = None
        self.sort_reverse = False
        self.sort_key: Callable[[Row], Any] | None = None
        #: the rows passing `filter`, in source order (None: not derived yet from the visible
        #: rows, see `_filtered`), and the filter they were computed for
        self._filtered_rows: list[Row] | None = []
        self._visible_filter: RowPredicate | None = None
        #: every row in sort order while a sort is on (so a filter can keep that order)
        self._sorted_all: list[Row] | None = None
        #: the rows' search text (every row added, sealed in slices: `seal_search`)
        self.search = SearchStore()
        #: what the store matched for the current text filter (to tell an unchanged narrowing)
        self._matches: Matches | None = None
        #: bumped whenever the rows change (what `_lines` was aligned to)
        self._version = 0
        #: the rows' search lines in row order while a filter is typed (`prime_filter`)
        self._lines = FilterLines()

    @property
    def _filtered(self) -> list[Row]:
        """The rows passing the filter in source order. A sorted filter typed with aligned lines
        leaves them to be derived here (a set pass), the first time a change needs them."""
        rows = self._filtered_rows
        if rows is None:
            hits = set(self._visible)
            rows = self._filtered_rows = list(filter(hits.__contains__, self._rows))
        return rows

    @_filtered.setter
    def _filtered(self, rows: list[Row]) -> None:
        self._filtered_rows = rows

    # -- rows ----------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._rows)

    @property
    def visible(self) -> list[Row]:
        return self._visible

    @property
    def index_ready(self) -> bool:
        return self._index is not None

    def ensure_index(self) -> bool:
        """Build the key index; returns True when duplicate keys were dropped (the view changed).

        A key given twice keeps its first position and its last row (pages can overlap when issues
        move between fetches).
        """
        if self._index is not None:
            return False
        index = {row.key: row for row in self._rows}
        self._index = index
        if len(index) == len(self._rows):
            return False
        self._rows = list(index.values())
        self._version += 1
        self.recompute()
        return True

    def get(self, key: str) -> Row | None:
        self.ensure_index()
        assert self._index is not None
        return self._index.get(key)

    def rows(self) -> list[Row]:
        """All rows in source order (ignoring filter and sort)."""
        return list(self._rows)

    def replace(self, rows: Iterable[Row], *, track_new: bool) -> set[str]:
        """Replace all rows; return the keys that were not there before (none on a first fill).

        Marks are kept for every key, present or not (see `prune_marks`). On a first fill the index
        is left for `ensure_index`; otherwise it is rebuilt here (the diff needs it anyway).
        """
        old = self._index if self._rows else {}
        if old is None:
            self.ensure_index()
            old = self._index or {}
        self._rows = list(rows)
        self._version += 1
        self._index = None
        self.search.reset(self._rows)
        added: set[str] = set()
        if old:
            self.ensure_index()
            added = {row.key for row in self._rows if row.key not in old}
            index = self._index or {}
            self.new_keys = {key for key in self.new_keys if key in index}
            self.highlighted = {key for key in self.highlighted if key in index}
        else:
            self.new_keys = set()
            self.highlighted = set()
        if track_new:
            self.new_keys |= added
        self.recompute()
        return added

    def append(self, rows: Iterable[Row]) -> None:
        """Add rows at the end (next page); a key already present is updated in place.

        With a filter or sort active the page is merged into the visible rows (each new row
        tested once, inserted by binary search), never a re-filter or re-sort of all rows.
        """
        self.ensure_index()
        self._filtered  # noqa: B018 - derived (if it is to be) before the rows change
        index = self._index
        assert index is not None
        appended: dict[str, Row] = {}
        replaced: dict[str, Row] = {}
        for row in rows:
            if row.key in index and row.key not in appended:
                replaced[row.key] = row
            else:
                appended[row.key] = row
            index[row.key] = row
        if replaced:
            self._rows = [index[row.key] for row in self._rows]
        self._rows.extend(appended.values())
        self._version += 1
        self.search.add(replaced.values())
        self.search.add(appended.values())
        self._sorted_all = None
        if replaced:
            self._patch_visible({**replaced, **appended}, set(), at_front=False)
            return
        self._positions = None
        fresh = list(appended.values())
        if self.filter is not None:
            if self._visible_filter is not self.filter:
                self.recompute()
                return
            fresh = [row for row in fresh if self.filter(row)]
            self._filtered.extend(fresh)
        if not self._sorted:
            self._visible.extend(fresh)
            return
        key_fn = self._sort_key_fn()
        for row in fresh:
            _insort(self._visible, row, key_fn, reverse=self.sort_reverse, before_equals=False)

    def update(
        self,
        rows: Iterable[Row],
        *,
        removed: Iterable[str] = (),
        first: Sequence[str] | None = None,
        track_new: bool = True,
    ) -> set[str]:
        """Merge changed and new rows by key, drop ``removed``; return the keys that are new.

        Why: a live poll changes a handful of rows; rebuilding and re-sorting every loaded row
        each tick froze the UI for seconds at 100k. Here only the given rows are touched: the
        lists are patched with C-speed slices and scans (a changed row is found where it was,
        by identity; sorted, by binary search), never a Python pass over every row.

        ``first``: keys that now lead the source order, in that order (a poll's first page);
        every other row keeps its relative order. Without it a new key goes first and a changed
        row keeps its place.
        """
        self.ensure_index()
        self._filtered  # noqa: B018 - derived (if it is to be) before the rows change
        index = self._index
        assert index is not None
        changed = {row.key: row for row in rows}
        gone = {key for key in removed if key in index and key not in changed}
        if not changed and not gone and first is None:
            return set()
        lead_keys = list(dict.fromkeys(first)) if first is not None else []
        before = {k: index[k] for k in (*changed, *gone, *lead_keys) if k in index}
        added = [key for key in changed if key not in before]
        index.update(changed)
        self.search.add(changed.values())
        for key in gone:
            del index[key]
        if first is not None:
            lead = [index[key] for key in lead_keys if key in index]
            lead_set = {row.key for row in lead}
            lead += [changed[key] for key in added if key not in lead_set]
        else:
            lead = [changed[key] for key in added]
        lead_set = {row.key for row in lead}
        moved = [before[key] for key in lead_set if key in before]
        mirror = self._visible_mirrors()
        dropped = [before[key] for key in gone]
        in_place = {
            key: row for key, row in changed.items() if key in before and key not in lead_set
        }
        _splice(self._rows, lead, moved + dropped, before, in_place)
        self._version += 1
        if gone:
            self.new_keys.difference_update(gone)
            self.highlighted.difference_update(gone)
        if track_new:
            self.new_keys.update(added)
        self._patch_views(lead, moved + dropped, before, in_place, changed, gone, mirror)
        return set(added)

    def _visible_mirrors(self) -> bool:
        """Whether the visible list holds the source rows (or, filtered, the filtered ones) in
        their order: unsorted, with the filter it was computed for (then a patch of those
        applies to it as well)."""
        if self._sorted or self._visible_filter is not self.filter:
            return False
        source = self._rows if self.filter is None else self._filtered
        return source is not self._visible and len(source) == len(self._visible)

    def _recomputed_instead(self) -> bool:
        """Drop the derived caches; when the filter was swapped without a recompute, recompute
        (a patch would test rows against the wrong predicate) and say so."""
        self._positions = None
        self._sorted_all = None
        if self._visible_filter is not self.filter:
            self.recompute()
            return True
        return False

    def _patch_views(
        self,
        lead: list[Row],
        out: list[Row],
        before: Mapping[str, Row],
        in_place: Mapping[str, Row],
        changed: Mapping[str, Row],
        gone: set[str],
        mirror: bool,
    ) -> None:
        """The filtered and visible lists after `update`, patched like the rows were (in place).
        ``mirror``: the visible list was the source (or filtered) rows before, unsorted."""
        if self._recomputed_instead():
            return
        predicate = self.filter
        unsorted = not self._sorted
        if predicate is None:
            shown_before: Callable[[Row], bool] = lambda row: True  # noqa: E731
            passes: Callable[[Row], bool] = shown_before
            if unsorted:
                if mirror:
                    _splice(self._visible, lead, out, before, in_place)
                else:
                    self._visible = list(self._rows)
                return
        else:
            shown_before = passes = predicate
            flips = [
                key
                for key, row in in_place.items()
                if not shown_before(before[key]) and passes(row)
            ]
            if flips:  # a row elsewhere starts to pass: its place needs the source order
                self._filtered = [row for row in self._rows if predicate(row)]
                mirror = False
            else:
                stays = {
                    key: row
                    for key, row in in_place.items()
                    if shown_before(before[key]) and passes(row)
                }
                leaves = [before[key] for key, row in in_place.items() if key not in stays]
                patch = (
                    [row for row in lead if passes(row)],
                    [row for row in out + leaves if shown_before(row)],
                    before,
                    stays,
                )
                _splice(self._filtered, *patch)
                if mirror:
                    _splice(self._visible, *patch)
            if unsorted:
                if not mirror:
                    self._visible = list(self._filtered)
                return
        key_fn = self._sort_key_fn()
        reverse = self.sort_reverse
        visible = self._visible
        for key in (*changed, *gone):
            old = before.get(key)
            if old is not None and shown_before(old):
                _remove_sorted(visible, old, key_fn, reverse=reverse)
        newcomers = [row for row in changed.values() if passes(row)]
        newcomers.reverse()  # each goes before its equals: the first ends up first
        for row in newcomers:
            _insort(visible, row, key_fn, reverse=reverse, before_equals=True)

    # -- search text ---------------------------------------------------------------------------

    def seal_search(self, limit: int | None = None) -> int:
        """Index up to `limit` rows' search text (a slice of idle time); return how many are
        left. Rows that left the table are dropped from it once they are as many as the rows."""
        left = self.search.seal(limit)
        if not left and self.search.stored > 2 * max(len(self._rows), 512):
            self.ensure_index()
            index = self._index or {}
            self.search.compact(lambda row: index.get(row.key) is row)
        return left

    def prime_filter(self, chunks: int | None = None) -> bool:
        """Get a text filter's lines ready: seal pending search text, then align a line to each
        row (up to `chunks` chunks of work; None: all of it now). True when done for these rows."""
        if self.search.pending:
            self.seal_search(None if chunks is None else chunks * CHUNK)
            if chunks is not None:
                return False
        if chunks is None:
            chunks = self.search.chunk_count
        key = self._lines_key()
        if self._lines.done(key):
            return True
        return self._lines.prime(self.search, self._view_order(), key, chunks)

    @property
    def filter_primed(self) -> bool:
        """Whether `prime_filter` has nothing left to do for the rows as they are."""
        return not self.search.pending and self._lines.done(self._lines_key())

    def _lines_key(self) -> tuple[Any, ...]:
        """What the aligned lines are valid for: this version of the rows, in this order."""
        return (self._version, self.sort_column, self.sort_reverse, self.sort_key)

    def _view_order(self) -> list[Row]:
        """Every row in the order a full sort shows them (a patched sorted view can order ties
        otherwise), or in source order."""
        if not self._sorted:
            return self._rows
        if self._sorted_all is None:
            key_fn = self._sort_key_fn()
            self._sorted_all = sorted(self._rows, key=key_fn, reverse=self.sort_reverse)
        return self._sorted_all

    def release_filter(self) -> None:
        """The filter is done with: drop the kept results and the aligned lines (memory)."""
        self.search.forget()
        self._lines.clear()

    # -- view ----------------------------------------------------------------------------------

    @property
    def _sorted(self) -> bool:
        return self.sort_column is not None or self.sort_key is not None

    def recompute(self) -> None:
        """Filter and sort every row (a data or sort change the patches below do not cover)."""
        if isinstance(self.filter, TextFilter) and self._lines.ready(self._lines_key()):
            self._filter_by_lines(self.filter, None)  # in the view's order already
            return
        self._sorted_all = None
        rows: list[Row] = self._rows
        if isinstance(self.filter, TextFilter):
            rows = self.filter.scan_with(self.search, rows)
        elif self.filter is not None:
            rows = [row for row in rows if self.filter(row)]
        self._filtered = rows if self.filter is not None else []
        self._visible_filter = self.filter
        if self._sorted:
            rows = sorted(rows, key=self._sort_key_fn(), reverse=self.sort_reverse)
            if self.filter is None:
                self._sorted_all = rows
        self._visible = list(rows)
        self._positions = None

    def set_filter(self, predicate: RowPredicate | None) -> None:
        """Filter the rows; a `TextFilter` that narrows the current one (typing forwards) scans
        only the rows shown now, and a sorted view is filtered in its order (no re-sort)."""
        previous = self._visible_filter
        stale = self.filter is not previous  # `filter` was assigned without a recompute
        self.filter = predicate
        if predicate is None:
            self.search.forget()
            self._matches = None
        if not isinstance(predicate, TextFilter) or stale:
            self.recompute()
            return
        if self._lines.ready(self._lines_key()):
            self._filter_by_lines(predicate, previous)
            return
        store = self.search
        if predicate.narrows(previous):
            matches = store.matching(predicate.words)
            last = self._matches if previous is not None else None
            if last is not None and matches.same_rows(last):  # e.g. "er" after "e"
                self._matches = matches
                self._visible_filter = predicate
                return
            before = self._filtered if previous is not None else self._rows
            self._filtered = predicate.scan_with(store, before)
            # unsorted, the visible rows are the filtered ones: one scan
            visible = predicate.scan_with(store, self._visible) if self._sorted else self._filtered
        else:
            self._filtered = predicate.scan_with(store, self._rows)
            visible = self._filtered
            if self._sorted:
                if self._sorted_all is None:
                    key_fn = self._sort_key_fn()
                    self._sorted_all = sorted(self._rows, key=key_fn, reverse=self.sort_reverse)
                visible = predicate.scan_with(store, self._sorted_all)
        self._visible_filter = predicate
        self._visible = list(visible)
        self._positions = None
        self._matches = store.matching(predicate.words)

    def _filter_by_lines(self, predicate: TextFilter, previous: RowPredicate | None) -> None:
        """Filter with the lines aligned to the view's order: the matches come out in the order
        shown (sorted or not), so a key costs a test per line of the rows shown before."""
        rows, _ = self._lines.matching(predicate.words)
        narrows = previous is not None and predicate.narrows(previous)
        self._visible_filter = predicate
        self._matches = None
        if narrows and len(rows) == len(self._visible):
            return  # a narrowing keeps a subset: as many rows are the same rows (e.g. "er", "e")
        self._visible = list(rows)
        self._positions = None
        # sorted, the source-order list is derived when a change needs it (`_filtered`)
        self._filtered_rows = None if self._sorted else list(rows)

    def _patch_visible(self, changed: Mapping[str, Row], gone: set[str], *, at_front: bool) -> None:
        """Bring the visible list up to date after ``changed`` rows (new or newer) and ``gone``
        keys, touching only them: a filter tests only the changed rows, a sort re-inserts them
        by binary search. Unsorted, the visible rows follow the source order (one pass)."""
        if self._recomputed_instead():
            return
        predicate = self.filter
        if predicate is None:
            passing: set[str] | None = None
        else:
            touched = changed.keys() | gone
            kept = [row for row in self._filtered if row.key not in touched]
            fresh = {key: row for key, row in changed.items() if predicate(row)}
            passing = {row.key for row in kept} | fresh.keys()
            self._filtered = [row for row in self._rows if row.key in passing]
        if not self._sorted:
            if passing is None:
                self._visible = list(self._rows)
            else:
                self._visible = list(self._filtered)
            return
        touched = changed.keys() | gone
        visible = [row for row in self._visible if row.key not in touched]
        newcomers = [row for key, row in changed.items() if passing is None or key in passing]
        key_fn = self._sort_key_fn()
        if at_front:
            newcomers.reverse()  # each goes before its equals: the first ends up first
        for row in newcomers:
            _insort(visible, row, key_fn, reverse=self.sort_reverse, before_equals=at_front)
        self._visible = visible

    def _sort_key_fn(self) -> Callable[[Row], Any]:
        if self.sort_key is not None:
            return self.sort_key
        column = self.sort_column or ""

        def key(row: Row) -> tuple[bool, Any]:
            value = row.sort_value(column)
            return (value is None, value)

        return key

    def position(self, key: str | None) -> int | None:
        """Index of ``key`` in the visible rows, or None when it is filtered out or unknown.

        One lookup scans the list (cheaper than building a 100k-entry dict for it); `positions`
        builds the dict for many lookups.
        """
        if key is None:
            return None
        if self._positions is not None:
            return self._positions.get(key)
        row = self._index.get(key) if self._index is not None else None
        if row is not None:  # by identity: a C-speed scan (a filter key keeps the cursor's row)
            with contextlib.suppress(ValueError):
                return self._visible.index(row)
            return None
        for index, row in enumerate(self._visible):
            if row.key == key:
                return index
        return None

    def count_above(self, keys: Iterable[str], stop: int) -> int:
        """How many of `keys` are among the first `stop` visible rows, without listing them:
        a row is found by binary search on its sort value (sorted), or by a scan that stops
        at it (unsorted: new rows lead the list); a row the filter hides is not looked for."""
        if stop <= 0:
            return 0
        if self._positions is not None:
            positions = self._positions
            return sum(1 for key in keys if positions.get(key, stop) < stop)
        self.ensure_index()
        index = self._index or {}
        visible, shows = self._visible, self._visible_filter
        key_fn = self._sort_key_fn() if self._sorted else None
        count = 0
        for key in keys:
            row = index.get(key)
            if row is None or (shows is not None and not shows(row)):
                continue
            if key_fn is not None:
                at = _find_sorted(visible, row, key_fn, reverse=self.sort_reverse)
                if at is not None:
                    count += at < stop
                    continue
            with contextlib.suppress(ValueError):
                visible.index(row, 0, stop)
                count += 1
        return count

    def positions(self) -> dict[str, int]:
        if self._positions is None:
            self._positions = {row.key: index for index, row in enumerate(self._visible)}
        return self._positions

    # -- marks ---------------------------------------------------------------------------------

    def mark(self, keys: Iterable[str]) -> bool:
        before = len(self.marks)
        self.marks.update(dict.fromkeys(keys))
        return len(self.marks) != before

    def unmark(self, keys: Iterable[str]) -> bool:
        before = len(self.marks)
        for key in keys:
            self.marks.pop(key, None)
        return len(self.marks) != before

    def mark_range(self, start: int, end: int) -> bool:
        low, high = sorted((start, end))
        return self.mark(row.key for row in self._visible[max(low, 0) : high + 1])

    def prune_marks(self) -> list[str]:
        """Drop marks whose key is no longer among the rows; return them."""
        self.ensure_index()
        index = self._index or {}
        gone = [key for key in self.marks if key not in index]
        for key in gone:
            del self.marks[key]
        return gone

    def visible_marked_count(self) -> int:
        if not self.marks:
            return 0
        if self.filter is None:  # every row is visible: no positions dict (a tick drops it)
            self.ensure_index()
            index = self._index or {}
            return sum(1 for key in self.marks if key in index)
        positions = self.positions()
        return sum(1 for key in self.marks if key in positions)


#: rows to take out are looked for this deep (plus a few per row), with C-speed scans; deeper
#: ones are deleted one by one (a memmove each), or with one pass when there are many
NEAR = 4096
#: more deep rows to take out than this: one pass over the list instead
DEEP_ONE_BY_ONE = 32


def _splice(
    rows: list[Row],
    lead: list[Row],
    out: list[Row],
    before: Mapping[str, Row],
    in_place: Mapping[str, Row],
) -> None:
    """Make ``rows`` (in place) ``lead`` first, then ``rows`` without the ``out`` rows, with the
    ``in_place`` rows swapped in where their old version (``before``) was.

    Why in place: a poll tick's rows lead a 100k-item list; a new list per tick cost a full copy
    and (being new) garbage-collector passes over it in later frames, and deleting row by row
    near the front moved the whole tail each time. Here rows are found by identity with scans
    that stop at the match, and only the prefix up to the deepest of them is rebuilt."""
    for key, row in in_place.items():
        with contextlib.suppress(ValueError):
            rows[rows.index(before[key])] = row
    if not out:
        if lead:
            rows[0:0] = lead
        return
    window = NEAR + 4 * len(out)
    near: list[int] = []
    deep: list[Row] = []
    for row in out:
        try:
            near.append(rows.index(row, 0, window))
        except ValueError:
            deep.append(row)
    if len(deep) > DEEP_ONE_BY_ONE:  # e.g. a bulk outcome far down the list: one pass
        gone = set(out)
        rows[:] = [*lead, *(row for row in rows if row not in gone)]
        return
    for at in sorted((i for row in deep for i in _found(rows, row, window)), reverse=True):
        del rows[at]
    end = max(near) + 1 if near else 0
    gone = {rows[at] for at in near}
    rows[:end] = [*lead, *(row for row in rows[:end] if row not in gone)]


def _found(rows: list[Row], row: Row, start: int) -> list[int]:
    """Where ``row`` is in ``rows`` from ``start`` on (by identity), as a list of at most one."""
    with contextlib.suppress(ValueError):
        return [rows.index(row, start)]
    return []


def _remove_sorted(
    rows: list[Row], row: Row, key_fn: Callable[[Row], Any], *, reverse: bool
) -> None:
    """Remove ``row`` (by identity) from ``rows`` sorted by ``key_fn``: binary search to its
    equals, then a scan among them."""
    at = _find_sorted(rows, row, key_fn, reverse=reverse)
    if at is not None:
        del rows[at]
        return
    with contextlib.suppress(ValueError):
        rows.remove(row)  # not where its key says (e.g. a key that compares oddly)


def _find_sorted(
    rows: list[Row], row: Row, key_fn: Callable[[Row], Any], *, reverse: bool
) -> int | None:
    """Where ``row`` (by identity) is in ``rows`` sorted by ``key_fn``: binary search to its
    equals, then a scan among them; None when it is not there."""
    value = key_fn(row)
    low, high = 0, len(rows)
    while low < high:
        mid = (low + high) // 2
        other = key_fn(rows[mid])
        if (other > value) if reverse else (other < value):
            low = mid + 1
        else:
            high = mid
    for index in range(low, len(rows)):
        candidate = rows[index]
        if candidate is row:
            return index
        if key_fn(candidate) != value:
            break
    return None


def _insort(
    rows: list[Row],
    row: Row,
    key_fn: Callable[[Row], Any],
    *,
    reverse: bool,
    before_equals: bool,
) -> None:
    """Insert ``row`` into ``rows`` (sorted by ``key_fn``, descending with ``reverse``) where a
    stable sort would put it: before rows with an equal key, or after them."""
    value = key_fn(row)
    low, high = 0, len(rows)
    while low < high:
        mid = (low + high) // 2
        other = key_fn(rows[mid])
        if reverse:
            goes_after = other > value or (other == value and not before_equals)
        else:
            goes_after = other < value or (other == value and not before_equals)
        if goes_after:
            low = mid + 1
        else:
            high = mid
    rows.insert(low, row)


def layout_columns(
    columns: Iterable[Column], width: int, *, gutter: int = 2, gap: int = 1
) -> list[tuple[Column, int]]:
    """Width of each shown column for a table ``width`` cells wide — from the spec alone.

    Why: measuring every row's content is O(rows) per resize (what makes `DataTable` slow); widths
    come from the column spec and the terminal width only. Each column is preceded by ``gap`` blank
    cells, the line by a ``gutter`` (cursor and mark glyphs). Spare cells go to ``ratio`` columns
    in proportion.
    """
    shown = [column for column in columns if width >= column.hide_below]
    widths = [column.width if column.width is not None else column.min_width for column in shown]
    spare = width - gutter - sum(widths) - gap * len(shown)
    flexible = [i for i, column in enumerate(shown) if column.width is None and column.ratio > 0]
    if spare > 0 and flexible:
        total_ratio = sum(shown[i].ratio for i in flexible)
        given = 0
        for i in flexible:
            share = spare * shown[i].ratio // total_ratio
            widths[i] += share
            given += share
        for i in flexible[: spare - given]:
            widths[i] += 1
    return list(zip(shown, widths, strict=True))
