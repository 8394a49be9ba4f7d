"""The parts of an event beyond frames that event detail shows: processing errors and unreadable
fields (a notice), the log message, a browser security report, loaded images (`debug_meta`), and
entries this client does not model (shown raw); plus the Raw tab's masking and depth clipping.

Why apart from `events.py`: each platform adds its own blocks (native images, CSP reports...);
they are plain view models, testable without a terminal. No Textual import.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dexter_tui.sentry.models import DebugMetaEntry, Event, MessageEntry, OtherEntry
from dexter_tui.services.events import KeyValues, is_sensitive, mask_header
from dexter_tui.services.events.sensitive import _FORM_SECRET, MASK, mask_data
from dexter_tui.services.events.stacks import basename
from dexter_tui.services.events.text import as_text
from dexter_tui.services.json_depth import INLINE_MAX_DEPTH, RAW_MAX_DEPTH, clip_depth

#: One-line JSON of an unknown block is cut here (the Raw tab has all of it).
MAX_BLOCK_TEXT = 2000

SECURITY_REPORT_TITLES = {
    "csp": "Content Security Policy violation",
    "hpkp": "HTTP Public Key Pinning failure",
    "expectct": "Certificate Transparency (Expect-CT) failure",
    "expectstaple": "OCSP stapling (Expect-Staple) failure",
}
#: Entry types drawn by a pane of their own (the rest are shown raw in the stack tab).
KNOWN_ENTRIES = frozenset(
    {"exception", "stacktrace", "threads", "breadcrumbs", "request", "message", "debugmeta"}
    | set(SECURITY_REPORT_TITLES)
)


# -- depth and secrets (Raw tab) ---------------------------------------------------------------


def _mask_pairs(pairs: Any, kind: str) -> Any:
    if not isinstance(pairs, list):
        return mask_secrets(pairs)
    out = []
    for pair in pairs:
        if isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], str):
            name, value = pair
            if kind == "cookies":
                value = MASK
            elif kind == "headers" and isinstance(value, str):
                value = mask_header(name, value)
            elif is_sensitive(name):
                value = MASK
            out.append([name, value])
        else:
            out.append(mask_secrets(pair))
    return out


def _mask_request(data: Any) -> Any:
    if not isinstance(data, Mapping):
        return mask_secrets(data)
    out = dict(data)
    for key in ("headers", "cookies", "query", "env"):
        if key in out:
            out[key] = (
                _mask_pairs(out[key], key)
                if isinstance(out[key], list)
                else _mask_mapping_or_text(out[key], key)
            )
    if "data" in out:
        out["data"] = mask_data(out["data"])
    return out


def _mask_mapping_or_text(value: Any, kind: str) -> Any:
    if isinstance(value, Mapping):
        return _mask_pairs([[str(k), v] for k, v in value.items()], kind)
    if isinstance(value, str):
        return MASK if kind == "cookies" else _FORM_SECRET.sub(lambda m: m.group(1) + MASK, value)
    return value


def mask_secrets(value: Any) -> Any:
    """The event JSON with what the Request tab masks masked everywhere: request headers
    (`Authorization` keeps its scheme), cookies, sensitive query/env/body fields, and any field
    named like a secret (password, token, api_key…) or `key=value` secret in text."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        is_request = value.get("type") == "request" and "data" in value
        for key, item in value.items():
            secret = isinstance(key, str) and is_sensitive(key)
            if (is_request and key == "data") or (key == "request" and isinstance(item, Mapping)):
                out[key] = _mask_request(item)
            elif secret and not isinstance(item, Mapping | list):
                out[key] = MASK if item not in (None, "") else item
            elif isinstance(key, str) and key.casefold() in ("headers", "cookies"):
                out[key] = (
                    _mask_pairs(item, key.casefold())
                    if isinstance(item, list)
                    else _mask_mapping_or_text(item, key.casefold())
                )
            else:
                out[key] = mask_secrets(item)
        return out
    if isinstance(value, list):
        return [mask_secrets(v) for v in value]
    if isinstance(value, str) and "=" in value:
        return _FORM_SECRET.sub(lambda m: m.group(1) + MASK, value)
    return value


# -- blocks of the stack tab --------------------------------------------------------------------


@dataclass
class MessageView:
    """The log message: what was logged, and the template + parameters when they differ."""

    formatted: str
    template: str = ""
    params: str = ""


@dataclass
class ReportView:
    kind: str
    title: str
    rows: KeyValues


@dataclass
class ImageView:
    """One loaded binary: name, where it was loaded, its ids."""

    kind: str
    name: str
    path: str
    address: str
    size: str
    arch: str
    debug_id: str
    code_id: str


@dataclass
class RawBlock:
    """An entry (or part) this client does not model, shown as one-line JSON."""

    title: str
    text: str


@dataclass
class EventBlocks:
    notices: list[str] = field(default_factory=list)
    message: MessageView | None = None
    report: ReportView | None = None
    images: list[ImageView] = field(default_factory=list)
    raw: list[RawBlock] = field(default_factory=list)


def _one_line(value: Any) -> str:
    text = as_text(clip_depth(value, INLINE_MAX_DEPTH))
    return text if len(text) <= MAX_BLOCK_TEXT else text[: MAX_BLOCK_TEXT - 1] + "…"


def error_notices(event: Event) -> list[str]:
    """Sentry's processing errors (`errors`), one readable line each, then the fields this
    client could not read (their raw values are in the Raw tab)."""
    out = []
    for error in event.errors:
        if not isinstance(error, Mapping):
            out.append(f"processing error: {_one_line(error)}")
            continue
        kind = as_text(error.get("type") or "error")
        message = as_text(error.get("message") or kind.replace("_", " "))
        data = error.get("data") if isinstance(error.get("data"), Mapping) else {}
        details = [
            f"{k} = {_one_line(v)}" if k == "value" else _one_line(v)
            for k, v in data.items()
            if v not in (None, "", [], {})
        ]
        out.append(f"{message} ({kind})" + (": " + ", ".join(details) if details else ""))
    for path, value in event.unreadable_fields():
        out.append(f"unreadable field {path} = {_one_line(value)} (shown raw in the Raw tab)")
    return out


def message_view(event: Event) -> MessageView | None:
    entry = event.entry("message")
    if not isinstance(entry, MessageEntry):
        return None
    data = entry.data
    formatted = data.formatted or data.message or ""
    template = data.message if data.message and data.message != formatted else ""
    params = _one_line(data.params) if data.params not in (None, [], {}) else ""
    if not formatted and not params:
        return None
    return MessageView(formatted, template, params)


def _report_rows(data: Mapping[str, Any]) -> KeyValues:
    rows = []
    for key, value in data.items():
        if value in (None, "", [], {}):
            continue
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            text = "\n".join(value)
        elif isinstance(value, str | int | float | bool):
            text = str(value)
        else:
            text = _one_line(value)
        rows.append((key.replace("_", " "), text))
    return rows


def security_report(event: Event) -> ReportView | None:
    """A browser security report (CSP, HPKP, Expect-CT, Expect-Staple) with its own fields."""
    for entry in event.entries:
        if entry.type in SECURITY_REPORT_TITLES and isinstance(entry, OtherEntry):
            data = entry.data if isinstance(entry.data, Mapping) else {"report": entry.data}
            return ReportView(entry.type, SECURITY_REPORT_TITLES[entry.type], _report_rows(data))
    return None


def _addr(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"0x{value:x}"
    return as_text(value)


def image_views(event: Event) -> list[ImageView]:
    entry = event.entry("debugmeta")
    if not isinstance(entry, DebugMetaEntry):
        return []
    out = []
    for image in entry.data.images:
        path = image.code_file or image.name or image.debug_file or ""
        size = f"{image.image_size:,}" if isinstance(image.image_size, int) else ""
        out.append(
            ImageView(
                kind=image.type or "",
                name=basename(path) or "?",
                path=path,
                address=_addr(image.image_addr),
                size=size,
                arch=image.arch or "",
                debug_id=image.debug_id or image.uuid or "",
                code_id=image.code_id or "",
            )
        )
    return out


def raw_blocks(event: Event) -> list[RawBlock]:
    """Entries no pane draws (unknown types, a known type whose data could not be read)."""
    out = []
    for entry in event.entries:
        if isinstance(entry, OtherEntry) and entry.type not in SECURITY_REPORT_TITLES:
            out.append(RawBlock(entry.type or "entry", _one_line(entry.data)))
    return out


def event_blocks(event: Event) -> EventBlocks:
    return EventBlocks(
        notices=error_notices(event),
        message=message_view(event),
        report=security_report(event),
        images=image_views(event),
        raw=raw_blocks(event),
    )


__all__ = [
    "RAW_MAX_DEPTH",
    "EventBlocks",
    "ImageView",
    "MessageView",
    "RawBlock",
    "ReportView",
    "clip_depth",
    "event_blocks",
    "image_views",
    "mask_secrets",
]
