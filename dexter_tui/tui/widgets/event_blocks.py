"""The stack tab's blocks beside frames: processing errors (a banner), the log message, a browser
security report, loaded images and entries dexter does not draw (shown raw).

All text comes from the event, so it goes through `shown` (literal, optionally PII-masked).
"""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from dexter_tui.services.event_blocks import EventBlocks, ImageView
from dexter_tui.tui.widgets.event_text import LongTextBlock, clipped, shown

#: what the "show all" note of a focusable block adds
ENTER = " (enter)"

#: images listed at most (an iOS crash loads hundreds; the Raw tab has all of them)
MAX_IMAGES = 400

BLOCKS_CSS = """
StackPane .notices { padding: 0 1; margin-bottom: 1; background: $warning-muted; }
StackPane .block { padding: 0 1; margin-bottom: 1; }
StackPane .images { padding: 0 1; margin-bottom: 1; }
"""


def _notices(lines: list[str], mask: bool) -> Static:
    text = Text()
    count = len(lines)
    text.append(f"⚠ {count} problem{'s' if count != 1 else ''} processing this event", "bold")
    for line in lines:
        text.append("\n• ")
        text.append_text(shown(line, mask, no_wrap=False))
    return Static(text, classes="notices")


def block_widgets(blocks: EventBlocks, mask: bool, *, after: bool = False) -> list[Static]:
    """The blocks drawn before the exceptions, or (`after`) after the threads and images."""
    out: list[Static] = []
    if after:
        for raw in blocks.raw:
            text = Text()
            text.append_text(shown(raw.title, mask, "bold"))
            text.append("  (not drawn by dexter; as sent)", "dim")
            text.append("\n")
            text.append_text(clipped(raw.text, mask, multiline=True, no_wrap=False, hint=ENTER))
            out.append(
                LongTextBlock(text, title=raw.title, full=raw.text, mask=mask, classes="block")
            )
        return out
    if blocks.notices:
        out.append(_notices(blocks.notices, mask))
    report = blocks.report
    if report is not None:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column(overflow="fold")
        for key, value in report.rows:
            table.add_row(shown(key, mask), clipped(value, mask, multiline=True, no_wrap=False))
        if not report.rows:
            table.add_row(Text("(empty report)", "dim"), Text(""))
        out.append(Static(Group(Text(report.title, "bold red"), table), classes="block"))
    message = blocks.message
    if message is not None:
        text = Text("Message\n", "bold")
        text.append_text(
            clipped(message.formatted, mask, multiline=True, no_wrap=False, hint=ENTER)
        )
        if message.template:
            text.append("\ntemplate ", "dim")
            text.append_text(clipped(message.template, mask, multiline=True, no_wrap=False))
        if message.params:
            text.append("\nparams ", "dim")
            text.append_text(clipped(message.params, mask, no_wrap=False))
        out.append(
            LongTextBlock(text, title="Message", full=message.formatted, mask=mask, classes="block")
        )
    return out


def image_widgets(images: list[ImageView], mask: bool) -> list[Static]:
    """`Images (N)`: each loaded binary with its load address, size, arch and ids."""
    if not images:
        return []
    table = Table(box=None, padding=(0, 2, 0, 0), show_edge=False, header_style="bold dim")
    for column in ("image", "address", "size", "arch", "type", "debug id", "path"):
        table.add_column(column, no_wrap=column != "path", overflow="fold")
    for image in images[:MAX_IMAGES]:
        table.add_row(
            shown(image.name, mask, "bold"),
            shown(image.address, False),
            shown(image.size, False),
            shown(image.arch, False),
            shown(image.kind, False),
            shown(image.debug_id or image.code_id, False),
            shown(image.path, mask, "dim"),
        )
    title = Text(f"Images ({len(images)})", "bold")
    if len(images) > MAX_IMAGES:
        title.append(f"  first {MAX_IMAGES} shown; all in the Raw tab", "dim")
    return [Static(Group(title, table), classes="images")]
