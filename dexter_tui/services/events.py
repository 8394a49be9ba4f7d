"""One issue's events, headless: navigation and the view models the event screen draws.

Why here and not in the screen: what a frame, a breadcrumb or a request *means* (causal order of
chained exceptions, in-app filtering, which headers are secrets, what looks like PII) is testable
without a terminal, and the same rules serve an export or a future web view. No Textual import.

Navigation follows Sentry's issue-event route (SENTRY_API.md §5.2): `latest`, `oldest`,
`recommended` or an id, each one request; the answer carries `nextEventID` (newer) and
`previousEventID` (older), so stepping is one request too.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.models import (
    Activity,
    Event,
    ExceptionData,
    Issue,
    RequestEntry,
    Stacktrace,
    StacktraceEntry,
    TagDetail,
    ThreadsEntry,
)
from dexter_tui.sentry.pagination import Page
from dexter_tui.services.json_depth import INLINE_MAX_DEPTH, RAW_MAX_DEPTH, clip_depth

#: stack order settings: Python's own (most recent call last) or Sentry's web default
STACK_ORDERS = ("oldest-first", "newest-first")
NAMED_EVENTS = ("latest", "oldest", "recommended")


class NoMoreEvents(LookupError):
    """There is no newer/older event than the one shown (not an error worth a modal)."""


# -- navigation ------------------------------------------------------------------------------------


def event_json(event: Event) -> dict[str, Any]:
    """The event as the API sent it, for Raw and the analyzer: the JSON it was read from (so a
    field the model could not read is still shown, and no depth limit of the model applies)."""
    if event.source is not None:
        return event.source
    return event.model_dump(mode="json", by_alias=True, exclude_unset=True)


@dataclass
class EventNavigator:
    """Which event of an issue is shown and how to get to the next one, one request each."""

    client: SentryClient
    org: str
    issue_id: str
    total: int = 0  # events in the issue (for "3 of 1,204")
    event: Event | None = None
    position: int | None = None  # 1 = latest; None when unknown (recommended, by id)
    requests: int = 0

    def target(self, which: str) -> tuple[str, int | None]:
        """(event id or name to fetch, position it will have) for latest/oldest/…/newer/older."""
        if which == "latest":
            return "latest", 1
        if which == "oldest":
            return "oldest", self.total or None
        if which == "recommended":
            return "recommended", None
        if which in ("newer", "older"):
            current = self.event
            if current is None:
                return "latest", 1
            nxt = current.next_event_id if which == "newer" else current.previous_event_id
            if not nxt:
                raise NoMoreEvents(
                    "This is the newest event." if which == "newer" else "This is the oldest event."
                )
            step = -1 if which == "newer" else 1
            return nxt, (self.position + step if self.position is not None else None)
        return which, None

    async def load(self, which: str, *, position: int | None = None) -> Event:
        event_id, pos = self.target(which)
        self.requests += 1
        event = await self.client.get_issue_event(self.org, self.issue_id, event_id)
        self.event = event
        self.position = position if position is not None else pos
        if self.position is not None and self.total and self.position > self.total:
            self.total = self.position
        return event

    def describe(self) -> str:
        """'event 3 of 1,204' / 'event ? of 1,204'."""
        where = f"{self.position:,}" if self.position is not None else "?"
        total = f"{self.total:,}" if self.total else "?"
        return f"event {where} of {total}"

    async def list_events(self, cursor: str | None = None, per_page: int = 50) -> Page[Event]:
        """A page of this issue's events (newest first) for the event list."""
        self.requests += 1
        return await self.client.list_issue_events(
            self.org, self.issue_id, cursor=cursor, per_page=per_page
        )


# -- stack traces ----------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(clip_depth(value, INLINE_MAX_DEPTH), ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        return "…"


@dataclass
class FrameView:
    """One frame as shown: where, the source around the line, and its local variables."""

    filename: str
    function: str
    module: str
    line_no: int | None
    col_no: int | None
    in_app: bool
    context: list[tuple[int, str]] = field(default_factory=list)
    variables: list[tuple[str, str]] = field(default_factory=list)
    package: str = ""
    instruction_addr: str = ""
    symbol_addr: str = ""
    image_addr: str = ""
    source_map: str = ""  # JS: the source map this frame was resolved with
    resolved_with: str = ""  # JS: how the map was found (release, debug-id, …)
    minified: bool = False  # JS: a minified frame no source map resolved

    @property
    def label(self) -> str:
        """What names the frame: `module.function` (Java, .NET), the function, else the file,
        else the instruction address (native frames Sentry could not symbolicate)."""
        name = self.function if self.function not in ("", "?") else ""
        if name:
            module = self.module
            if module and "/" not in module and "\\" not in module and not name.startswith(module):
                return f"{module}.{name}"
            return name
        return self.filename or self.instruction_addr or self.module or "?"

    @property
    def location(self) -> str:
        """`file:line:col`; `line N` when the file is already the label; else the binary
        (package) a native frame is in; "" when there is nothing to say."""
        line = ""
        if self.line_no is not None:
            line = f":{self.line_no}" + (f":{self.col_no}" if self.col_no is not None else "")
        if self.filename and self.label != self.filename:
            return self.filename + line
        if self.filename:
            return f"line {line[1:]}" if line else ""
        return _basename(self.package) or (self.module + line if self.module else "")


def _basename(path: str) -> str:
    return path.replace("\\", "/").rsplit("/", 1)[-1]


@dataclass
class StackView:
    """Frames to show (after in-app filtering, in display order) and how many were hidden."""

    frames: list[FrameView]
    hidden: int = 0
    total: int = 0
    omitted: tuple[int, int] | None = None  # frames_omitted: the server dropped [start, end)


@dataclass
class ExceptionView:
    type: str
    value: str
    module: str = ""
    mechanism: str = ""
    handled: bool | None = None
    stack: StackView = field(default_factory=lambda: StackView([]))
    relation: str = ""  # "raised while handling the above" etc., for chained ones


@dataclass
class ThreadView:
    id: str
    name: str
    crashed: bool
    current: bool
    state: str
    stack: StackView


def frame_view(frame: Any) -> FrameView:
    context = [(int(n), line or "") for n, line in frame.context or [] if isinstance(n, int)]
    variables = [(str(k), _text(v)) for k, v in (frame.vars or {}).items()]
    data = frame.data or {}
    source_map = data.get("sourcemap")
    return FrameView(
        filename=frame.filename or frame.abs_path or "",
        function=frame.function or frame.raw_function or frame.symbol or "?",
        module=frame.module or "",
        line_no=frame.line_no,
        col_no=frame.col_no,
        in_app=bool(frame.in_app),
        context=context,
        variables=variables,
        package=frame.package or "",
        instruction_addr=frame.instruction_addr or "",
        symbol_addr=frame.symbol_addr or "",
        image_addr=frame.image_addr or "",
        source_map=source_map if isinstance(source_map, str) else "",
        resolved_with=_text(data.get("resolved_with") or data.get("resolvedWith") or ""),
        minified=data.get("symbolicated") is False,
    )


def _omitted(stacktrace: Stacktrace | None) -> tuple[int, int] | None:
    value = stacktrace.frames_omitted if stacktrace is not None else None
    if isinstance(value, list | tuple) and len(value) == 2:
        start, end = value
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end:
            return (start, end)
    return None


def stack_view(
    stacktrace: Stacktrace | None, *, in_app_only: bool, newest_first: bool = False
) -> StackView:
    """Frames oldest call first as Sentry sends them (crashing frame last), or reversed.

    In-app only keeps the application's frames; when none is in-app (a crash inside a library)
    every frame is shown, because an empty trace answers nothing.
    """
    frames = [frame_view(f) for f in (stacktrace.frames if stacktrace else [])]
    total = len(frames)
    shown = frames
    if in_app_only and any(f.in_app for f in frames):
        shown = [f for f in frames if f.in_app]
    if newest_first:
        shown = list(reversed(shown))
    return StackView(shown, total - len(shown), total, _omitted(stacktrace))


def exception_chain(
    event: Event, *, in_app_only: bool = True, newest_first: bool = False
) -> list[ExceptionView]:
    """Chained exceptions in causal order: the root cause first, the exception raised last
    (as Python prints them); newest-first shows the raised one first."""
    data = event.exception
    if data is None:
        entry = event.entry("stacktrace")
        if isinstance(entry, StacktraceEntry):
            stack = stack_view(entry.data, in_app_only=in_app_only, newest_first=newest_first)
            return [ExceptionView(type="Stack trace", value=event.title, stack=stack)]
        return []
    views = [_exception_view(v, in_app_only, newest_first) for v in _values(data)]
    for view in views[1:]:
        view.relation = (
            "During handling of the above exception, another exception occurred:"
            if event.platform in (None, "", "python")
            else "The exception above caused:"  # Java's "Caused by", .NET's inner exception
        )
    if newest_first:
        views.reverse()
        for n, view in enumerate(views):
            view.relation = "" if n == 0 else "Caused by / while handling:"
    return views


def _values(data: ExceptionData) -> list[Any]:
    return list(data.values)


def _exception_view(value: Any, in_app_only: bool, newest_first: bool) -> ExceptionView:
    mech = value.mechanism
    return ExceptionView(
        type=value.type or "Error",
        value=value.value or "",
        module=value.module or "",
        mechanism=(mech.type or "") if mech else "",
        handled=mech.handled if mech else None,
        stack=stack_view(value.stacktrace, in_app_only=in_app_only, newest_first=newest_first),
    )


def thread_views(
    event: Event, *, in_app_only: bool = True, newest_first: bool = False
) -> list[ThreadView]:
    """The event's threads, the crashed one first, then the current one, then by id."""
    entry = event.entry("threads")
    if not isinstance(entry, ThreadsEntry):
        return []
    views = [
        ThreadView(
            id=_text(t.id),
            name=t.name or "",
            crashed=bool(t.crashed),
            current=bool(t.current),
            state=t.state or "",
            stack=stack_view(t.stacktrace, in_app_only=in_app_only, newest_first=newest_first),
        )
        for t in entry.data.values
    ]
    return sorted(views, key=lambda t: (not t.crashed, not t.current))


# -- breadcrumbs -----------------------------------------------------------------------------------


@dataclass
class CrumbView:
    offset: float | None  # seconds relative to the event (negative: before it)
    category: str
    level: str
    type: str
    message: str
    data: str

    def haystack(self) -> str:
        return f"{self.category} {self.level} {self.type} {self.message} {self.data}".casefold()


def breadcrumb_views(event: Event) -> list[CrumbView]:
    """Oldest first, each with its time relative to the event."""
    at = event.date_created
    views = []
    for crumb in event.breadcrumbs:
        offset = None
        if at is not None and crumb.timestamp is not None:
            offset = (crumb.timestamp - at).total_seconds()
        views.append(
            CrumbView(
                offset=offset,
                category=crumb.category or "",
                level=crumb.level or "",
                type=crumb.type or "default",
                message=crumb.message or "",
                data=_text(crumb.data) if crumb.data else "",
            )
        )
    return views


def format_offset(seconds: float | None) -> str:
    """-0.25s, -12.0s, -3m04s, -2h05m (relative to the event)."""
    if seconds is None:
        return "?"
    sign = "-" if seconds < 0 else "+"
    s = abs(seconds)
    if s < 60:
        return f"{sign}{s:.2f}s" if s < 10 else f"{sign}{s:.1f}s"
    if s < 3600:
        return f"{sign}{int(s // 60)}m{int(s % 60):02d}s"
    return f"{sign}{int(s // 3600)}h{int(s % 3600 // 60):02d}m"


def filter_crumbs(crumbs: Sequence[CrumbView], text: str) -> list[CrumbView]:
    """`category:NAME` (or `cat:`) and `level:NAME` narrow by field; other words match anywhere."""
    categories: list[str] = []
    levels: list[str] = []
    words: list[str] = []
    for token in text.split():
        key, sep, value = token.partition(":")
        if sep and key.casefold() in ("category", "cat") and value:
            categories.append(value.casefold())
        elif sep and key.casefold() == "level" and value:
            levels.append(value.casefold())
        else:
            words.append(token.casefold())
    out = []
    for crumb in crumbs:
        if categories and not any(c in crumb.category.casefold() for c in categories):
            continue
        if levels and crumb.level.casefold() not in levels:
            continue
        hay = crumb.haystack()
        if all(w in hay for w in words):
            out.append(crumb)
    return out


# -- tags ------------------------------------------------------------------------------------------


@dataclass
class TagRowView:
    key: str
    value: str
    count: int
    share: float  # of the tag's total on the issue
    on_event: bool  # this value is the shown event's value
    first_of_key: bool
    event_value: str | None  # the event's value of this key (even when not in the top values)


def tag_rows(details: Sequence[TagDetail], event: Event | None) -> list[TagRowView]:
    """One row per (key, top value); event tags whose key the issue endpoint lacks come last."""
    event_values = {t.key: t.value for t in event.tags} if event else {}
    rows: list[TagRowView] = []
    seen: set[str] = set()
    for detail in sorted(details, key=lambda d: d.key):
        seen.add(detail.key)
        total = detail.total_values or sum(v.count or 0 for v in detail.top_values) or 0
        mine = event_values.get(detail.key)
        values = detail.top_values or []
        if not values:
            values = []
        for n, tv in enumerate(values):
            count = tv.count or 0
            rows.append(
                TagRowView(
                    key=detail.key,
                    value=tv.value or "",
                    count=count,
                    share=count / total if total else 0.0,
                    on_event=mine is not None and tv.value == mine,
                    first_of_key=n == 0,
                    event_value=mine,
                )
            )
        if mine is not None and not any(tv.value == mine for tv in values):
            rows.append(TagRowView(detail.key, mine, 0, 0.0, True, not values, mine))
    for key, value in sorted(event_values.items()):
        if key not in seen and value is not None:
            rows.append(TagRowView(key, value, 0, 0.0, True, True, value))
    return rows


_BLOCKS = " ▏▎▍▌▋▊▉█"


def bar(share: float, width: int) -> str:
    """A horizontal bar of `width` cells filled to `share` (eighth-cell steps)."""
    share = min(max(share, 0.0), 1.0)
    eighths = round(share * width * 8)
    full, part = divmod(eighths, 8)
    text = "█" * full + (_BLOCKS[part] if part and full < width else "")
    return text.ljust(width)


def tag_query(key: str, value: str) -> str:
    """The issue-search term for `key:value` (quoted; quotes and backslashes escaped)."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'{key}:"{escaped}"'


# -- context and request ---------------------------------------------------------------------------

CONTEXT_ORDER = ("user", "os", "runtime", "browser", "device", "trace", "app")

KeyValues = list[tuple[str, str]]


def _flatten(value: Any, prefix: str = "", depth: int = 0) -> KeyValues:
    if isinstance(value, Mapping) and depth < 3:
        out: KeyValues = []
        for k, v in value.items():
            if k == "type" and depth == 0:
                continue
            out += _flatten(v, f"{prefix}.{k}" if prefix else str(k), depth + 1)
        return out
    if value is None or value == {} or value == []:
        return []
    return [(prefix, _text(value))]


def context_groups(event: Event) -> list[tuple[str, KeyValues]]:
    """Readable key/value groups: user, os, runtime, browser, device, trace, app, the other
    contexts, extra, sdk."""
    groups: list[tuple[str, KeyValues]] = []
    contexts = dict(event.contexts)
    if event.user is not None:
        user = event.user.model_dump(by_alias=True, exclude_none=True)
        groups.append(("user", _flatten(user)))
    for name in CONTEXT_ORDER[1:]:
        if name in contexts:
            groups.append((name, _flatten(contexts.pop(name))))
    for name in sorted(contexts):
        groups.append((name, _flatten(contexts[name])))
    if event.context:
        groups.append(("extra", _flatten(event.context)))
    if event.sdk is not None:
        groups.append(("sdk", _flatten(event.sdk.model_dump(exclude_none=True))))
    return [(name, kv) for name, kv in groups if kv]


SENSITIVE_NAME = re.compile(
    r"cookie|authori[sz]ation|auth|token|secret|passw(or)?d|pwd|api[-_]?key|session|csrf|xsrf"
    r"|signature|credential|private[-_]?key|x-forwarded-for|x-real-ip|sentry-trace|baggage",
    re.IGNORECASE,
)
MASK = "********"
_FORM_SECRET = re.compile(
    r"((?:passw(?:or)?d|pwd|token|secret|api[-_]?key|session|auth)[^=&\s]*=)([^&\s]+)",
    re.IGNORECASE,
)


def is_sensitive(name: str) -> bool:
    return bool(SENSITIVE_NAME.search(name))


def mask_header(name: str, value: str) -> str:
    """`Authorization: Bearer abc` → `Bearer ********`; other sensitive values → `********`."""
    if not is_sensitive(name):
        return value
    if name.casefold() in ("authorization", "proxy-authorization"):
        scheme, sep, _ = value.partition(" ")
        if sep and scheme.isalpha():
            return f"{scheme} {MASK}"
    return MASK


def _pairs(value: Any) -> KeyValues:
    """Sentry's pair lists ([[k, v], ...]); a dict or a query string are accepted too."""
    if value is None:
        return []
    if isinstance(value, str):
        out = []
        for part in value.split("&"):
            if part:
                k, _, v = part.partition("=")
                out.append((k, v))
        return out
    if isinstance(value, Mapping):
        return [(str(k), _text(v)) for k, v in value.items()]
    out = []
    for item in value if isinstance(value, list) else []:
        if isinstance(item, list | tuple) and len(item) == 2:
            out.append((_text(item[0]), _text(item[1])))
    return out


def _mask_data(value: Any, depth: int = 0) -> Any:
    if isinstance(value, Mapping) and depth < 8:
        return {
            k: (MASK if is_sensitive(str(k)) else _mask_data(v, depth + 1))
            for k, v in value.items()
        }
    if isinstance(value, list) and depth < 8:
        return [_mask_data(v, depth + 1) for v in value]
    if isinstance(value, str):
        return _FORM_SECRET.sub(lambda m: m.group(1) + MASK, value)
    return value


@dataclass
class RequestView:
    method: str
    url: str
    query: KeyValues
    fragment: str
    headers: KeyValues
    cookies: KeyValues
    body: str
    env: KeyValues
    content_type: str


def request_view(event: Event) -> RequestView | None:
    """The HTTP request of the event, with cookies, auth headers and secret fields masked."""
    entry = event.entry("request")
    if not isinstance(entry, RequestEntry):
        return None
    data = entry.data
    headers = [(k, mask_header(k, v)) for k, v in _pairs(data.headers)]
    cookies = [(k, MASK) for k, _ in _pairs(data.cookies)]
    query = [(k, MASK if is_sensitive(k) else v) for k, v in _pairs(data.query)]
    body = data.data
    if isinstance(body, str):
        body_text = _mask_data(body)
    elif body is None:
        body_text = ""
    else:
        shown = clip_depth(_mask_data(body), RAW_MAX_DEPTH)
        body_text = json.dumps(shown, indent=2, ensure_ascii=False, default=str)
    env = [(k, MASK if is_sensitive(k) else v) for k, v in _pairs(data.env)]
    return RequestView(
        method=data.method or "",
        url=data.url or "",
        query=query,
        fragment=data.fragment or "",
        headers=headers,
        cookies=cookies,
        body=body_text,
        env=env,
        content_type=data.inferred_content_type or "",
    )


# -- PII masking -----------------------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_IP_CANDIDATE = re.compile(
    r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?!\w|\.\d)"
    r"|(?<![\w.:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w.:])"
)
_CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
_TOKEN = re.compile(
    r"\b(?:(?:sntry[su]|sk_live|sk_test|rk_live|ghp|gho|github_pat|xox[abpr])[_-][A-Za-z0-9_\-=]{8,}"
    r"|AKIA[0-9A-Z]{16}|eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]+"
    r"|[A-Za-z0-9+/_\-]{40,}={0,2})"
)


def _luhn(digits: str) -> bool:
    total = 0
    for n, ch in enumerate(reversed(digits)):
        d = int(ch)
        if n % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _mask_ip(match: re.Match[str]) -> str:
    text = match.group(0)
    if ":" in text and text.count(":") < 2:
        return text
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return text
    return "‹ip›"


def _mask_card(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return "‹card›" if 13 <= len(digits) <= 19 and _luhn(digits) else match.group(0)


def _mask_token(match: re.Match[str]) -> str:
    text = match.group(0)
    if len(text) >= 40 and not text.startswith(("sntry", "sk_", "rk_", "gh", "xox", "AKIA", "eyJ")):
        # long random-looking keys: mixed case and digits; not paths, words or hex ids
        has = (any(c.isupper() for c in text), any(c.islower() for c in text))
        if not (all(has) and any(c.isdigit() for c in text)):
            return text
    return "‹token›"


def mask_pii(text: str) -> str:
    """Mask emails, IP addresses, card-like numbers (Luhn-valid) and long tokens/keys.

    Lower-case hex ids (event ids, trace ids, hashes) are kept: they identify data, not people,
    and the screen is useless without them.
    """
    if not text:
        return text
    text = _TOKEN.sub(_mask_token, text)
    text = _EMAIL.sub("‹email›", text)
    text = _IP_CANDIDATE.sub(_mask_ip, text)
    return _CARD.sub(_mask_card, text)


# -- comments and activity -------------------------------------------------------------------------

ACTIVITY_LABELS = {
    "note": "commented",
    "first_seen": "first seen",
    "set_resolved": "marked resolved",
    "set_resolved_in_release": "resolved in release",
    "set_resolved_by_age": "auto-resolved (age)",
    "set_resolved_in_commit": "resolved in commit",
    "set_unresolved": "marked unresolved",
    "set_ignored": "archived/ignored",
    "set_regression": "regressed",
    "set_escalating": "escalating",
    "assigned": "assigned",
    "unassigned": "unassigned",
    "merge": "merged",
    "set_public": "made public",
    "set_private": "made private",
    "set_priority": "priority changed",
    "create_issue": "external issue created",
}


def activity_label(activity: Activity) -> str:
    """`assigned to Ana`, `resolved in release 1.2` — a readable line for one activity item."""
    label = ACTIVITY_LABELS.get(activity.type, activity.type.replace("_", " "))
    data = activity.data
    if activity.type == "assigned":
        who = data.get("assigneeName") or data.get("assigneeEmail") or data.get("assignee")
        if who:
            label += f" to {_text(who)}"
    elif activity.type == "set_resolved_in_release" and data.get("version"):
        label += f" {_text(data['version'])}"
    elif activity.type == "set_regression" and data.get("version"):
        label += f" in {_text(data['version'])}"
    elif activity.type == "set_priority" and data.get("priority"):
        label += f" to {_text(data['priority'])}"
    elif activity.type == "set_ignored":
        details = {k: v for k, v in data.items() if k.startswith("ignore") and v}
        if details:
            label += " (" + ", ".join(f"{k}={_text(v)}" for k, v in details.items()) + ")"
    return label


def actor_name(activity: Activity) -> str:
    user = activity.user
    if user is None:
        return "Sentry"
    return user.name or user.email or user.username or f"user {user.id}"


def is_own(activity: Activity, me_id: str | None) -> bool:
    """A note the current user wrote (only those can be edited or deleted)."""
    return (
        activity.type == "note"
        and me_id is not None
        and activity.user is not None
        and activity.user.id == me_id
    )


def timeline(activities: Iterable[Activity]) -> list[Activity]:
    """Newest first, as Sentry lists them (ties keep the server's order)."""
    items = list(activities)
    floor = datetime.min.replace(tzinfo=None)
    return sorted(
        items,
        key=lambda a: a.date_created.replace(tzinfo=None) if a.date_created else floor,
        reverse=True,
    )


# -- raw JSON --------------------------------------------------------------------------------------


def raw_lines(raw: Mapping[str, Any]) -> list[str]:
    """The event JSON pretty-printed, one string per line (the view draws only visible ones),
    with the request's secrets masked as the Request tab masks them and nesting deeper than
    `RAW_MAX_DEPTH` shown as `… (depth N)`."""
    from dexter_tui.services.event_blocks import mask_secrets  # beside the other blocks

    shown = mask_secrets(clip_depth(raw, RAW_MAX_DEPTH))
    return json.dumps(shown, indent=2, ensure_ascii=False, default=str).split("\n")


async def raw_lines_async(raw: Mapping[str, Any]) -> list[str]:
    """Same, in a thread: a multi-megabyte event must not stall the screen."""
    return await asyncio.to_thread(raw_lines, raw)


def search_lines(lines: Sequence[str], needle: str) -> list[int]:
    """Indices of the lines containing `needle` (case-insensitive)."""
    if not needle:
        return []
    folded = needle.casefold()
    return [n for n, line in enumerate(lines) if folded in line.casefold()]


# -- deadlocks -------------------------------------------------------------------------------------

_DEADLOCK_HINT = re.compile(r"40P01|deadlock", re.IGNORECASE)


def may_be_deadlock(event: Event) -> bool:
    """Cheap pre-check before the analyzer: SQLSTATE 40P01 or 'deadlock' in the usual places."""
    texts = [event.title, event.message or "", event.tag("db.sqlstate") or ""]
    data = event.exception
    if data is not None:
        texts += [f"{v.type} {v.value}" for v in data.values]
    return any(_DEADLOCK_HINT.search(t or "") for t in texts)


def deadlock_analysis(event: Event, raw: Mapping[str, Any] | None = None) -> Any:
    """The analyzer's `Analysis` when the event is a PostgreSQL deadlock, else None."""
    if not may_be_deadlock(event):
        return None
    from dexter_tui.services.deadlock import analyze

    analysis = analyze(dict(raw) if raw is not None else event_json(event))
    return analysis if analysis.is_deadlock else None


# -- issue header ----------------------------------------------------------------------------------


def issue_status(issue: Issue) -> str:
    """`unresolved (regressed)`, `ignored (archived_until_escalating)`…"""
    status = issue.status
    if issue.substatus and issue.substatus not in (status, "ongoing"):
        return f"{status} ({issue.substatus})"
    return status
