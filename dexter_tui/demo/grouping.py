"""Grouping: which issue an event belongs to (SENTRY_API.md 10.4 step 6).

A simplified take on Sentry's "newstyle" grouping: the hash covers the exception chain's types and
its in-app frames (module or filename, function, stripped context line; never line numbers), so the
same bug raised from the same code groups together while a different line of code does not. Without
in-app frames all frames count; without frames the type and (parameterized) value; without an
exception the message template. A custom `fingerprint` hashes its values like Sentry does
(md5 of the concatenated strings), with `{{ default }}` expanding to the default components.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from dexter_tui.demo.normalize import crash_frame

_VARIABLE = re.compile(r"^\{\{\s*([\w.\-]+)\s*\}\}$")
#: Sentry parameterizes variable parts of messages and values before hashing them.
_PARAMETERS = [
    (re.compile(r"\b[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}\b"), "<uuid>"),
    (re.compile(r"\b\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?"), "<date>"),
    (re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b"), "<ip>"),
    (re.compile(r"\b0x[0-9a-fA-F]+\b"), "<hex>"),
    (re.compile(r"\b[0-9a-fA-F]{16,}\b"), "<hex>"),
    (re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])|(?<![\w.])\d+(?=[a-zA-Z]{1,3}\b)"), "<int>"),
]  # fmt: skip
MAX_CONTEXT_LINE = 120


def parameterize(text: str) -> str:
    for pattern, replacement in _PARAMETERS:
        text = pattern.sub(replacement, text)
    return text


def hash_from_values(values: list[str]) -> str:
    """Sentry's `hash_from_values`: md5 over the concatenated UTF-8 strings."""
    digest = hashlib.md5(usedforsecurity=False)
    for value in values:
        digest.update(value.encode("utf-8", "replace"))
    return digest.hexdigest()


def _frame_values(frame: dict[str, Any]) -> list[str]:
    values: list[str] = []
    where = frame.get("module") or frame.get("filename") or frame.get("abs_path")
    if where:
        values.append(str(where))
    if frame.get("function"):
        values.append(str(frame["function"]))
    line = frame.get("context_line")
    if isinstance(line, str):
        line = line.strip()
        if line and len(line) <= MAX_CONTEXT_LINE:
            values.append(line)
    return values


def _frames(holder: dict[str, Any] | None) -> list[dict[str, Any]]:
    return ((holder or {}).get("stacktrace") or {}).get("frames") or []


def _stack_values(frames: list[dict[str, Any]], in_app_only: bool) -> list[str]:
    return [v for f in frames if f.get("in_app") or not in_app_only for v in _frame_values(f)]


def default_values(event: dict[str, Any]) -> list[str]:
    """The components the default grouping hashes."""
    exceptions = (event.get("exception") or {}).get("values") or []
    if exceptions:
        stacks = [_frames(e) for e in exceptions]
        any_in_app = any(f.get("in_app") for frames in stacks for f in frames)
        if any(stacks):
            values: list[str] = []
            for exc, frames in zip(exceptions, stacks, strict=True):
                values.append(str(exc.get("type") or "Error"))
                values += _stack_values(frames, any_in_app)
            return values
        values = []
        for exc in exceptions:
            values.append(str(exc.get("type") or "Error"))
            if exc.get("value"):
                values.append(parameterize(str(exc["value"])))
        return values
    frames = _frames(event)
    if not frames:
        threads = (event.get("threads") or {}).get("values") or []
        if len(threads) == 1:
            frames = _frames(threads[0])
    if frames:
        return _stack_values(frames, any(f.get("in_app") for f in frames))
    csp = event.get("csp")
    if isinstance(csp, dict):  # Sentry's `csp` component: the directive and the blocked origin
        return ["csp", str((event.get("metadata") or {}).get("directive")), str(event["title"])]
    for report in ("hpkp", "expectct", "expectstaple"):  # by hostname
        if isinstance(event.get(report), dict):
            return [report, str(event[report].get("hostname"))]
    entry = event.get("logentry") or {}
    message = entry.get("message") or entry.get("formatted")
    if message:
        return [parameterize(str(message))]
    return []


def _variable(name: str, event: dict[str, Any]) -> str | None:
    """Sentry's fingerprint variables (`{{ transaction }}`...); None = not a variable we know."""
    exceptions = (event.get("exception") or {}).get("values") or []
    last = exceptions[-1] if exceptions else {}
    if name in ("type", "error.type"):
        return str(last.get("type") or "<no-type>")
    if name == "error.value":
        return str(last.get("value") or "<no-value>")
    if name in ("function", "stack.function", "module", "stack.module"):
        frame = crash_frame(event) or {}
        key = "function" if name.endswith("function") else "module"
        return str(frame.get(key) or f"<no-{key}>")
    if name == "transaction":
        return str(event.get("transaction") or "<no-transaction>")
    if name in ("message", "logger", "level"):
        if name == "message":
            return str((event.get("logentry") or {}).get("formatted") or "<no-message>")
        return str(event.get(name) or f"<no-{name}>")
    if name.startswith("tags."):
        key = name[5:]
        for tag_key, value in event.get("tags") or []:
            if tag_key == key:
                return str(value)
        return f"<no-value-for-tag-{key}>"
    return None


def compute_hashes(event: dict[str, Any]) -> list[str]:
    """The grouping hashes of a normalized event (one per event here; Sentry may add more)."""
    fingerprint = event.get("fingerprint")
    defaults = default_values(event)
    if not fingerprint:
        return [hash_from_values(defaults)]
    values: list[str] = []
    for part in fingerprint:
        match = _VARIABLE.match(part)
        if match and match.group(1) == "default":
            values += defaults
            continue
        resolved = _variable(match.group(1), event) if match else None
        values.append(resolved if resolved is not None else part)
    return [hash_from_values(values)]
