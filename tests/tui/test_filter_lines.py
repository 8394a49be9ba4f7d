"""The filter's lines in the table's order (`FilterLines`): what a typed filter finds is exactly
what a full scan of every row finds, typing forwards and back, and a word that keeps every row
costs no copy of the rows."""

from __future__ import annotations

from itertools import product

from dexter_tui.tui.widgets.filter_lines import FilterLines
from dexter_tui.tui.widgets.search_store import SearchStore
from dexter_tui.tui.widgets.table_model import Row

TEXTS = [
    "api-1 typeerror: unsupported operand",
    "api-2 keyerror: 'user_id' in checkout",
    "worker-3 deadlock detected",
    "worker-4 operationalerror: no such column",
    "api-5 timeout while waiting for lock",
]


def _primed(rows: list[Row]) -> FilterLines:
    store = SearchStore()
    store.add(rows)
    store.seal()
    lines = FilterLines()
    assert lines.prime(store, rows, version=1, chunks=store.chunk_count)
    return lines


def _scan(rows: list[Row], words: tuple[str, ...]) -> list[Row]:
    return [row for row in rows if all(w in row.search for w in words)]


def test_typed_forwards_and_back_it_finds_what_a_full_scan_finds() -> None:
    rows = [Row(key=str(i), cells={}, search=text) for i, text in enumerate(TEXTS * 3)]
    lines = _primed(rows)
    typed = ["e", "er", "err", "erro", "error", "error ", "error c", "error co", "error c", "e"]
    for text in [*typed, "l", "lo", "loc", "lock", "lock d", "x", "lock"]:
        words = tuple(text.split())
        found, found_lines = lines.matching(words)
        assert found == _scan(rows, words), text
        assert found_lines == [row.search for row in found]
    for a, b in product(["e", "er", "o", "ck", "api"], repeat=2):  # any order of any words
        assert lines.matching((a, b))[0] == _scan(rows, (a, b))


def test_a_word_that_keeps_every_row_copies_nothing() -> None:
    rows = [Row(key=str(i), cells={}, search=text) for i, text in enumerate(TEXTS)]
    lines = _primed(rows)
    every, _ = lines.matching(("r",))  # in every text
    assert every == rows
    assert lines.matching(("er",))[0] == _scan(rows, ("er",))
    err, _ = lines.matching(("err",))
    erro, _ = lines.matching(("erro",))
    assert err == _scan(rows, ("err",))
    assert erro is err  # "erro" keeps every row "err" had: the same list, not a copy
    assert len(err) < len(rows)
    assert every == rows  # the kept results are never changed in place
