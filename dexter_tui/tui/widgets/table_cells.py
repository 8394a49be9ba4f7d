"""Fitting `Text` cells into fixed-width columns as segments, for `FastTable` rows and header.

Why separate and hand-rolled: this runs for every cell of every line drawn, so the common cell
(one style, no spans) takes a string-slicing fast path instead of copying and measuring `Text`
objects, and runs of unstyled text are merged so fewer segments need styling.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.cells import cell_len, set_cell_size
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

from dexter_tui.tui.safe_text import clean_str
from dexter_tui.tui.widgets.table_model import Align

__all__ = ["LineBuilder", "append_cell", "with_sort_glyph"]


class LineBuilder:
    """Collects one line's segments, merging runs of unstyled text (fewer segments to style)."""

    __slots__ = ("pending", "segments")

    def __init__(self, text: str = "") -> None:
        self.segments: list[Segment] = []
        self.pending = text

    def text(self, text: str, style: Style | None = None) -> None:
        if style:
            if self.pending:
                self.segments.append(Segment(self.pending))
                self.pending = ""
            self.segments.append(Segment(text, style))
        else:
            self.pending += text

    def extend(self, segments: Iterable[Segment]) -> None:
        for text, style, _ in segments:
            self.text(text, style)

    def finish(self) -> list[Segment]:
        if self.pending:
            self.segments.append(Segment(self.pending))
            self.pending = ""
        return self.segments


def with_sort_glyph(label: str, glyph: str, width: int, align: Align) -> str:
    """Header label with the sort arrow, which is never the part cut off in a narrow column.

    The arrow goes on the side the column is aligned away from (left of right-aligned numbers).
    """
    right = align == "right"
    if cell_len(label) + 2 <= width:
        return f"{glyph} {label}" if right else f"{label} {glyph}"
    label = set_cell_size(label, max(0, width - 1)).rstrip()
    return glyph + label if right else label + glyph


def append_cell(
    line: LineBuilder, cell: Text | None, width: int, align: Align, console: Console
) -> None:
    """Append ``cell`` cut (with …) or padded to exactly ``width`` cells.

    Fast path for the common cell (no spans): plain string slicing, no `Text` copies. Control
    characters that reached here without `safe_text` are made visible (defence in depth).
    """
    if cell is None:
        line.text(" " * width)
        return
    plain = cell.plain
    if not plain.isprintable():
        cell = Text(clean_str(plain), style=cell.style, end="")
        plain = cell.plain
    ascii_only = plain.isascii()
    length = len(plain) if ascii_only else cell_len(plain)
    spans = cell.spans
    if length > width:
        if spans:
            cell = cell.copy()
            cell.truncate(width, overflow="ellipsis")
            plain = cell.plain
        elif width > 0:
            cut = plain[: width - 1] if ascii_only else set_cell_size(plain, width - 1).rstrip()
            plain = cut + "…"
        else:
            plain = ""
        length = cell_len(plain)
    pad = width - length
    left = 0 if align == "left" else pad if align == "right" else pad // 2
    if left > 0:
        line.text(" " * left)
    if spans:
        line.extend(cell.render(console))
    elif plain:
        style = cell.style
        if isinstance(style, str):
            style = console.get_style(style, default=Style.null()) if style else None
        line.text(plain, style)
    if pad - left > 0:
        line.text(" " * (pad - left))
