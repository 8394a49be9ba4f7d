"""Cell helpers: untrusted text stays inert (`safe_text`), trends draw as bars (`sparkline`),
and column widths come from the spec and the terminal width (`layout_columns`)."""

from __future__ import annotations

import pytest
from rich.console import Console

from dexter_tui.tui.safe_text import clean_str, safe_text
from dexter_tui.tui.widgets.sparkline import resample, sparkline
from dexter_tui.tui.widgets.table_model import Column, layout_columns


def test_markup_is_kept_as_characters() -> None:
    text = safe_text("[bold red]x[/]")
    assert text.plain == "[bold red]x[/]"
    assert text.spans == []
    console = Console(width=40, color_system="truecolor", force_terminal=True)
    with console.capture() as captured:
        console.print(text)
    assert "[bold red]x[/]" in captured.get()
    assert "\x1b[1" not in captured.get()  # not bold


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[31mred\x1b[0m", "␛[31mred␛[0m"),
        ("\x1b]8;;http://evil\x07click\x1b]8;;\x07", "␛]8;;http://evil␇click␛]8;;␇"),
        ("a\x00b\x7fc", "a␀b␡c"),
        ("csi\x9b31m", "csi\ufffd31m"),
        ("line1\nline2\r\nline3\rline4", "line1⏎line2⏎line3⏎line4"),
        ("tab\there", "tab here"),
        ("user\u202egnp.exe", "usergnp.exe"),
        ("plain ünïcode ✓", "plain ünïcode ✓"),
    ],
)
def test_control_characters_become_visible_or_go(raw: str, shown: str) -> None:
    assert clean_str(raw) == shown
    assert safe_text(raw).plain == shown


def test_multiline_keeps_line_breaks_and_expands_tabs() -> None:
    assert clean_str("a\r\nb\rc\n\td\x1b", multiline=True) == "a\nb\nc\n    d␛"


def test_non_strings_and_none() -> None:
    assert safe_text(None).plain == ""
    assert safe_text(42).plain == "42"
    assert safe_text("x", "bold").style == "bold"


def test_sparkline_width_and_scale() -> None:
    line = sparkline([0, 1, 50, 100], 4)
    assert line.plain == "▁▂▅█"
    assert sparkline([0, 0, 0], 3).plain == "▁▁▁"
    assert sparkline([], 5).plain == "     "
    assert sparkline([3], 0).plain == ""
    for width in (1, 5, 10, 24, 40):
        assert len(sparkline(list(range(24)), width).plain) == width


def test_resample_sums_when_shrinking_and_repeats_when_growing() -> None:
    assert resample([1, 2, 3, 4], 2) == [3.0, 7.0]
    assert sum(resample(list(range(24)), 7)) == sum(range(24))
    assert resample([1, 5], 4) == [1.0, 1.0, 5.0, 5.0]


COLUMNS = [
    Column("level", "LVL", width=3),
    Column("title", "TITLE", min_width=10, ratio=2),
    Column("culprit", "CULPRIT", min_width=10, ratio=1, hide_below=100),
    Column("events", "EVENTS", width=6, align="right"),
]


@pytest.mark.parametrize("width", [60, 80, 99, 100, 120, 200])
def test_layout_fills_width_and_hides_narrow_columns(width: int) -> None:
    layout = layout_columns(COLUMNS, width, gutter=2)
    keys = [column.key for column, _ in layout]
    assert ("culprit" in keys) == (width >= 100)
    assert 2 + sum(w + 1 for _, w in layout) == width
    widths = {column.key: w for column, w in layout}
    assert widths["level"] == 3
    assert widths["events"] == 6


def test_layout_never_shrinks_below_minimums() -> None:
    layout = layout_columns(COLUMNS, 20, gutter=2)
    assert {c.key: w for c, w in layout} == {"level": 3, "title": 10, "events": 6}
