"""One policy for untrusted text that leaves dexter: export files, the clipboard, the action log.

Why: event data, tags, SQL and Sentry's own error messages are written by whoever holds a DSN.
On screen `tui/safe_text.py` keeps them inert; text that leaves the app must be just as inert
wherever it lands — a terminal running `cat export.md`, a spreadsheet, a Markdown renderer, psql.

The rules (the fault suite in `tests/test_hostile_input.py` sends each hostile shape through them):

- `visible()`: control characters become visible stand-ins, as on screen — ESC `␛`, BEL `␇`,
  NUL `␀` (the C0 "control pictures"), DEL `␡`, C1 controls `�`; line breaks are ``\\n`` (a lone
  ``\\r`` too) or `⏎` on one line; tabs become spaces. Bidi overrides/isolates and invisible
  format characters (U+202E, U+200B, U+2066, U+FEFF, …) are spelled out as ``\\u202e`` so a reader
  sees they were there and nothing is reordered or hidden; lone surrogates likewise.
- `csv_cell()`: `visible()` text plus a `'` before a formula start (``= + - @``, their full-width
  forms ``＝ ＋ － ＠``, tab, CR) at the start of the cell, after every line break and after each
  ``;`` (where a spreadsheet in a ``;`` locale splits the row, quoted or not); the writer
  quotes every field (QUOTE_ALL) with ``\\r\\n`` records, so a bare CR cannot split a row.
- `md_cell()`: one line, `|` and `\\` escaped, HTML escaped (`<img onerror>` is text), `[`/`]`
  escaped (no inline links at all) and `javascript:`-style schemes defanged; only bare
  http(s) URLs may still be autolinked by a renderer.
- `json_text()`: valid, lossless JSON (NaN/Infinity become strings) whose output holds no raw
  control, bidi or invisible character — they are ``\\uXXXX`` escapes.
- `clipboard_text()`: what a copy puts on the clipboard: the visible text, never raw escapes
  (a paste into psql or a shell must be what the screen showed).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from dexter_tui.sentry.errors import redact_credentials

__all__ = [
    "clip",
    "clipboard_text",
    "csv_cell",
    "defuse_formula",
    "json_text",
    "md_cell",
    "redact_credentials",
    "text_lines",
    "visible",
]

#: Bidi embeddings/overrides/isolates and invisible format characters; ZWJ/ZWNJ (U+200C/D) are
#: left alone: emoji sequences and Persian need them, and they cannot reorder text. Lone
#: surrogates (what invalid UTF-8 or a stray `\\ud800` in JSON decodes to) cannot even be
#: written as UTF-8: they are spelled out too.
_FORMAT = (
    "\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ud800-\udfff"
)
_UNSAFE = re.compile(f"[\\x00-\\x1f\\x7f-\\x9f{_FORMAT}]")
_FORMAT_RE = re.compile(f"[{_FORMAT}]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _table() -> dict[int, str]:
    table = {code: chr(0x2400 + code) for code in range(0x20)}  # ␀ … ␟ (␛ for ESC)
    table[0x7F] = "␡"
    table |= dict.fromkeys(range(0x80, 0xA0), "\ufffd")
    return table


_TABLE = _table()


def _spell(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def visible(value: Any, *, multiline: bool = False) -> str:
    """`value` as text with every control and invisible character shown (see the module doc)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if not _UNSAFE.search(text):
        return text
    text = _FORMAT_RE.sub(_spell, text)
    if multiline:
        lines = _LINE_BREAK.split(text)
        return "\n".join(line.expandtabs(4).translate(_TABLE) for line in lines)
    return _LINE_BREAK.sub("⏎", text).replace("\t", " ").translate(_TABLE)


def clipboard_text(value: Any, *, multiline: bool = True) -> str:
    """The text a copy puts on the clipboard: what the screen shows, no raw escapes."""
    return visible(value, multiline=multiline)


# -- CSV -----------------------------------------------------------------------------------------

#: What makes a spreadsheet evaluate a cell (OWASP's list plus the full-width forms Excel accepts).
FORMULA_STARTS = frozenset("=+-@\t\r＝＋－＠")


_FORMULA = re.compile("(^|[\n;])([=+\\-@\t\r＝＋－＠])")


def defuse_formula(text: str) -> str:
    """Prefix `'` wherever a spreadsheet could start evaluating: the cell's start, every line's
    start, and after each `;` (a `;` locale splits the row there, quotes or not)."""
    return _FORMULA.sub(r"\1'\2", text)


#: Nesting deeper than this is written as "… (depth N)" (JSON encoders recurse; 10,000 levels
#: would crash them).
MAX_DEPTH = 600


def _plain(value: Any, max_depth: int = MAX_DEPTH) -> Any:
    """JSON-safe copy: non-finite floats as strings (JSON has no NaN), nesting below `max_depth`
    as a note. Iterative, so any depth is safe to walk."""
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any, int]] = [(value, root, 0, 0)]
    while stack:
        item, parent, key, depth = stack.pop()
        out: Any = item
        if isinstance(item, float) and not math.isfinite(item):
            out = "NaN" if math.isnan(item) else ("Infinity" if item > 0 else "-Infinity")
        elif isinstance(item, dict | list | tuple) and depth >= max_depth:
            out = f"… (depth {depth})"
        elif isinstance(item, dict):
            out = {}
            for k, child in item.items():
                out[str(k)] = None
                stack.append((child, out, str(k), depth + 1))
        elif isinstance(item, list | tuple):
            out = [None] * len(item)
            stack.extend((child, out, n, depth + 1) for n, child in enumerate(item))
        parent[key] = out
    return root[0]


def csv_cell(value: Any) -> str:
    """One CSV field: visible text; strings defused, numbers left as numbers."""
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return defuse_formula(json_text(value))
    if isinstance(value, bool | int | float):
        return str(_plain(value))
    return defuse_formula(visible(value, multiline=True))


# -- Markdown ------------------------------------------------------------------------------------

_MD_ESCAPES = str.maketrans(
    {"\\": "\\\\", "|": "\\|", "[": "\\[", "]": "\\]", "&": "&amp;", "<": "&lt;", ">": "&gt;"}
)
_SCHEME = re.compile(r"(?i)\b(javascript|vbscript|data|file|blob)(\s*):")
_SPACES = re.compile(r"\s+")


def md_cell(value: Any) -> str:
    """One Markdown table cell: a single line that renders as the literal text."""
    if isinstance(value, list | dict):
        value = json_text(value)
    text = _LINE_BREAK.sub(" ", "" if value is None else str(_plain(value)))
    text = _SPACES.sub(" ", visible(text)).strip()
    return _SCHEME.sub(r"\1\2&#58;", text.translate(_MD_ESCAPES))


# -- JSON ----------------------------------------------------------------------------------------

_JSON_UNSAFE = re.compile(f"[\\x7f-\\x9f{_FORMAT}]")


def json_text(value: Any, *, indent: int | None = None) -> str:
    """JSON that round-trips `value` and holds no raw control/bidi character (one line unless
    `indent`)."""
    separators = (",", ": ") if indent else (",", ":")

    def dumps(data: Any, **kw: Any) -> str:
        return json.dumps(data, ensure_ascii=False, indent=indent, separators=separators, **kw)

    try:
        text = dumps(value, allow_nan=False)
    except (ValueError, TypeError, RecursionError):
        try:
            text = dumps(_plain(value), allow_nan=False, default=str)
        except RecursionError:
            text = dumps(_plain(value, max_depth=100), allow_nan=False, default=str)
    # these characters can only sit inside JSON strings, where an escape means the same
    return _JSON_UNSAFE.sub(_spell, text)


# -- size ----------------------------------------------------------------------------------------

#: Characters of a comment or message shown before "show all" (a 100 MB comment is accepted by
#: Sentry-compatible servers; drawing it whole would freeze the UI).
TEXT_CAP = 20_000


@dataclass(frozen=True)
class Clipped:
    """The part of a long text to draw now, and how much was left out."""

    text: str
    hidden: int = 0

    @property
    def note(self) -> str:
        """The line to show under the text ("" when nothing was left out)."""
        return f"… {self.hidden:,} more characters — show all" if self.hidden else ""


def clip(text: str, limit: int = TEXT_CAP) -> Clipped:
    """The first `limit` characters of `text` (cut at a line end when one is near).

    O(limit), never O(len(text)): safe to call on the UI thread with any size of text.
    """
    if len(text) <= limit:
        return Clipped(text)
    cut = text.rfind("\n", max(0, limit - 200), limit)
    end = cut if cut > 0 else limit
    return Clipped(text[:end], len(text) - end)


#: Longest line a line view holds: longer lines are cut into pieces this long, so drawing one
#: screen line never styles megabytes (a 5 MB comment may be a single line).
LINE_PIECE = 1_000


def text_lines(text: str, width: int = LINE_PIECE) -> list[str]:
    """`text` as lines of at most `width` characters, for a view that draws one line at a time.

    One pass of C-level slicing: a 5 MB text takes milliseconds, once, when "show all" opens.
    """
    out: list[str] = []
    for line in text.splitlines() or [""]:
        if len(line) <= width:
            out.append(line)
        else:
            out.extend(line[i : i + width] for i in range(0, len(line), width))
    return out
