"""The block-character charts: shape without colour, scaling to the width, comparison marks."""

from __future__ import annotations

from dexter_tui.tui.widgets.bar_chart import (
    EIGHTHS,
    column_chart,
    column_heights,
    hbar,
    render_chart,
)


def test_columns_scale_to_the_tallest_and_keep_small_values_visible() -> None:
    lines = column_chart([0, 1, 8, 100], 4, 2)
    assert len(lines) == 2
    assert all(len(line) == 4 for line in lines)
    top, bottom = lines
    assert top[3] == "█"
    assert bottom[3] == "█"
    assert bottom[0] == " "  # zero stays empty
    assert bottom[1] == EIGHTHS[1]  # tiny but non-zero: at least one eighth
    assert top[1] == " "


def test_resampling_sums_buckets_when_narrower() -> None:
    heights = column_heights([1, 1, 1, 1, 4, 0], 3, 1)
    assert heights == [4, 4, 8]  # pairs summed: 2, 2, 4 → eighths of the tallest


def test_hbar_is_proportional_with_eighths() -> None:
    assert hbar(10, 10, 5) == "█████"
    assert hbar(5, 10, 5) == "██▌  "
    assert hbar(0, 10, 5) == "     "
    assert hbar(0.01, 10, 5)[0] == "▏"


def test_previous_period_marks_and_off_scale_arrow() -> None:
    # 11 plot cells: values [2, 4, 1] and the previous period [3, 1, 8], each repeated to fit
    text = render_chart([2, 4, 1], 14, 4, compare=[3, 1, 8], axis=("a", "", "now"))
    lines = text.plain.split("\n")
    assert len(lines) == 4
    assert all(len(line) == 14 for line in lines)
    top, middle, _bottom, axis = lines
    # 3 > 2: a mark above the bar; 1 < 4: hidden by the bar; 8 is off this period's scale: ↑
    assert top == "4 ┤╌╌╌╌████↑↑↑"
    assert "╌" not in middle
    assert axis.rstrip().endswith("now")


def test_empty_chart_says_so() -> None:
    assert "no data" in render_chart([], 30, 4).plain
