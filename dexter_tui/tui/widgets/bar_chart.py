"""Block-character charts: a column chart that fills its widget, and horizontal value bars.

Why block glyphs: heights are shapes, not colours, so the chart reads the same in a 16-colour SSH
terminal, with no colour at all, or for a colour-blind reader; colour is decoration only. Eighth
blocks (``▁``…``█``) give each cell eight steps, so a 8-line chart has 64 levels.

The chart is drawn from `self.size` in `render()`, so a resize redraws it at the new width; values
are resampled to the width (`sparkline.resample`: neighbours summed when shrinking). Any non-zero
bucket shows at least one eighth, so "a few" never looks like "none".
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widget import Widget

from dexter_tui.tui.widgets.sparkline import resample

EIGHTHS = " ▁▂▃▄▅▆▇█"
LEFT_EIGHTHS = " ▏▎▍▌▋▊▉█"

__all__ = ["BarChart", "column_chart", "column_heights", "compact_number", "hbar", "render_chart"]


def compact_number(n: float) -> str:
    """1234 → 1.2k; small numbers as they are."""
    n = round(n)
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if n >= size * 10:
            return f"{n // size}{suffix}"
        if n >= size:
            return f"{n / size:.1f}{suffix}"
    return str(n)


def column_heights(
    values: Sequence[float], width: int, height: int, *, peak: float | None = None
) -> list[int]:
    """Each column's height in eighths of a cell (0..height*8) after resampling to `width`."""
    buckets = resample(values, width) or [0.0] * width
    top = max(buckets) if peak is None else peak
    levels = height * 8
    return [
        0 if value <= 0 or top <= 0 else max(1, min(levels, round(value / top * levels)))
        for value in buckets
    ]


def column_chart(
    values: Sequence[float], width: int, height: int, *, peak: float | None = None
) -> list[str]:
    """`height` lines of exactly `width` cells, top line first, drawing `values` as columns."""
    if width <= 0 or height <= 0:
        return []
    heights = column_heights(values, width, height, peak=peak)
    lines = []
    for row in range(height):
        floor = (height - 1 - row) * 8  # eighths below this line
        chars = [EIGHTHS[max(0, min(8, h - floor))] for h in heights]
        lines.append("".join(chars))
    return lines


def hbar(value: float, peak: float, width: int) -> str:
    """A left-aligned bar of `width` cells for `value` out of `peak` (eighth-cell precision)."""
    if width <= 0:
        return ""
    if peak <= 0 or value <= 0:
        return " " * width
    eighths = max(1, round(value / peak * width * 8))
    full, part = divmod(min(eighths, width * 8), 8)
    bar = "█" * full + (LEFT_EIGHTHS[part] if part else "")
    return bar.ljust(width)


class BarChart(Widget):
    """Columns with a y-axis (peak and 0) and an x-axis of labels under the first/middle/last.

    An optional comparison series (the previous period) is drawn as a dim ``╌`` mark at its
    height wherever it stands above the bar — a different glyph, so it reads without colour. The
    scale is the current series' own peak (a spike last period must not flatten this one); a
    comparison value above the top shows as ``↑`` in the top line.
    An empty or all-zero series says "no data" in the middle rather than drawing nothing.
    """

    COMPARE_GLYPH = "╌"

    DEFAULT_CSS = """
    BarChart { height: 8; }
    """

    def __init__(
        self,
        *,
        style: str = "bold",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.values: list[float] = []
        self.compare: list[float] = []
        self.axis: tuple[str, str, str] = ("", "", "")
        self.bar_style = style
        self.empty_text = "no data"

    def set_data(
        self,
        values: Sequence[float],
        axis: tuple[str, str, str] = ("", "", ""),
        *,
        compare: Sequence[float] = (),
    ) -> None:
        self.values = [float(v) for v in values]
        self.compare = [float(v) for v in compare]
        self.axis = axis
        self.refresh()

    def on_resize(self) -> None:
        self.refresh()

    def render(self) -> Text:
        return render_chart(
            self.values,
            self.size.width,
            self.size.height,
            compare=self.compare,
            axis=self.axis,
            style=self.bar_style,
            empty_text=self.empty_text,
        )


def render_chart(
    values: Sequence[float],
    width: int,
    height: int,
    *,
    compare: Sequence[float] = (),
    axis: tuple[str, str, str] = ("", "", ""),
    style: str = "bold",
    empty_text: str = "no data",
) -> Text:
    """The whole chart (y labels, columns, comparison marks, x axis) as `height` lines."""
    if width < 10 or height < 2:
        return Text("")
    peak = max(values, default=0.0)
    if peak <= 0 and compare:
        peak = max(compare)
    label_width = max(len(compact_number(peak)), 1) + 1
    plot_width = width - label_width - 1
    plot_height = height - 1
    bars = column_heights(values, plot_width, plot_height, peak=peak)
    marks = _uncapped_heights(compare, plot_width, plot_height, peak)
    text = Text(no_wrap=True, end="")
    for n in range(plot_height):
        label = compact_number(peak) if n == 0 else ("0" if n == plot_height - 1 else "")
        text.append(label.rjust(label_width - 1) + " ┤", style="dim")
        floor = (plot_height - 1 - n) * 8
        for bar, mark in zip(bars, marks, strict=False):
            if bar > floor:
                text.append(EIGHTHS[min(8, bar - floor)], style=style)
            elif compare and floor < mark <= floor + 8:
                text.append(BarChart.COMPARE_GLYPH, style="dim")
            elif compare and n == 0 and mark > plot_height * 8:
                text.append("↑", style="dim")
            else:
                text.append(" ")
        text.append("\n")
    if not values or peak <= 0:
        middle = (plot_height - 1) // 2
        note = f" {empty_text} "
        text = _overlay(text, middle, label_width + 1 + max(0, (plot_width - len(note)) // 2), note)
    left, middle, right = axis
    line = " " * (label_width + 1) + _spread(left, middle, right, plot_width)
    text.append(line[:width], style="dim")
    return text


def _uncapped_heights(values: Sequence[float], width: int, height: int, peak: float) -> list[int]:
    """Like `column_heights` but not capped at the top, so off-scale values can be flagged."""
    if peak <= 0:
        return [0] * width
    buckets = resample(values, width) or [0.0] * width
    return [0 if v <= 0 else max(1, round(v / peak * height * 8)) for v in buckets]


def _spread(left: str, middle: str, right: str, width: int) -> str:
    """Three labels at the left edge, the middle and the right edge of `width` cells."""
    line = [" "] * width
    for label, start in (
        (left, 0),
        (middle, (width - len(middle)) // 2),
        (right, width - len(right)),
    ):
        for i, ch in enumerate(label):
            if 0 <= start + i < width:
                line[start + i] = ch
    return "".join(line)


def _overlay(text: Text, line: int, column: int, note: str) -> Text:
    rows = text.plain.split("\n")
    if 0 <= line < len(rows):
        row = rows[line]
        rows[line] = (row[:column] + note + row[column + len(note) :])[: len(row)]
    out = Text(no_wrap=True, end="")
    out.append("\n".join(rows), style="dim")
    return out
