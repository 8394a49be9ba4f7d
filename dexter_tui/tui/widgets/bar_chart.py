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

__all__ = ["BarChart", "column_chart", "compact_number", "hbar"]


def compact_number(n: float) -> str:
    """1234 → 1.2k; small numbers as they are."""
    n = round(n)
    for size, suffix in ((1_000_000, "M"), (1_000, "k")):
        if n >= size * 10:
            return f"{n // size}{suffix}"
        if n >= size:
            return f"{n / size:.1f}{suffix}"
    return str(n)


def column_chart(
    values: Sequence[float], width: int, height: int, *, peak: float | None = None
) -> list[str]:
    """`height` lines of exactly `width` cells, top line first, drawing `values` as columns."""
    if width <= 0 or height <= 0:
        return []
    buckets = resample(values, width) or [0.0] * width
    top = max(buckets) if peak is None else peak
    levels = height * 8
    heights = []
    for value in buckets:
        if value <= 0 or top <= 0:
            heights.append(0)
        else:
            heights.append(max(1, min(levels, round(value / top * levels))))
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

    An empty or all-zero series says "no data" in the middle rather than drawing nothing.
    """

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
        self.axis: tuple[str, str, str] = ("", "", "")
        self.bar_style = style
        self.empty_text = "no data"

    def set_data(self, values: Sequence[float], axis: tuple[str, str, str] = ("", "", "")) -> None:
        self.values = [float(v) for v in values]
        self.axis = axis
        self.refresh()

    def on_resize(self) -> None:
        self.refresh()

    def render(self) -> Text:
        width, height = self.size.width, self.size.height
        if width < 10 or height < 2:
            return Text("")
        peak = max(self.values, default=0.0)
        label_width = max(len(compact_number(peak)), 1) + 1
        plot_width = width - label_width - 1
        plot_height = height - 1
        lines = column_chart(self.values, plot_width, plot_height)
        text = Text(no_wrap=True, end="")
        for n, line in enumerate(lines):
            label = compact_number(peak) if n == 0 else ("0" if n == plot_height - 1 else "")
            text.append(label.rjust(label_width - 1) + " ┤", style="dim")
            text.append(line, style=self.bar_style)
            text.append("\n")
        if not self.values or peak <= 0:
            middle = (plot_height - 1) // 2
            note = f" {self.empty_text} "
            text = _overlay(
                text, middle, label_width + 1 + max(0, (plot_width - len(note)) // 2), note
            )
        left, middle, right = self.axis
        axis = " " * (label_width + 1) + _spread(left, middle, right, plot_width)
        text.append(axis[:width], style="dim")
        return text


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
