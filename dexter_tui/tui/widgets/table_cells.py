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

__all__ = [
    "IdentifierText",
    "LineBuilder",
    "append_cell",
    "identifier_text",
    "middle_ellipsis",
    "with_sort_glyph",
]

#: where an identifier's distinguishing end starts: a release's version (`pkg@1.2.3`), else a
#: short id's counter (`BILLING-WORKER-8`)
_TAIL_MARKS = ("@", "-")


def middle_ellipsis(text: str, width: int) -> str:
    """``text`` in at most ``width`` cells, cut in the middle so its distinguishing end stays.

    `checkout-api@2.15.0-rc1` → `checkout-…@2.15.0-rc1`, `BILLING-WORKER-8` → `BILLING-WO…-8`:
    releases and short ids of one project share their start, so an end cut (`checkout-api@2…`)
    makes them all read the same. The part from the last `@` (else the last `-`) is kept whole
    when at least two cells of the start fit beside it; otherwise a third of the width keeps the
    start and the rest the end.
    """
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return "…" if width == 1 else ""
    for mark in _TAIL_MARKS:
        at = text.rfind(mark)
        if at > 0:
            tail = text[at:]
            room = width - 1 - cell_len(tail)
            if room >= 2:
                return set_cell_size(text[:at], room).rstrip() + "…" + tail
            break
    head_w = max(1, (width - 1) // 3)
    tail_w = width - 1 - head_w
    head = set_cell_size(text, head_w).rstrip()
    tail = text[-tail_w:] if tail_w else ""
    while cell_len(tail) > tail_w:  # wide characters: drop from the front until it fits
        tail = tail[1:]
    return head + "…" + tail


class IdentifierText(Text):
    """A cell holding an identifier (short id, release): too long, it is cut in the middle."""


def identifier_text(value: object, style: str = "") -> IdentifierText:
    """An inert identifier cell (shown literally, like `safe_text`) that `append_cell` never
    cuts at its end."""
    return IdentifierText(clean_str(value), style=style, no_wrap=True, end="")


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
        if type(cell) is IdentifierText and not spans:
            plain = middle_ellipsis(plain, width)
        elif spans:
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
