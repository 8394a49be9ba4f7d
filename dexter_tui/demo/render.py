"""Render stored events in the Web API's shapes (SENTRY_API.md sections 5.1 and 7).

Works from an `events` row alone (its normalized `data` JSON plus columns), so every route that
returns events (issue events, project events, latest/oldest, hashes) renders them the same way.
`full_event` leaves out `nextEventID`/`previousEventID`: only the issue-event routes know them.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from dexter_tui.demo.normalize import iso

#: Sentry's grouping config id reported on events (the demo's grouping approximates it).
GROUPING_CONFIG = {"id": "newstyle:2023-01-11", "enhancements": ""}
#: Entry order: Sentry sorts interfaces by display score, highest first.
_ENTRY_ORDER = (
    ("csp", "csp"),
    ("hpkp", "hpkp"),
    ("expectct", "expectct"),
    ("expectstaple", "expectstaple"),
    ("logentry", "message"),
    ("exception", "exception"),
    ("stacktrace", "stacktrace"),
    ("threads", "threads"),
    ("breadcrumbs", "breadcrumbs"),
    ("request", "request"),
    ("template", "template"),
    ("debug_meta", "debugmeta"),
)
_USER_KEYS = ("id", "email", "username", "ip_address", "name", "geo", "data")


def _data(row: Mapping[str, Any]) -> dict[str, Any]:
    """The normalized event of a row (its `data` JSON)."""
    raw = row["data"]
    return json.loads(raw) if isinstance(raw, str | bytes) else dict(raw)


def context_lines(frame: Mapping[str, Any]) -> list[list[Any]]:
    """pre_context + context_line + post_context -> `[[lineno, line], ...]` (Sentry's way)."""
    lineno = frame.get("lineno")
    pre = frame.get("pre_context") or []
    post = frame.get("post_context") or []
    line = frame.get("context_line")
    if not isinstance(lineno, int) or (line is None and not (pre or post)):
        return []
    at = lineno - len(pre)
    out = []
    for text in [*pre, line, *post]:
        out.append([at, text])
        at += 1
    return out


def render_frame(frame: Mapping[str, Any]) -> dict[str, Any]:
    out = {
        "filename": frame.get("filename"),
        "absPath": frame.get("abs_path"),
        "module": frame.get("module"),
        "package": frame.get("package"),
        "platform": frame.get("platform"),
        "instructionAddr": frame.get("instruction_addr"),
        "symbolAddr": frame.get("symbol_addr"),
        "function": frame.get("function"),
        "rawFunction": frame.get("raw_function"),
        "symbol": frame.get("symbol"),
        "context": context_lines(frame),
        "lineNo": frame.get("lineno"),
        "colNo": frame.get("colno"),
        "inApp": bool(frame.get("in_app")),
        "trust": frame.get("trust"),
        "errors": None,
        "lock": frame.get("lock"),
        "sourceLink": frame.get("source_link"),
        "vars": frame.get("vars"),
    }
    if frame.get("addr_mode") and frame["addr_mode"] != "abs":
        out["addrMode"] = frame["addr_mode"]
    if frame.get("image_addr") is not None:
        out["imageAddr"] = frame["image_addr"]
    if isinstance(frame.get("data"), dict):  # source-map state: sourcemap, resolved_with...
        out["data"] = frame["data"]
    return out


def _has_system_frames(frames: list[Mapping[str, Any]]) -> bool:
    system = sum(1 for f in frames if not f.get("in_app"))
    return bool(system and system != len(frames))


def render_stacktrace(stacktrace: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not stacktrace:
        return None
    frames = stacktrace.get("frames") or []
    return {
        "frames": [render_frame(f) for f in frames],
        "framesOmitted": stacktrace.get("frames_omitted"),
        "registers": stacktrace.get("registers"),
        "hasSystemFrames": _has_system_frames(frames),
    }


def _exception_entry(exc: Mapping[str, Any]) -> dict[str, Any]:
    values = []
    all_frames: list[Mapping[str, Any]] = []
    for value in exc.get("values") or []:
        all_frames += (value.get("stacktrace") or {}).get("frames") or []
        values.append(
            {
                "type": value.get("type"),
                "value": value.get("value"),
                "module": value.get("module"),
                "mechanism": value.get("mechanism"),
                "threadId": value.get("thread_id"),
                "stacktrace": render_stacktrace(value.get("stacktrace")),
                "rawStacktrace": render_stacktrace(value.get("raw_stacktrace")),
            }
        )
    return {
        "values": values,
        "hasSystemFrames": _has_system_frames(all_frames),
        "excOmitted": exc.get("exc_omitted"),
    }


def _threads_entry(threads: Mapping[str, Any]) -> dict[str, Any]:
    values = []
    for thread in threads.get("values") or []:
        out = {
            "id": thread.get("id"),
            "name": thread.get("name"),
            "crashed": bool(thread.get("crashed")),
            "current": bool(thread.get("current")),
            "stacktrace": render_stacktrace(thread.get("stacktrace")),
            "rawStacktrace": render_stacktrace(thread.get("raw_stacktrace")),
        }
        if thread.get("state") is not None:
            out["state"] = thread["state"]
        if thread.get("held_locks") is not None:
            out["heldLocks"] = thread["held_locks"]
        values.append(out)
    return {"values": values}


def _breadcrumbs_entry(crumbs: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "values": [
            {
                "type": c.get("type") or "default",
                "category": c.get("category"),
                "level": c.get("level") or "info",
                "message": c.get("message"),
                "data": c.get("data"),
                "timestamp": iso(c.get("timestamp")),
                "event_id": c.get("event_id"),
            }
            for c in crumbs.get("values") or []
        ]
    }


def _request_entry(req: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "url": req.get("url"),
        "method": req.get("method"),
        "query": req.get("query") or [],
        "fragment": req.get("fragment"),
        "data": req.get("data"),
        "headers": req.get("headers") or [],
        "cookies": req.get("cookies") or [],
        "env": req.get("env"),
        "inferredContentType": req.get("inferred_content_type"),
    }


def _message_entry(entry: Mapping[str, Any]) -> dict[str, Any]:
    out = {"formatted": entry.get("formatted")}
    if entry.get("message") is not None:
        out["message"] = entry["message"]
    if entry.get("params") is not None:
        out["params"] = entry["params"]
    return out


_RENDERERS = {
    "message": _message_entry,
    "exception": _exception_entry,
    "stacktrace": render_stacktrace,
    "threads": _threads_entry,
    "breadcrumbs": _breadcrumbs_entry,
    "request": _request_entry,
    "template": dict,
    "csp": dict,
    "hpkp": dict,
    "expectct": dict,
    "expectstaple": dict,
    "debugmeta": lambda d: {"images": d.get("images") or [], "sdk_info": d.get("sdk_info")},
}


def entries(event: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for key, kind in _ENTRY_ORDER:
        value = event.get(key)
        if value:
            out.append({"type": kind, "data": _RENDERERS[kind](value)})
    return out


#: Sentry's `EventError` messages for the processing errors Relay records.
ERROR_MESSAGES = {
    "invalid_data": "Discarded invalid value",
    "invalid_attribute": "Discarded unknown attribute",
    "missing_attribute": "Missing value for required attribute",
    "value_too_long": "Discarded value due to exceeding maximum length",
    "future_timestamp": "Invalid timestamp (in future)",
    "past_timestamp": "Invalid timestamp (too old)",
    "clock_drift": "Clock drift detected in SDK",
    "js_no_source": "Source code was not found",
    "js_invalid_source": "Source code was invalid",
    "js_missing_source": "Source code was not found",
    "js_invalid_sourcemap": "Source map was invalid",
    "native_missing_dsym": "A required debug information file was missing",
    "native_bad_dsym": "The debug information file used was broken",
    "native_missing_symbol": "Could not resolve one or more frames in debug information",
    "proguard_missing_mapping": "A proguard mapping file was missing",
}


def render_errors(errors: Any) -> list[dict[str, Any]]:
    """Relay's `{"type", "name", "value", ...}` -> the API's `{"type", "message", "data"}`."""
    out = []
    for error in errors if isinstance(errors, list) else []:
        if not isinstance(error, Mapping):
            continue
        kind = str(error.get("type") or "unknown_error")
        data = {k: v for k, v in error.items() if k != "type"}
        message = ERROR_MESSAGES.get(kind, kind.replace("_", " ").capitalize())
        out.append({"type": kind, "message": message, "data": data})
    return out


def render_user(user: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The User interface: known keys at the top, anything else under `data`."""
    if not user:
        return None
    out = {key: user.get(key) for key in _USER_KEYS}
    extra = {k: v for k, v in user.items() if k not in _USER_KEYS}
    if extra:
        out["data"] = {**(out["data"] or {}), **extra}
    return out


def legacy_message(event: Mapping[str, Any]) -> str:
    entry = event.get("logentry") or {}
    return entry.get("formatted") or entry.get("message") or ""


def render_tags(event: Mapping[str, Any]) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in event.get("tags") or []]


def _str_id(value: Any) -> str | None:
    return None if value is None or value == 0 else str(value)


def full_event(row: Mapping[str, Any], *, release: dict[str, Any] | None = None) -> dict[str, Any]:
    """The API's full event. `release`: the API's release object, else one from the version."""
    event = _data(row)
    sdk = event.get("sdk") or None
    version = event.get("release")
    if release is None and version:
        release = {"version": version, "shortVersion": version}
    return {
        "id": row["event_id"],
        "eventID": row["event_id"],
        "groupID": _str_id(row["group_id"]),
        "projectID": str(row["project_id"]),
        "type": row["type"],
        "title": row["title"],
        "message": legacy_message(event),
        "location": row["location"],
        "culprit": row["culprit"],
        "platform": event.get("platform") or "other",
        "dist": event.get("dist"),
        "size": row["size"],
        "dateCreated": iso(row["timestamp"]),
        "dateReceived": iso(row["received"]),
        "metadata": event.get("metadata") or {},
        "tags": render_tags(event),
        "user": render_user(event.get("user")),
        "contexts": event.get("contexts") or {},
        "context": event.get("extra") or {},
        "packages": event.get("modules") or {},
        "sdk": {"name": sdk.get("name"), "version": sdk.get("version")} if sdk else None,
        "entries": entries(event),
        "errors": render_errors(event.get("errors")),
        "fingerprints": event.get("hashes") or json.loads(row["hashes"] or "[]"),
        "groupingConfig": dict(GROUPING_CONFIG),
        "crashFile": None,
        "occurrence": None,
        "release": release,
        "userReport": None,
        "sdkUpdates": [],
        "resolvedWith": [],
        "_meta": {
            "entries": {},
            "message": None,
            "user": None,
            "context": None,
            "contexts": None,
            "sdk": None,
            "tags": {},
            "packages": None,
        },
    }


def simple_event(row: Mapping[str, Any]) -> dict[str, Any]:
    """The list shape of issue/project events (SENTRY_API.md 5.1)."""
    event = _data(row)
    return {
        "id": row["event_id"],
        "event.type": row["type"],
        "groupID": _str_id(row["group_id"]),
        "eventID": row["event_id"],
        "projectID": str(row["project_id"]),
        "message": row["message"],
        "title": row["title"],
        "location": row["location"],
        "culprit": row["culprit"],
        "user": render_user(event.get("user")),
        "tags": render_tags(event),
        "platform": event.get("platform") or "other",
        "dateCreated": iso(row["timestamp"]),
        "crashFile": None,
        "metadata": event.get("metadata") or {},
    }
