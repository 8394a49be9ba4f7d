"""The data side of `FastTable`: columns, keyed rows, filter, sort and marks — no Textual here.

Why separate: the widget must stay cheap per frame, so everything that is O(rows) happens here,
once per data change (replace, filter, sort), never per keystroke; and these rules (marks keyed by
row key surviving replace/sort/filter, stable keyed replace) are easier to test without a terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from rich.text import Text

__all__ = ["Align", "Column", "Row", "RowPredicate", "TableModel", "layout_columns"]

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
    Rows hash by identity, which is what the widget's strip cache relies on.
    """

    key: str
    cells: CellMap | Callable[[], CellMap]
    dim: bool = False
    sort_values: Mapping[str, Any] | None = None
    data: Any = None

    def get_cells(self) -> CellMap:
        cells = self.cells
        return cells() if callable(cells) else cells

    def sort_value(self, column_key: str) -> Any:
        if self.sort_values is not None and column_key in self.sort_values:
            return self.sort_values[column_key]
        cell = self.get_cells().get(column_key)
        return cell.plain.casefold() if cell is not None else ""


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
        self._index = None
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
        """Add rows at the end (next page); a key already present is updated in place."""
        self.ensure_index()
        index = self._index
        assert index is not None
        appended: list[Row] = []
        replaced = False
        for row in rows:
            if row.key in index:
                replaced = True
            else:
                appended.append(row)
            index[row.key] = row
        if replaced:
            self._rows = list(index.values())
            self.recompute()
            return
        self._rows.extend(appended)
        if self.filter is not None or self.sort_column is not None or self.sort_key is not None:
            self.recompute()
        else:
            self._visible.extend(appended)
            self._positions = None

    # -- view ----------------------------------------------------------------------------------

    def recompute(self) -> None:
        rows: Iterable[Row] = self._rows
        if self.filter is not None:
            rows = filter(self.filter, rows)
        if self.sort_column is not None or self.sort_key is not None:
            rows = sorted(rows, key=self._sort_key_fn(), reverse=self.sort_reverse)
        self._visible = list(rows)
        self._positions = None

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
        for index, row in enumerate(self._visible):
            if row.key == key:
                return index
        return None

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
        positions = self.positions()
        return sum(1 for key in self.marks if key in positions)


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
