"""Block-character sparklines for table cells (the issue list's trend column).

Why a function and not Textual's `Sparkline` widget: a table cell needs a `Text` of a fixed width
that the line-API table can cache, not a widget per row. Bars are glyph heights, so the shape reads
the same in a 16-colour terminal or with no colour at all; the optional style is decoration only.

Scale: a zero bucket is ``▁`` and any non-zero bucket is at least ``▂``, so "no events" and "a few
events" never look alike; the largest bucket is ``█``. An empty series gives blanks of the
requested width.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.style import Style
from rich.text import Text

__all__ = ["BARS", "resample", "sparkline"]

BARS = "▁▂▃▄▅▆▇█"


def resample(values: Sequence[float], width: int) -> list[float]:
    """Fit ``values`` into ``width`` buckets.

    Shrinking sums neighbouring values (they are counts per interval, so a wider bucket holds their
    total); growing repeats each value (nearest neighbour), keeping the shape left to right.
    """
    count = len(values)
    if width <= 0 or count == 0:
        return []
    if count == width:
        return [float(v) for v in values]
    if count > width:
        buckets = [0.0] * width
        for index, value in enumerate(values):
            buckets[index * width // count] += float(value)
        return buckets
    return [float(values[index * count // width]) for index in range(width)]


def sparkline(values: Sequence[float], width: int, style: str | Style = "") -> Text:
    """Return a `Text` of exactly ``width`` cells drawing ``values`` as bars."""
    if width <= 0:
        return Text("", end="")
    buckets = resample(values, width)
    if not buckets:
        return Text(" " * width, style=style, end="")
    peak = max(buckets)
    top = len(BARS) - 1
    chars = []
    for value in buckets:
        if value <= 0 or peak <= 0:
            chars.append(BARS[0])
        else:
            chars.append(BARS[max(1, round(value / peak * top))])
    return Text("".join(chars), style=style, no_wrap=True, end="")
