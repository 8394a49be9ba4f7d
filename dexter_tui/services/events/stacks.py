"""Stack traces as shown: frames (in-app filtered, in display order), chained exceptions, threads.

What a frame means (causal order of chained exceptions, which frames are the application's) is
decided here, testable without a terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dexter_tui.choices import STACK_ORDERS as STACK_ORDERS
from dexter_tui.sentry.models import Event, ExceptionData, Stacktrace, StacktraceEntry, ThreadsEntry
from dexter_tui.services.events.text import as_text


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
        return basename(self.package) or (self.module + line if self.module else "")


def basename(path: str) -> str:
    """The last part of a Windows or POSIX path (a native frame's binary)."""
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
    variables = [(str(k), as_text(v)) for k, v in (frame.vars or {}).items()]
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
        resolved_with=as_text(data.get("resolved_with") or data.get("resolvedWith") or ""),
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
            id=as_text(t.id),
            name=t.name or "",
            crashed=bool(t.crashed),
            current=bool(t.current),
            state=t.state or "",
            stack=stack_view(t.stacktrace, in_app_only=in_app_only, newest_first=newest_first),
        )
        for t in entry.data.values
    ]
    return sorted(views, key=lambda t: (not t.crashed, not t.current))
