"""Turn untrusted values (event titles, messages, tags, queries) into inert `rich.text.Text`.

Why: Textual interprets Rich markup in plain `str` content, and a terminal interprets escape
sequences. An event title such as ``"[bold red]x[/]"`` or
``"\\x1b]8;;http://evil\\x07click\\x1b]8;;\\x07"`` must be shown as the characters it holds, never
styled, linked or executed by the terminal.

Decision (documented for the issue-5 tests): escape sequences are *not* stripped silently; each
control character is replaced by a visible stand-in, so a reader can see the value carried escapes:

- ESC and the other C0 controls become their Unicode "control picture" (``\\x1b[31m`` → ``␛[31m``,
  BEL → ``␇``); DEL becomes ``␡``; C1 controls (``\\x80``–``\\x9f``, e.g. the 8-bit CSI ``\\x9b``)
  become ``�``.
- Line breaks: in single-line mode (table cells) ``\\r\\n``, ``\\n`` and ``\\r`` become ``⏎``; in
  multi-line mode they become ``\\n`` (a lone ``\\r`` would rewind the cursor, so it is a line
  break too).
- Tabs become one space (single-line) or expand to 4-column stops (multi-line).
- Bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069), which can visually reorder
  text ("Trojan source"), are removed.

The text is built with the `Text` constructor, which never parses markup.
"""

from __future__ import annotations

import re
from typing import Any

from rich.style import Style
from rich.text import Text
from textual.markup import escape

__all__ = ["clean_str", "palette_text", "safe_text"]


def _build_table() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for code in range(0x20):
        table[code] = chr(0x2400 + code)  # ␀ … ␟ (␛ for ESC)
    table[0x7F] = "␡"
    for code in range(0x80, 0xA0):
        table[code] = "\ufffd"
    for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)):
        table[code] = None
    return table


_TABLE = _build_table()
_SINGLE_LINE = {**_TABLE, 0x09: " "}
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
#: Anything the translation tables change; lets the common clean string skip all work.
_NEEDS_WORK = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean_str(value: Any, *, multiline: bool = False) -> str:
    """Return ``value`` as a string with every control character made visible or removed.

    ``None`` becomes ``""``; other non-strings go through ``str()`` first.
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if not _NEEDS_WORK.search(text):
        return text
    if multiline:
        lines = _LINE_BREAK.split(text)
        return "\n".join(line.expandtabs(4).translate(_TABLE) for line in lines)
    return _LINE_BREAK.sub("⏎", text).translate(_SINGLE_LINE)


def safe_text(
    value: Any,
    style: str | Style = "",
    *,
    multiline: bool = False,
    no_wrap: bool = True,
) -> Text:
    """Return an inert `Text` showing ``value`` literally (see the module docstring for the rules).

    Rich markup such as ``[bold]`` stays as those characters; escape sequences are shown, not run.
    """
    return Text(clean_str(value, multiline=multiline), style=style, no_wrap=no_wrap, end="")


def palette_text(value: Any) -> str:
    """``value`` for the command palette, which reads its titles and help as markup."""
    return escape(clean_str(value))
