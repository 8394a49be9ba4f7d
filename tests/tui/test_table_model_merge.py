"""`TableModel`'s incremental paths agree with a full recompute and touch only what changed.

The keyed merge (a poll), the page merge (paging with a sort or filter on) and the narrowing text
filter are shortcuts; each test checks the shortcut against the plain recompute of the same rows.
"""

from __future__ import annotations

import random
from typing import Any

from rich.text import Text

from dexter_tui.tui.widgets.table_model import Row, TableModel, TextFilter

WORDS = ["alpha", "beta", "gamma", "delta", "deadlock", "timeout", "keyerror", "api", "db"]


def make_row(n: int, value: float, words: str, version: int = 0) -> Row:
    return Row(
        key=f"k{n}",
        cells={"title": Text(words)},
        sort_values={"events": value},
        data=version,
        search=f"api-{n} {words}".casefold(),
    )


def rows_for(rng: random.Random, keys: list[int], version: int = 0) -> list[Row]:
    return [make_row(n, rng.random(), " ".join(rng.sample(WORDS, 3)), version) for n in keys]


def full(rows: list[Row], flt: Any, sort: bool, reverse: bool) -> list[str]:
    """What a from-scratch recompute shows for these rows (the reference)."""
    model = TableModel()
    model.replace(rows, track_new=False)
    model.filter = flt
    model.sort_column = "events" if sort else None
    model.sort_reverse = reverse
    model.recompute()
    return [row.key for row in model.visible]


def model_with(rows: list[Row], flt: Any, sort: bool, reverse: bool) -> TableModel:
    model = TableModel()
    model.replace(rows, track_new=False)
    model.sort_column = "events" if sort else None
    model.sort_reverse = reverse
    model.recompute()
    model.set_filter(flt)
    return model


def test_merge_equals_a_full_recompute_with_and_without_filter_and_sort() -> None:
    rng = random.Random(7)
    for flt in (None, TextFilter(["a"]), TextFilter(["de", "api"])):
        for sort in (False, True):
            for reverse in (False, True):
                rows = rows_for(rng, list(range(300)))
                model = model_with(rows, flt, sort, reverse)
                source = {row.key: row for row in rows}
                order = [row.key for row in rows]
                next_key = 300
                for _ in range(20):
                    changed = rows_for(rng, rng.sample(range(next_key), 5), version=1)
                    changed = [row for row in changed if row.key in source]
                    new = rows_for(rng, list(range(next_key, next_key + 3)))
                    next_key += 3
                    changed_keys = {row.key for row in changed}
                    gone = rng.sample([k for k in order if k not in changed_keys], 2)
                    for row in new + changed:
                        source[row.key] = row
                    for key in gone:
                        source.pop(key)
                    order = [row.key for row in new] + [k for k in order if k not in gone]
                    model.update(new + changed, removed=gone)
                    expected = full([source[k] for k in order], flt, sort, reverse)
                    assert [row.key for row in model.visible] == expected
                    assert [row.key for row in model.rows()] == order


def test_a_first_page_that_moved_leads_and_the_rest_keeps_its_order() -> None:
    rng = random.Random(3)
    for flt in (None, TextFilter(["a"])):
        for sort in (False, True):
            rows = rows_for(rng, list(range(500)))
            model = model_with(rows, flt, sort, False)
            source = {row.key: row for row in rows}
            order = [row.key for row in rows]
            for serial in range(10):
                # a poll: some deep rows moved up, some changed, one new, one gone
                first = rng.sample(order[:40], 5) + rng.sample(order[40:], 3)
                changed = rows_for(rng, [int(k[1:]) for k in first[:4]], version=serial + 1)
                new = rows_for(rng, [10_000 + serial])
                first = [new[0].key, *first]
                gone = [next(k for k in reversed(order) if k not in first)]
                for row in new + changed:
                    source[row.key] = row
                source.pop(gone[0])
                order = first + [k for k in order if k not in first and k not in gone]
                model.update(new + changed, removed=gone, first=first)
                assert [row.key for row in model.rows()] == order
                expected = full([source[k] for k in order], flt, sort, False)
                if sort:  # ties aside, the same rows in the same sort order
                    assert sorted(r.key for r in model.visible) == sorted(expected)
                    values = [r.sort_value("events") for r in model.visible]
                    assert values == sorted(values)
                else:
                    assert [row.key for row in model.visible] == expected
            assert model.get(first[1]) is not None


def test_merge_touches_only_the_changed_rows() -> None:
    rng = random.Random(1)
    rows = rows_for(rng, list(range(1000)))
    calls: list[str] = []

    def spy(row: Row) -> bool:
        calls.append(row.key)
        return "a" in row.search

    model = TableModel()
    model.replace(rows, track_new=False)
    model.sort_column = "events"
    model.set_filter(spy)
    before = {row.key: row for row in model.visible}
    calls.clear()
    changed = rows_for(rng, [10, 20, 30], version=1)
    added = model.update(changed + rows_for(rng, [5000]), removed=["k40"])
    assert added == {"k5000"}
    # only the touched rows (old and new versions) were tested, none of the other 996
    assert set(calls) == {"k10", "k20", "k30", "k40", "k5000"}
    assert len(calls) <= 20
    after = {row.key: row for row in model.visible}
    untouched = set(before) - {"k10", "k20", "k30", "k40"}
    assert all(after[key] is before[key] for key in untouched)
    assert "k40" not in after
    assert model.new_keys == {"k5000"}


def test_a_tick_with_nothing_new_changes_nothing() -> None:
    rng = random.Random(2)
    model = model_with(rows_for(rng, list(range(100))), TextFilter(["a"]), True, False)
    visible = model.visible
    assert model.update([]) == set()
    assert model.visible is visible


def test_paging_merges_in_order_under_sort_and_filter() -> None:
    rng = random.Random(11)
    for flt in (None, TextFilter(["e"])):
        for reverse in (False, True):
            pages = [rows_for(rng, list(range(p * 50, p * 50 + 50))) for p in range(8)]
            model = model_with(pages[0], flt, True, reverse)
            loaded = list(pages[0])
            for page in pages[1:]:
                model.append(page)
                loaded += page
                assert [row.key for row in model.visible] == full(loaded, flt, True, reverse)
            # a page that brings a known key updates it in place
            again = rows_for(rng, [3, 420], version=5)
            model.append(again)
            by_key = {row.key: row for row in loaded}
            by_key.update({row.key: row for row in again})
            assert model.get("k3") is again[0]
            now_loaded = [by_key[row.key] for row in loaded] + [again[1]]
            assert [row.key for row in model.visible] == full(now_loaded, flt, True, reverse)


def test_ties_keep_a_stable_sort_order_when_paging() -> None:
    model = TableModel()
    model.replace([make_row(n, 1.0, "x") for n in range(5)], track_new=False)
    model.sort_column = "events"
    model.sort_reverse = True
    model.recompute()
    model.append([make_row(n, 1.0, "x") for n in range(5, 9)])
    assert [row.key for row in model.visible] == [f"k{n}" for n in range(9)]


def test_typing_forwards_narrows_to_what_a_full_scan_finds() -> None:
    rng = random.Random(5)
    rows = rows_for(rng, list(range(2000)))
    for sort in (False, True):
        model = model_with(rows, None, sort, False)
        for needle in ("d", "de", "dea", "dead", "dead a", "dead ap", "dead", "ga", "", "ke"):
            flt = TextFilter(needle.split()) if needle.split() else None
            model.set_filter(flt)
            assert [row.key for row in model.visible] == full(rows, flt, sort, False), needle


def test_text_filter_narrowing_rule() -> None:
    assert TextFilter(["dead"]).narrows(TextFilter(["de"]))
    assert TextFilter(["dead", "x"]).narrows(TextFilter(["dead"]))
    assert not TextFilter(["de"]).narrows(TextFilter(["dead"]))
    assert not TextFilter(["x"]).narrows(TextFilter(["dead"]))
    assert not TextFilter(["x"]).narrows(None)


def test_a_poll_tick_patches_the_lists_in_place_among_10k_rows() -> None:
    """A tick with a first page that moved, 3 changed rows and 2 new ones keeps the source and
    visible lists (no 10k-item list is rebuilt: that cost a copy and GC passes per tick)."""
    rng = random.Random(5)
    for flt in (None, TextFilter(["a"])):
        rows = rows_for(rng, list(range(10_000)))
        model = model_with(rows, flt, False, False)
        source, visible = model._rows, model.visible
        order = [row.key for row in rows]
        first = ["k3", "k1", "k0", "k2", "k9000"]  # one row moved up from deep down
        changed = rows_for(rng, [1, 2, 9000], version=1)
        new = rows_for(rng, [20_000, 20_001])
        first = [new[0].key, new[1].key, *first]
        model.update(new + changed, removed=["k7000"], first=first)
        order = first + [k for k in order if k not in first and k != "k7000"]
        assert model._rows is source
        assert model.visible is visible
        assert [row.key for row in model.rows()] == order
        by_key = {row.key: row for row in rows + new + changed}
        assert [row.key for row in model.visible] == full(
            [by_key[k] for k in order], flt, False, False
        )


def test_in_place_splice_agrees_with_a_rebuild_near_and_deep(monkeypatch: Any) -> None:
    """Rows taken out near the front, one by one deep down, or in one pass when many are deep
    (`NEAR`, `DEEP_ONE_BY_ONE` made small so 300 rows reach every branch)."""
    from dexter_tui.tui.widgets import table_model

    monkeypatch.setattr(table_model, "NEAR", 8)
    monkeypatch.setattr(table_model, "DEEP_ONE_BY_ONE", 2)
    rng = random.Random(9)
    for deep_count in (0, 1, 2, 6):
        for flt in (None, TextFilter(["a"])):
            rows = rows_for(rng, list(range(300)))
            model = model_with(rows, flt, False, False)
            source = {row.key: row for row in rows}
            order = [row.key for row in rows]
            for serial in range(5):
                deep = rng.sample(order[50:], deep_count)
                first = rng.sample(order[:10], 3) + deep[: deep_count // 2]
                gone = [k for k in deep[deep_count // 2 :] if k not in first]
                changed = rows_for(rng, [int(k[1:]) for k in first[:2]], version=serial + 1)
                for row in changed:
                    source[row.key] = row
                for key in gone:
                    source.pop(key)
                order = first + [k for k in order if k not in first and k not in gone]
                model.update(changed, removed=gone, first=first)
                assert [row.key for row in model.rows()] == order
                expected = full([source[k] for k in order], flt, False, False)
                assert [row.key for row in model.visible] == expected


def test_count_above_agrees_with_the_rows_listed() -> None:
    """New rows scrolled out above the screen, counted without listing the rows above."""
    rng = random.Random(4)
    for flt in (None, TextFilter(["a"])):
        for sort in (False, True):
            model = model_with(rows_for(rng, list(range(400))), flt, sort, False)
            model.update(rows_for(rng, [1000, 1001, 1002]))
            keys = ["k1000", "k1001", "k1002", "k5", "k399", "missing"]
            for stop in (0, 1, 2, 3, 50, 400):
                above = {row.key for row in model.visible[:stop]}
                assert model.count_above(keys, stop) == sum(1 for k in keys if k in above)
