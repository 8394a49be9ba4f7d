"""Undo what the trip from PostgreSQL to a pasted text did to a report, before parsing it.

Reports reach an engineer quoted in Markdown or mail (`> `), behind docker-compose, kubectl or
journald prefixes, inside Rust-style `|` gutters, as HTML with `<br>` and entities, coloured with
ANSI codes, hard-wrapped in the middle of a sentence, flattened onto one line, with pgjdbc's
`  Detail:`/`  Where:` labels or a driver's lower-case `detail:`. Every step here only removes
what is provably decoration; the parser still decides everything from PostgreSQL's own formats.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from functools import cache

from . import messages as M


@dataclass
class Normalized:
    """The cleaned text and the names of the steps that changed something."""

    text: str
    steps: list[str] = field(default_factory=list)


_ANSI_RE = re.compile(r"(?:\x1b|\^\[)\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_HTML_HINT_RE = re.compile(
    r"<br\s*/?>|</br>|</?(?:p|div|pre|code|span)\b[^>]*>|&(?:lt|gt|quot|amp|nbsp|#\d+|#x[0-9a-f]+);",
    re.IGNORECASE,
)
_HTML_BREAK_RE = re.compile(r"<br\s*/?>|</br>|</?(?:p|div|li|tr)\b[^>]*>", re.IGNORECASE)
_HTML_TAG_RE = re.compile(
    r"</?(?:pre|code|span|b|i|em|strong|tt|a|font|td|th|table|tbody|ul|ol|blockquote)\b[^>]*>",
    re.IGNORECASE,
)
_FENCE_RE = re.compile(r"^\s*(?:```|~~~)[\w+.-]*\s*$")
#: stack frames that follow a driver error (Java, Elixir): never part of the report
_FRAME_RE = re.compile(
    r"^\s+(?:at [\w$.<>/]+\(.*\)|\.\.\. \d+ (?:common frames omitted|more)"
    r"|\([\w]+ [\w.-]+\) [\w/.-]+\.exs?:\d+: .*)\s*$"
)

#: per-line decorations, tried until none applies; each is stripped from every line it matches
#: once it matches most lines (or every line that carries part of a report)
_PREFIXES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("quote", re.compile(r"^[ \t]*(?:>[ \t]?)+")),
    ("compose", re.compile(r"^[A-Za-z0-9][\w.-]*(?:[-_]\d+)?\s+\|(?: |$)")),
    ("kubectl", re.compile(r"^\[pod/[^\]\s]+\]\s?")),
    ("rfc3339", re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)\s")),
    (
        "journald",
        re.compile(r"^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ [\w./@-]+\[\d+\]: (?!\[\d+-\d+\])"),
    ),
    ("gutter", re.compile(r"^[ \t]*\d*[ \t]*[|│┃][ \t]?")),
)
_ANCHOR_RE_SRC = r"(?:ERROR|DETAIL|HINT|CONTEXT|STATEMENT|Detail|Hint|Where)\s*:"

#: client-side labels (pgjdbc, drivers' field names) -> the server's label
_LABELS = {
    "detail": "DETAIL",
    "message_detail": "DETAIL",
    "hint": "HINT",
    "message_hint": "HINT",
    "where": "CONTEXT",
    "context": "CONTEXT",
    "statement": "STATEMENT",
    "query": "QUERY",
    "internal query": "QUERY",
    "location": "LOCATION",
    "error": "ERROR",
    "fatal": "FATAL",
}
_LABEL_START_RE = re.compile(
    r"^\s*(?P<label>message_detail|message_hint|internal query|detail|hint|where|context|"
    r"statement|error|fatal)\s*:\s?(?P<text>.*)$",
    re.IGNORECASE,
)
_MID_LABEL_RE = re.compile(
    r"(?<=\S)\s+(?=(?:DETAIL|HINT|CONTEXT|STATEMENT|Detail|Hint|Where|detail|hint|where)\s?:\s)"
)
_GLUED_LABEL_RE = re.compile(
    r"^(?P<stamp>\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?(?: ?[A-Z]{1,5}?)?)"
    r"(?P<label>LOG|ERROR|FATAL|DETAIL|HINT|CONTEXT|STATEMENT|WARNING):"
)
#: `ERROR 40P01 (deadlock_detected) deadlock detected` (Postgrex/Ecto)
_POSTGREX_RE = re.compile(r"\b(ERROR|FATAL) ([0-9A-Z]{5}) \(\w+\) ")


@cache
def wait_start_re() -> re.Pattern[str]:
    """The start of PostgreSQL's wait sentence (`Process 12 waits for`) in every language."""
    alts = []
    for _lang, text in M.translations_of(M.WAITS):
        m = re.search(r"%(?:\d+\$)?d", text)
        if m is None:
            continue
        before = text[: m.start()].strip()
        rest = text[m.end() :]
        nxt = re.search(r"%", rest)
        after = (rest[: nxt.start()] if nxt else rest).strip()
        parts = [re.escape(w) for w in (before,) if w]
        parts.append(r"\d+")
        if after:
            parts.append(re.escape(after))
        alts.append(r"\s*".join(parts))
    return re.compile("(?:" + "|".join(sorted(set(alts), key=len, reverse=True)) + ")")


@cache
def wait_needles() -> tuple[str, ...]:
    """Literal words every translation of the wait sentence contains: a cheap test that
    spares the big regex on lines that cannot hold one (a 2 MB log has 20 000 lines)."""
    out = set()
    for _lang, text in M.translations_of(M.WAITS):
        m = re.search(r"%(?:\d+\$)?d", text)
        rest = text[m.end() :] if m else text
        nxt = rest.find("%")
        after = (rest[:nxt] if nxt >= 0 else rest).split()
        out.add(after[0] if after else text[: m.start()].strip() if m else text)
    return tuple(sorted(out))


def may_hold_wait(line: str) -> bool:
    return any(n in line for n in wait_needles())


@cache
def process_line_re() -> re.Pattern[str]:
    """`Process 12: ` (the query line of DETAIL) in every language."""
    alts = []
    for _lang, text in M.translations_of(M.PROCESS_QUERY):
        head = text.split("%s")[0]
        alts.append(re.escape(head.strip()).replace("%d", r"\d+").replace(r"\ ", r"\s*"))
    return re.compile("(?:" + "|".join(sorted(set(alts), key=len, reverse=True)) + ")")


def _full_wait(text: str) -> bool:
    return M.match_any(M.WAITS, text, search=True) is not None


def normalize(text: str) -> Normalized:
    """Clean a pasted report; see the module docstring for what is undone."""
    out = Normalized(text)
    t = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\u00a0" in t or "\u202f" in t:
        t = t.replace("\u00a0", " ").replace("\u202f", " ")
    t2 = t.translate(_INVISIBLE)
    if "\x1b" in t2 or "^[" in t2:
        t2 = _ANSI_RE.sub("", t2)
    if t2 != t:
        out.steps.append("ansi")
    t = t2
    if _HTML_HINT_RE.search(t):
        t = _HTML_BREAK_RE.sub("\n", t)
        t = _HTML_TAG_RE.sub("", t)
        t = html.unescape(t).replace("\u00a0", " ")
        out.steps.append("html")
    lines = t.split("\n")
    kept = _unfence(lines)
    if len(kept) != len(lines):
        out.steps.append("markdown")
    lines = [ln for ln in kept if not _FRAME_RE.match(ln)]
    if len(lines) != len(kept):
        out.steps.append("stack-frames")
    lines = _strip_prefixes(lines, out.steps)
    if any(_GLUED_LABEL_RE.match(ln) for ln in lines[:400]):
        lines = [_GLUED_LABEL_RE.sub(r"\g<stamp> \g<label>:", ln) for ln in lines]
    if any(" (" in ln and _POSTGREX_RE.search(ln) for ln in lines[:400]):
        lines = [_POSTGREX_RE.sub(r"\1:  \2: ", ln) for ln in lines]
    lines = _split_flattened(lines, out.steps)
    lines = _canonical_labels(lines, out.steps)
    lines = _join_wraps(lines, out.steps)
    lines = _label_bare_waits(lines, out.steps)
    lines = _dedent(lines, out.steps)
    out.text = "\n".join(lines)
    return out


def _unfence(lines: list[str]) -> list[str]:
    """Drop Markdown fences and dedent each fenced block on its own (the prose around it is
    not indented, so the whole text's dedent would not reach it)."""
    out: list[str] = []
    block: list[str] | None = None
    for line in lines:
        if _FENCE_RE.match(line):
            if block is None:
                block = []
            else:
                out.extend(_dedent(block, []))
                block = None
            continue
        (out if block is None else block).append(line)
    if block is not None:  # an unclosed fence: its block runs to the end
        out.extend(_dedent(block, []))
    return out


def _strip_prefixes(lines: list[str], steps: list[str]) -> list[str]:
    anchor = re.compile(_ANCHOR_RE_SRC + "|" + wait_start_re().pattern)
    for _round in range(6):
        changed = False
        # a sample decides (a big log repeats its shape); stripping then covers every line
        content = [ln for ln in lines[:4000] if ln.strip()]
        anchored: list[str] | None = None
        for name, rx in _PREFIXES:
            hits = sum(1 for ln in content if rx.match(ln))
            if not hits:
                continue
            if anchored is None:
                anchored = [ln for ln in content if anchor.search(ln)]
            anchored_hits = sum(1 for ln in anchored if rx.match(ln))
            most = hits * 2 >= len(content)
            if not (most or (anchored and anchored_hits == len(anchored))):
                continue
            if name == "gutter" and not _gutter_is_decoration(content, rx):
                continue
            if name in ("compose", "kubectl", "journald"):
                lines = _other_services_dropped(lines, rx, anchored)
            new = [_strip_one(rx, ln, name) for ln in lines]
            if new != lines:
                lines = new
                steps.append(name)
                changed = True
                break
        if not changed:
            break
    return lines


def _service(m: re.Match[str]) -> str:
    """The service/pod/program a prefix names (`db-1  | ` -> `db-1`)."""
    head = m.group(0).strip().rstrip("|:").strip()
    if head.startswith("["):
        return head
    return re.sub(r"^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ ", "", head).split("[")[0]


def _other_services_dropped(
    lines: list[str], rx: re.Pattern[str], anchored: list[str]
) -> list[str]:
    """Interleaved logs: keep only the lines of the services that carry the report."""
    keep = {_service(m) for ln in anchored if (m := rx.match(ln))}
    if not keep:
        return lines
    return [ln for ln in lines if (m := rx.match(ln)) is None or _service(m) in keep]


def _strip_one(rx: re.Pattern[str], line: str, name: str) -> str:
    m = rx.match(line)
    if m is None:
        return line
    rest = line[m.end() :]
    if name == "journald" and rest.startswith("#011"):
        rest = "\t" + rest[4:]
    return rest


def _gutter_is_decoration(content: list[str], rx: re.Pattern[str]) -> bool:
    """A `|` gutter is decoration when it sits at the same column on the lines it marks."""
    cols = {len(m.group(0).rstrip(" \t")) for ln in content if (m := rx.match(ln))}
    return len(cols) <= 2


def _split_flattened(lines: list[str], steps: list[str]) -> list[str]:
    """Break a report flattened onto one line back into label and wait lines."""
    start = wait_start_re()
    proc = process_line_re()
    out: list[str] = []
    did = False
    for line in lines:
        if len(line) < 40 or not (
            (may_hold_wait(line) and start.search(line))
            or any(t in line for _l, t in M.translations_of(M.DEADLOCK))
        ):
            out.append(line)
            continue
        parts = _split_labels(line, start)
        pieces: list[str] = []
        for part in parts:
            # a second wait sentence after the first one's full stop, and `Process N: query`
            cuts = [
                m.start()
                for m in start.finditer(part)
                if m.start() > 0 and re.search(r"[.;]\s*$", part[: m.start()])
            ]
            cuts += [
                m.start()
                for m in proc.finditer(part)
                if m.start() > 0
                and part[m.start() - 1].isspace()
                and not part[: m.start()].rstrip().endswith(":")
            ]
            prev = 0
            for cut in sorted(set(cuts)):
                pieces.append(part[prev:cut].rstrip())
                prev = cut
            pieces.append(part[prev:])
        if len(pieces) > 1:
            did = True
        out.extend(pieces)
    if did:
        steps.append("unflatten")
    return out


def _split_labels(line: str, start: re.Pattern[str]) -> list[str]:
    """Cut before a mid-line label only when report text precedes it (a server log's
    `prefix DETAIL:` stays whole)."""
    parts: list[str] = []
    prev = 0
    for m in _MID_LABEL_RE.finditer(line):
        before = line[: m.start()]
        if start.search(before) or any(t in before for _l, t in M.translations_of(M.DEADLOCK)):
            parts.append(line[prev : m.start()])
            prev = m.end()
    parts.append(line[prev:])
    return parts


def _canonical_labels(lines: list[str], steps: list[str]) -> list[str]:
    """`  Detail: x`, `detail: x`, `Where: x` at a line start -> `DETAIL:  x`, `CONTEXT:  x`."""
    out: list[str] = []
    did = False
    for line in lines:
        m = _LABEL_START_RE.match(line)
        if m is not None:
            label = _LABELS[m.group("label").lower()]
            new = f"{label}:  {m.group('text').lstrip()}"
            if new != line:
                did = True
                line = new
        out.append(line)
    if did:
        steps.append("labels")
    return out


def _join_wraps(lines: list[str], steps: list[str]) -> list[str]:
    """Rejoin a wait sentence that a mail client or pager wrapped onto the next line(s)."""
    start = wait_start_re()
    proc = process_line_re()
    out: list[str] = []
    i = 0
    did = False
    while i < len(lines):
        line = lines[i]
        m = start.search(line) if may_hold_wait(line) else None
        used = 0
        if m is not None and not _full_wait(line[m.start() :]):
            joined = line
            for k in (1, 2):
                if i + k >= len(lines) or not lines[i + k].strip():
                    break
                nxt = lines[i + k].strip()
                if start.match(nxt) or proc.match(nxt):
                    break
                joined = joined.rstrip() + " " + nxt
                if _full_wait(joined[m.start() :]):
                    line, used = joined, k
                    did = True
                    break
        out.append(line)
        i += 1 + used
    if did:
        steps.append("unwrap")
    return out


def _label_bare_waits(lines: list[str], steps: list[str]) -> list[str]:
    """Wait sentences with no DETAIL label anywhere (Ecto prints them bare): label the first of
    each run so the parser sees a DETAIL field."""
    labels = "|".join(re.escape(k) for k, v in M.FIELD_LABELS.items() if v == "detail")
    if any(re.search(f"(?:{labels})\\s?:", ln) for ln in lines):
        return lines
    start = wait_start_re()
    out: list[str] = []
    in_run = False
    did = False
    for line in lines:
        stripped = line.strip()
        if start.match(stripped):
            if not in_run:
                line = "DETAIL:  " + stripped
                did = True
            in_run = True
        elif stripped and not process_line_re().match(stripped):
            in_run = False
        out.append(line)
    if did:
        steps.append("bare-detail")
    return out


def _dedent(lines: list[str], steps: list[str]) -> list[str]:
    """Remove the indentation every non-blank line shares (a tab counts as one column)."""
    content = [ln for ln in lines if ln.strip()]
    if not content:
        return lines
    width = min(len(ln) - len(ln.lstrip(" ")) for ln in content)
    if width == 0:
        return lines
    steps.append("dedent")
    return [ln[width:] if ln.strip() else "" for ln in lines]
