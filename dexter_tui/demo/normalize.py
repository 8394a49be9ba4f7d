"""Turn an event as an SDK sends it into the normalized event the demo store keeps.

Approximates Relay's normalization and Sentry's event types (SENTRY_API.md 10.4 steps 2-5): the
normalized event is the ingest shape with canonical types (float timestamps, pair lists, a
`logentry`, typed contexts) plus what Sentry derives: `type`, `title`, `culprit`, `location`,
`metadata` and the full sorted `tags` list. `render.py` turns it into the API shapes.

Normalized event keys (all optional except the first group):
    event_id, timestamp, received, type, platform, level, title, metadata, tags, culprit, location
    logger, environment, release, dist, server_name, transaction,
    logentry{formatted, message, params},
    exception{values}, stacktrace, threads{values}, breadcrumbs{values}, request{url, method,
    query[[k,v]], fragment, data, headers[[k,v]], cookies[[k,v]], env, inferred_content_type},
    user, contexts, extra, modules, sdk, fingerprint, hashes (set by ingest).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from dexter_tui.demo.user_agent import ua_contexts

#: Relay clamps timestamps further than this into the future or past to the receive time.
MAX_FUTURE_SECONDS = 60.0
MAX_AGE_SECONDS = 30 * 24 * 3600.0
MAX_CULPRIT_LENGTH = 200
MAX_TAG_LENGTH = 200
LEVELS = ("debug", "info", "warning", "error", "fatal")
_LEVEL_ALIASES = {"warn": "warning", "critical": "fatal", "log": "info", "trace": "debug"}
#: Relay reads these legacy interface keys as aliases of the canonical ones (when those are absent).
LEGACY_ALIASES = {
    "sentry.interfaces.Exception": "exception",
    "sentry.interfaces.Stacktrace": "stacktrace",
    "sentry.interfaces.Message": "logentry",
    "sentry.interfaces.Http": "request",
    "sentry.interfaces.User": "user",
    "sentry.interfaces.Template": "template",
    "sentry.interfaces.Breadcrumbs": "breadcrumbs",
    "sentry.interfaces.Threads": "threads",
    "sentry.interfaces.DebugMeta": "debug_meta",
    "sentry.interfaces.Csp": "csp",
    "sentry.interfaces.Hpkp": "hpkp",
    "sentry.interfaces.ExpectCT": "expectct",
    "sentry.interfaces.ExpectStaple": "expectstaple",
}
#: Browser security reports: the event type and interface key are the same name.
SECURITY_REPORTS = ("csp", "hpkp", "expectct", "expectstaple")
#: Relay's hard limit on frames per stack trace; longer ones keep both ends.
MAX_FRAMES = 250
#: Mechanism fields and the JSON types Relay accepts for them (others: dropped, `errors` entry).
_MECHANISM_TYPES: dict[str, type | tuple[type, ...]] = {
    "type": str, "description": str, "help_link": str, "source": str,
    "handled": bool, "synthetic": bool, "is_exception_group": bool,
    "exception_id": int, "parent_id": int, "data": dict, "meta": dict,
}  # fmt: skip
#: Contexts whose `type` is their own name (anything else is "default"), as Relay types them.
_KNOWN_CONTEXTS = frozenset(
    {"os", "runtime", "browser", "device", "app", "gpu", "trace", "response", "otel", "culture",
     "cloud_resource", "profile", "replay", "monitor", "state", "flags", "client_os"}
)  # fmt: skip


# -- small coercions ----------------------------------------------------------------------------


#: Timestamps outside years 1970..9999 are unreadable (and would not render).
_MAX_TS = 253402300799.0


def parse_timestamp(value: Any) -> float | None:
    """Epoch seconds from a float/int or an RFC 3339 string; None when unreadable."""
    if isinstance(value, bool):
        return None
    ts: float | None = None
    if isinstance(value, int | float):
        ts = float(value)
    elif isinstance(value, str) and value:
        try:
            ts = float(value)
        except ValueError:
            try:
                dt = datetime.fromisoformat(value)
            except ValueError:
                return None
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=UTC)
            ts = dt.timestamp()
    if ts is None or ts != ts or not 0 <= ts <= _MAX_TS:
        return None
    return ts


def iso(ts: float | None) -> str | None:
    """Epoch seconds -> `2020-06-17T22:26:56.098086Z` (what the API prints)."""
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def truncatechars(value: str, chars: int) -> str:
    """Sentry's truncation: keep `chars` characters including a trailing "..."."""
    return value if len(value) <= chars else value[: chars - 3] + "..."


def _str_or_none(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    text = text.strip()
    return text or None


def _as_values(value: Any) -> list[Any]:
    """`{"values": [...]}`, a bare list or a single object -> a list without nulls."""
    if isinstance(value, dict) and "values" in value:
        value = value.get("values")
    elif isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return []
    return [v for v in value if v is not None]


def _pairs(value: Any, *, sort: bool = False) -> list[list[str]]:
    """A dict, list of pairs, or query/cookie string -> `[[key, value], ...]`."""
    pairs: list[list[str]] = []
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = [p for p in value if isinstance(p, list | tuple) and len(p) == 2]
    else:
        return pairs
    for key, val in items:
        if key is None:
            continue
        pairs.append([str(key), val if isinstance(val, str) or val is None else str(val)])
    if sort:
        pairs.sort(key=lambda p: p[0])
    return pairs


# -- interfaces ---------------------------------------------------------------------------------


def _normalize_level(value: Any, default: str) -> str:
    if isinstance(value, str):
        level = value.strip().lower()
        level = _LEVEL_ALIASES.get(level, level)
        if level in LEVELS:
            return level
    return default


def _normalize_logentry(event: dict[str, Any]) -> dict[str, Any] | None:
    entry = event.get("logentry") or event.get("sentry.interfaces.Message")
    message = event.get("message")
    if isinstance(entry, str):
        entry = {"formatted": entry}
    if not isinstance(entry, dict):
        entry = {}
    entry = {k: v for k, v in entry.items() if v is not None}
    if isinstance(message, dict):  # the legacy interface under the old key
        entry = {**{k: v for k, v in message.items() if v is not None}, **entry}
    elif (
        isinstance(message, str)
        and message
        and not entry.get("formatted")
        and not entry.get("message")
    ):
        entry["formatted"] = message
    if not entry.get("formatted") and isinstance(entry.get("message"), str):
        template = entry["message"]
        params = entry.get("params")
        try:
            if isinstance(params, list) and params:
                entry["formatted"] = template % tuple(params)
            elif isinstance(params, dict) and params:
                entry["formatted"] = template % params
            else:
                entry["formatted"] = template
        except (TypeError, ValueError, KeyError):
            entry["formatted"] = template
    if entry.get("message") == entry.get("formatted"):
        entry.pop("message", None)
    if not entry.get("formatted"):
        return None
    entry["formatted"] = str(entry["formatted"])
    return entry


_FRAME_STRINGS = (
    "filename", "abs_path", "module", "package", "platform", "function", "raw_function",
    "symbol", "context_line", "instruction_addr", "symbol_addr", "image_addr", "addr_mode",
)  # fmt: skip


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return None


class Errors(list):
    """Relay's processing errors of one event (`{"type", "name", "value"}`), kept in `errors`."""

    def invalid(self, name: str, value: Any) -> None:
        self.append({"type": "invalid_data", "name": name, "value": value})


def _normalize_frame(frame: dict[str, Any], errors: Errors, path: str) -> dict[str, Any]:
    """Coerce frame fields to their protocol types: numbers become text, objects and lists where
    text belongs are dropped with an `invalid_data` error (Relay drops what does not fit)."""
    out = dict(frame)
    for key in _FRAME_STRINGS:
        value = out.get(key)
        if isinstance(value, dict | list):
            errors.invalid(f"{path}.{key}", value)
            out.pop(key)
        elif value is not None and not isinstance(value, str):
            out[key] = str(value)
    for key in ("lineno", "colno"):
        if key in out:
            out[key] = _as_int(out[key])
    for key in ("pre_context", "post_context"):
        if key in out:
            lines = out[key]
            out[key] = (
                [x if isinstance(x, str) else str(x) for x in lines if x is not None]
                if isinstance(lines, list)
                else []
            )
    if "in_app" in out and not isinstance(out["in_app"], bool):
        out["in_app"] = None
    if "vars" in out and not isinstance(out["vars"], dict):
        out["vars"] = None
    return out


def _normalize_frames(stacktrace: Any, errors: Errors, path: str) -> dict[str, Any] | None:
    """Frames typed, and stacks over `MAX_FRAMES` cut in the middle: the oldest and the newest
    (crashing) halves stay, `frames_omitted` says which original indices went ([start, end))."""
    if not isinstance(stacktrace, dict):
        return None
    frames = stacktrace.get("frames")
    if not isinstance(frames, list):
        return None
    frames = [
        _normalize_frame(f, errors, f"{path}.frames.{n}")
        for n, f in enumerate(frames)
        if isinstance(f, dict)
    ]
    if not frames:
        return None
    out = {**stacktrace, "frames": frames}
    if len(frames) > MAX_FRAMES:
        half = MAX_FRAMES // 2
        out["frames"] = frames[:half] + frames[-half:]
        out["frames_omitted"] = [half, len(frames) - half]
    elif "frames_omitted" in out and not _is_omitted_range(out["frames_omitted"]):
        errors.invalid(f"{path}.frames_omitted", out.pop("frames_omitted"))
    return out


def _is_omitted_range(value: Any) -> bool:
    return value is None or (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
    )


def _normalize_mechanism(value: Any, errors: Errors, path: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        errors.invalid(path, value)
        return None
    out = dict(value)
    for key, kind in _MECHANISM_TYPES.items():
        field = out.get(key)
        if field is None:
            continue
        ok = isinstance(field, kind) and not (kind is int and isinstance(field, bool))
        if not ok:
            errors.invalid(f"{path}.{key}", field)
            out.pop(key)
    return out


def _normalize_exception(value: Any, errors: Errors) -> dict[str, Any] | None:
    values = []
    for n, exc in enumerate(_as_values(value)):
        if not isinstance(exc, dict):
            continue
        path = f"exception.values.{n}"
        exc = dict(exc)
        for key in ("type", "value", "module"):
            if isinstance(exc.get(key), dict | list):
                errors.invalid(f"{path}.{key}", exc.pop(key))
            elif exc.get(key) is not None and not isinstance(exc[key], str):
                exc[key] = str(exc[key])
        if "mechanism" in exc:
            exc["mechanism"] = _normalize_mechanism(exc["mechanism"], errors, f"{path}.mechanism")
        if not exc.get("type") and isinstance(exc.get("value"), str) and ": " in exc["value"]:
            head, _, rest = exc["value"].partition(": ")
            if head.isidentifier():  # Relay splits "ValueError: x" into type and value
                exc["type"], exc["value"] = head, rest
        for key in ("stacktrace", "raw_stacktrace"):
            if key in exc:
                exc[key] = _normalize_frames(exc[key], errors, f"{path}.{key}")
        if not exc.get("type") and not exc.get("value"):
            continue
        values.append(exc)
    if not values:
        return None
    out = {"values": values}
    if isinstance(value, dict) and value.get("exc_omitted"):
        out["exc_omitted"] = value["exc_omitted"]
    return out


def _normalize_threads(value: Any, errors: Errors) -> dict[str, Any] | None:
    threads = []
    for n, thread in enumerate(_as_values(value)):
        if isinstance(thread, dict):
            thread = dict(thread)
            for key in ("stacktrace", "raw_stacktrace"):
                if key in thread:
                    path = f"threads.values.{n}.{key}"
                    thread[key] = _normalize_frames(thread[key], errors, path)
            for key in ("name", "state"):
                if isinstance(thread.get(key), dict | list):
                    errors.invalid(f"threads.values.{n}.{key}", thread.pop(key))
            threads.append(thread)
    return {"values": threads} if threads else None


def _normalize_breadcrumbs(value: Any, errors: Errors) -> dict[str, Any] | None:
    crumbs = []
    for crumb in _as_values(value):
        if not isinstance(crumb, dict):
            continue
        crumb = dict(crumb)
        for key in ("message", "category", "type", "level"):
            if isinstance(crumb.get(key), dict | list):
                errors.invalid(f"breadcrumbs.values.{len(crumbs)}.{key}", crumb.pop(key))
        crumb["timestamp"] = parse_timestamp(crumb.get("timestamp"))
        crumb["type"] = crumb.get("type") or "default"
        crumb["level"] = _normalize_level(crumb.get("level"), "info")
        crumbs.append(crumb)
    return {"values": crumbs} if crumbs else None


def _normalize_request(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    req = dict(value)
    for key in ("url", "method", "fragment"):
        if req.get(key) is not None and not isinstance(req[key], str):
            req[key] = str(req[key])
    url = req.get("url")
    if isinstance(url, str) and ("?" in url or "#" in url):
        parts = urlsplit(url)
        if parts.query and not req.get("query_string") and not req.get("query"):
            req["query_string"] = parts.query
        if parts.fragment and not req.get("fragment"):
            req["fragment"] = parts.fragment
        req["url"] = url.split("?", 1)[0].split("#", 1)[0]
    query = req.pop("query_string", None)
    if query is None:
        query = req.get("query")
    if isinstance(query, str):
        query = parse_qsl(query.lstrip("?"), keep_blank_values=True)
        req["query"] = [[k, v] for k, v in query]
    else:
        req["query"] = _pairs(query)
    headers = _pairs(req.get("headers"), sort=True)
    cookies = req.get("cookies")
    if isinstance(cookies, str):
        cookies = [
            [k.strip(), v]
            for k, _, v in (c.partition("=") for c in cookies.split(";"))
            if k.strip()
        ]
    cookies = _pairs(cookies, sort=True)
    if not cookies:  # Relay moves a Cookie header into `cookies`
        for name, val in headers:
            if name.lower() == "cookie" and isinstance(val, str):
                cookies = sorted(
                    [
                        [k.strip(), v]
                        for k, _, v in (c.partition("=") for c in val.split(";"))
                        if k.strip()
                    ],
                    key=lambda p: p[0],
                )
        headers = [p for p in headers if p[0].lower() != "cookie"]
    req["headers"] = headers
    req["cookies"] = cookies
    if "method" in req and isinstance(req["method"], str):
        req["method"] = req["method"].upper()
    content_type = next((v for k, v in headers if k.lower() == "content-type"), None)
    if isinstance(content_type, str):
        req["inferred_content_type"] = content_type.split(";", 1)[0].strip()
    elif isinstance(req.get("data"), dict | list):
        req["inferred_content_type"] = "application/json"
    return req


def _normalize_user(value: Any, client_ip: str | None) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        return None
    user = {k: v for k, v in value.items() if v is not None}
    if user.get("ip_address") == "{{auto}}":
        if client_ip:
            user["ip_address"] = client_ip
        else:
            user.pop("ip_address")
    for key in ("id", "email", "username", "ip_address", "name"):
        if key in user and not isinstance(user[key], str):
            user[key] = str(user[key])
    return user or None


def _normalize_contexts(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        return {}
    out: dict[str, Any] = {}
    for name, ctx in value.items():
        if isinstance(ctx, dict):
            ctx = dict(ctx)
            ctx.setdefault("type", name if name in _KNOWN_CONTEXTS else "default")
            out[name] = ctx
    return out


def _normalize_tags(value: Any) -> list[list[str]]:
    pairs: list[list[str]] = []
    if isinstance(value, dict):
        items: Any = value.items()
    elif isinstance(value, list):
        items = [t for t in value if isinstance(t, list | tuple) and len(t) == 2]
    else:
        return pairs
    for key, val in items:
        if key is None or val is None:
            continue
        key = str(key).strip()
        val = val if isinstance(val, str) else str(val)
        if key.startswith("sentry:"):
            key = key[7:]
        if not key or not val or len(key) > MAX_TAG_LENGTH or len(val) > MAX_TAG_LENGTH:
            continue  # Relay drops invalid tags
        if "\n" in val:
            continue
        pairs.append([key, val])
    return pairs


# -- derived fields (Sentry's event types) -------------------------------------------------------


def _last_exception(event: dict[str, Any]) -> dict[str, Any] | None:
    values = (event.get("exception") or {}).get("values") or []
    return values[-1] if values else None


def crash_frame(event: dict[str, Any]) -> dict[str, Any] | None:
    """The most relevant frame: the last in-app frame with a function, else the last such frame."""
    exc = _last_exception(event)
    frames = ((exc or {}).get("stacktrace") or {}).get("frames")
    if not frames:
        frames = (event.get("stacktrace") or {}).get("frames")
    if not frames:
        threads = (event.get("threads") or {}).get("values") or []
        crashed = [t for t in threads if t.get("crashed")]
        if len(threads) == 1 or crashed:
            frames = ((crashed or threads)[0].get("stacktrace") or {}).get("frames")
    default = None
    for frame in reversed(frames or ()):
        if frame.get("function") in (None, "<redacted>", "<unknown>"):
            continue
        if frame.get("in_app"):
            return frame
        if default is None:
            default = frame
    return default


def _frame_culprit(frame: dict[str, Any], platform: str | None) -> str:
    platform = frame.get("platform") or platform
    if platform in ("objc", "cocoa", "native"):
        return frame.get("function") or "?"
    fileloc = frame.get("module") or frame.get("filename")
    if not fileloc:
        return ""
    if platform in ("javascript", "node"):
        return f"{frame.get('function') or '?'}({fileloc})"
    return f"{fileloc} in {frame.get('function') or '?'}"


def _stacktrace_culprit(frames: list[dict[str, Any]], platform: str | None) -> str | None:
    default = None
    for frame in reversed(frames):
        if frame.get("in_app"):
            culprit = _frame_culprit(frame, platform)
            if culprit:
                return culprit
        elif default is None:
            default = _frame_culprit(frame, platform)
    return default


def generate_culprit(event: dict[str, Any]) -> str:
    """Sentry's culprit: transaction, else the crashing frame, else the URL (else the logger)."""
    if event.get("culprit"):
        return truncatechars(str(event["culprit"]), MAX_CULPRIT_LENGTH)
    if event.get("transaction"):
        return truncatechars(event["transaction"], MAX_CULPRIT_LENGTH)
    platform = event.get("platform")
    culprit: str | None = None
    exceptions = (event.get("exception") or {}).get("values") or []
    if exceptions:
        if ((exceptions[-1].get("mechanism") or {}).get("synthetic")) is True:
            return ""
        stacks = [e["stacktrace"]["frames"] for e in exceptions if e.get("stacktrace")]
    else:
        stack = event.get("stacktrace")
        stacks = [stack["frames"]] if stack else []
    if stacks:
        culprit = _stacktrace_culprit(stacks[-1], platform)
    if not culprit and event.get("request"):
        culprit = event["request"].get("url")
    if not culprit and event.get("logger"):
        culprit = event["logger"]
    return truncatechars(str(culprit or ""), MAX_CULPRIT_LENGTH)


def _in_app_frame_mix(event: dict[str, Any]) -> str | None:
    frames = [
        f
        for exc in (event.get("exception") or {}).get("values") or []
        for f in ((exc.get("stacktrace") or {}).get("frames") or [])
    ]
    if not frames:
        return None
    in_app = sum(1 for f in frames if f.get("in_app"))
    if in_app == len(frames):
        return "in-app-only"
    return "system-only" if in_app == 0 else "mixed"


def error_metadata(event: dict[str, Any]) -> dict[str, Any]:
    exc = _last_exception(event)
    if exc is None:
        return {}
    meta: dict[str, Any] = {"value": truncatechars(exc.get("value") or "", 1024)}
    if not (exc.get("mechanism") or {}).get("synthetic"):
        meta["type"] = truncatechars(exc.get("type") or "Error", 128)
    frame = crash_frame(event)
    if frame is not None:
        filename = frame.get("filename") or frame.get("abs_path")
        if filename:
            meta["filename"] = filename
        if frame.get("function"):
            meta["function"] = frame["function"]
    mix = _in_app_frame_mix(event)
    if mix:
        meta["in_app_frame_mix"] = mix
    return meta


def error_title(metadata: dict[str, Any]) -> str:
    ty = metadata.get("type")
    if ty is None:
        return metadata.get("function") or "<unknown>"
    value = metadata.get("value")
    if not value:
        return ty
    lines = value.splitlines()
    return f"{ty}: {truncatechars(lines[0] if lines else '', 100)}"


def default_metadata(event: dict[str, Any]) -> dict[str, Any]:
    entry = event.get("logentry") or {}
    message = (entry.get("formatted") or entry.get("message") or "").strip()
    if message:
        return {"title": truncatechars(message.splitlines()[0], 100)}
    return {"title": "<unlabeled event>"}


def user_tag(user: dict[str, Any] | None) -> str | None:
    """Sentry's EventUser tag value: first of id, email, username, ip."""
    if not user:
        return None
    for key, label in (
        ("id", "id"),
        ("email", "email"),
        ("username", "username"),
        ("ip_address", "ip"),
    ):
        if user.get(key):
            return f"{label}:{user[key]}"
    return None


def _name_version(ctx: dict[str, Any]) -> str | None:
    name = ctx.get("name")
    if not name:
        return None
    version = ctx.get("version")
    return f"{name} {version}" if version else str(name)


def derived_tags(event: dict[str, Any]) -> list[tuple[str, str]]:
    """The tags Sentry adds from the event itself (SENTRY_API.md 10.4 step 5)."""
    tags: list[tuple[str, Any]] = [("level", event.get("level"))]
    for key in ("logger", "environment", "release"):
        tags.append((key, event.get(key)))
    if event.get("release"):
        tags.append(("dist", event.get("dist")))
    tags.append(("server_name", event.get("server_name")))
    tags.append(("transaction", event.get("transaction")))
    exc = _last_exception(event)
    mechanism = (exc or {}).get("mechanism")
    if isinstance(mechanism, dict):
        tags.append(("mechanism", mechanism.get("type")))
        if mechanism.get("handled") is not None:
            tags.append(("handled", "yes" if mechanism["handled"] else "no"))
    contexts = event.get("contexts") or {}
    runtime = contexts.get("runtime") or {}
    tags += [("runtime", _name_version(runtime)), ("runtime.name", runtime.get("name"))]
    tags.append(("os.name", (contexts.get("os") or {}).get("name")))
    client_os = contexts.get("client_os") or {}
    tags += [("client_os", _name_version(client_os)), ("client_os.name", client_os.get("name"))]
    browser = contexts.get("browser") or {}
    tags += [("browser", _name_version(browser)), ("browser.name", browser.get("name"))]
    device = contexts.get("device") or {}
    tags += [("device", device.get("model")), ("device.family", device.get("family"))]
    tags.append(("url", (event.get("request") or {}).get("url")))
    tags.append(("user", user_tag(event.get("user"))))
    tags.append(("trace", (contexts.get("trace") or {}).get("trace_id")))
    out = []
    for key, value in tags:
        if value is None or value == "":
            continue
        value = value if isinstance(value, str) else str(value)
        if len(value) <= MAX_TAG_LENGTH and "\n" not in value:
            out.append((key, value))
    return out


def search_message(event: dict[str, Any]) -> str:
    """Sentry's `search_message`: log message, metadata values and culprit (free text search)."""
    entry = event.get("logentry") or {}
    message = entry.get("formatted") or entry.get("message") or ""
    for value in (event.get("metadata") or {}).values():
        text = str(value)
        if text not in message:
            message = f"{message} {text}"
    culprit = event.get("culprit")
    if culprit and culprit not in message:
        message = f"{message} {culprit}"
    return message.strip()[:8192]


# -- entry point --------------------------------------------------------------------------------


def _event_id(value: Any) -> str:
    if isinstance(value, str):
        try:
            return uuid.UUID(value).hex
        except ValueError:
            pass
    return uuid.uuid4().hex


def normalize_event(
    raw: dict[str, Any],
    *,
    received: float,
    client_ip: str | None = None,
    event_type: str | None = None,
) -> dict[str, Any]:
    """The normalized event (see module docstring) for one SDK event payload."""
    if not isinstance(raw, dict):
        raise ValueError("event payload must be a JSON object")
    raw = with_legacy_aliases(raw)
    given = raw.get("errors")
    errors = Errors(e for e in (given if isinstance(given, list) else []) if isinstance(e, dict))
    ev: dict[str, Any] = {"event_id": _event_id(raw.get("event_id"))}
    ev["timestamp"] = _clamped_timestamp(raw.get("timestamp"), received, errors)
    ev["received"] = received
    ev["platform"] = _str_or_none(raw.get("platform")) or "other"
    for key in ("logger", "environment", "release", "dist", "server_name", "transaction"):
        value = _str_or_none(raw.get(key))
        if value is not None:
            ev[key] = value
    exception = _normalize_exception(raw.get("exception"), errors)
    if exception:
        ev["exception"] = exception
    report = next((k for k in SECURITY_REPORTS if isinstance(raw.get(k), dict) and raw[k]), None)
    if event_type is None:
        event_type = "transaction" if raw.get("type") == "transaction" else report
    ev["type"] = event_type or ("error" if exception else "default")
    ev["level"] = _normalize_level(raw.get("level"), "error" if exception else "info")
    if report:
        ev[report] = raw[report]
    logentry = _normalize_logentry(raw)
    if logentry:
        ev["logentry"] = logentry
    stacktrace = _normalize_frames(raw.get("stacktrace"), errors, "stacktrace")
    if stacktrace:
        ev["stacktrace"] = stacktrace
    for key, fn in (("threads", _normalize_threads), ("breadcrumbs", _normalize_breadcrumbs)):
        value = fn(raw.get(key), errors)
        if value:
            ev[key] = value
    request = _normalize_request(raw.get("request"))
    if request:
        ev["request"] = request
    user = _normalize_user(raw.get("user"), client_ip)
    if user:
        ev["user"] = user
    ev["contexts"] = _normalize_contexts(raw.get("contexts"))
    agent = next(
        (v for k, v in (request or {}).get("headers") or [] if k.lower() == "user-agent"), None
    )
    if isinstance(agent, str):
        for name, ctx in ua_contexts(agent, ev["platform"]).items():
            ev["contexts"].setdefault(name, ctx)  # what the SDK sent wins, as in Relay
    for key in ("extra", "modules", "sdk", "debug_meta", "template"):  # objects only
        if isinstance(raw.get(key), dict) and raw[key]:
            ev[key] = raw[key]
    fingerprint = raw.get("fingerprint")
    if isinstance(fingerprint, str):
        fingerprint = [fingerprint]
    if isinstance(fingerprint, list) and fingerprint:
        ev["fingerprint"] = [str(p) for p in fingerprint if p is not None]
    if raw.get("culprit"):
        ev["culprit"] = str(raw["culprit"])

    if ev["type"] == "error":
        ev["metadata"] = error_metadata(ev)
        ev["title"] = error_title(ev["metadata"])
        ev["location"] = ev["metadata"].get("filename")
    elif report:
        ev["metadata"], ev["title"], culprit = security_report_summary(report, ev[report])
        ev.setdefault("culprit", culprit)
        ev["location"] = None
    else:
        ev["metadata"] = default_metadata(ev)
        ev["title"] = ev["metadata"].get("title") or "<untitled>"
        if ev["type"] == "transaction":
            ev["title"] = ev.get("transaction") or ev["title"]
        ev["location"] = None
    ev["culprit"] = generate_culprit(ev)
    tags = dict(_normalize_tags(raw.get("tags")))
    tags.update(derived_tags(ev))
    if report:
        tags.update(security_report_tags(report, ev[report]))
    ev["tags"] = sorted([k, v] for k, v in tags.items())
    if errors:
        ev["errors"] = list(errors)
    return ev


def with_legacy_aliases(raw: dict[str, Any]) -> dict[str, Any]:
    """`sentry.interfaces.Exception` & co. read as `exception` & co. (the canonical key wins)."""
    if not any(key in raw for key in LEGACY_ALIASES):
        return raw
    out = dict(raw)
    for legacy, key in LEGACY_ALIASES.items():
        value = out.pop(legacy, None)
        if value is not None and out.get(key) is None:
            out[key] = value
    return out


def _clamped_timestamp(value: Any, received: float, errors: Errors) -> float:
    """Relay's clamping: unreadable, far-future and too-old timestamps become the receive time,
    each recorded in `errors` (`invalid_data`, `future_timestamp`, `past_timestamp`)."""
    ts = parse_timestamp(value)
    if ts is None:
        if value is not None:
            errors.invalid("timestamp", value)
        return received
    if ts > received + MAX_FUTURE_SECONDS:
        errors.append({"type": "future_timestamp", "name": "timestamp", "value": iso(ts)})
        return received
    if ts < received - MAX_AGE_SECONDS:
        errors.append({"type": "past_timestamp", "name": "timestamp", "value": iso(ts)})
        return received
    return ts


# -- browser security reports -----------------------------------------------------------------

#: CSP directive -> what Sentry's title calls the blocked thing.
_CSP_LABELS = {
    "child-src": "child", "connect-src": "connect", "font-src": "font", "form-action": "form",
    "frame-src": "frame", "img-src": "image", "manifest-src": "manifest", "media-src": "media",
    "object-src": "object", "script-src": "script", "script-src-elem": "script",
    "script-src-attr": "script", "style-src": "style", "style-src-elem": "style",
    "style-src-attr": "style", "worker-src": "worker", "default-src": "resource",
}  # fmt: skip


def _csp_uri(report: dict[str, Any]) -> str:
    blocked = str(report.get("blocked_uri") or "")
    if blocked in ("", "self", "'self'"):
        return "'self'"
    if blocked in ("inline", "eval"):
        return blocked
    parts = urlsplit(blocked)
    return parts.netloc or parts.scheme or blocked


def security_report_summary(kind: str, report: dict[str, Any]) -> tuple[dict[str, Any], str, str]:
    """(metadata, title, culprit) of a CSP / HPKP / Expect-CT / Expect-Staple report, in the
    words Sentry uses ("Blocked 'script' from 'evil.example'")."""
    if kind == "csp":
        directive = str(
            report.get("effective_directive") or report.get("violated_directive") or ""
        ).split(" ", 1)[0]
        uri = _csp_uri(report)
        label = _CSP_LABELS.get(directive, directive or "resource")
        if uri in ("inline", "eval"):
            title = f"Blocked unsafe {'eval()' if uri == 'eval' else 'inline'} '{label}'"
        else:
            title = f"Blocked '{label}' from '{uri}'"
        culprit = str(report.get("violated_directive") or directive)
        meta = {"directive": directive, "uri": uri, "message": title}
        return meta, truncatechars(title, 200), culprit
    host = str(report.get("hostname") or "?")
    title = {
        "hpkp": f"Public key pinning validation failed for '{host}'",
        "expectct": f"Expect-CT failed for '{host}'",
        "expectstaple": f"Expect-Staple failed for '{host}'",
    }[kind]
    return {"origin": host, "message": title}, truncatechars(title, 200), host


def security_report_tags(kind: str, report: dict[str, Any]) -> list[tuple[str, str]]:
    if kind == "csp":
        pairs = [
            ("effective-directive", report.get("effective_directive")),
            ("blocked-uri", report.get("blocked_uri")),
        ]
    else:
        pairs = [("hostname", report.get("hostname")), ("port", report.get("port"))]
    return [(k, str(v)) for k, v in pairs if v not in (None, "") and len(str(v)) <= MAX_TAG_LENGTH]
