"""The event models: an event, its entries (exception, stacktrace, breadcrumbs, request…) and
the lookups that carry one, all tolerant (`TolerantModel`: an unreadable field costs that field).

Why a module of their own: the issue list never builds them, and their ~25 classes cost every
start ~16 ms; `dexter_tui.sentry.models` hands them out on first use (`models.Event` works as
before). See `models.py` for the conventions every model follows.
"""

# Annotations are evaluated as written (no `from __future__ import annotations`), as in models.py.

import typing
from contextvars import ContextVar
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    ValidationError,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)

from dexter_tui.sentry.models import Release, SentryModel, _new_dict, _new_list, _none_to

# -- tolerance -------------------------------------------------------------------------------------

#: degradations counted during one top-level validation (None outside of one): the outermost
#: tolerant model learns whether anything below it was repaired
_REPAIRS: ContextVar[list[int] | None] = ContextVar("_REPAIRS", default=None)
#: the `_degraded` of a top-level model in which nothing was unreadable (never filled)
_CLEAN: dict[str, Any] = {}
#: per model class: every key a field can be read from (name, alias, alias choices) → name
_FIELD_KEYS: dict[type, dict[str, str]] = {}


def _field_keys(cls: type[BaseModel]) -> dict[str, str]:
    found = _FIELD_KEYS.get(cls)
    if found is None:
        found = {}
        for name, field in cls.model_fields.items():
            found[name] = name
            if field.alias:
                found[field.alias] = name
            choices = field.validation_alias
            if isinstance(choices, str):
                found[choices] = name
            elif isinstance(choices, AliasChoices):
                found.update({c: name for c in choices.choices if isinstance(c, str)})
        _FIELD_KEYS[cls] = found
    return found


class TolerantModel(SentryModel):
    """An event part that degrades instead of failing: a field of an unexpected type takes its
    default and its raw value is kept in `unreadable` (a bad list item is dropped alone).

    Why: one SDK's odd field (a number where Sentry documents text) must cost that field, not
    the whole event pane. Required fields still fail.

    How: the model is validated as is (one pass in pydantic's core, no Python per field: a 1 MB
    event's thousands of breadcrumbs validate ~8× faster than with a wrap validator per field);
    only when that fails are the fields named by the errors set aside (or the bad list items
    dropped) and the rest validated again.
    """

    #: what was unreadable; `_CLEAN` when nothing was, in this model nor below it (known for
    #: top-level validations only). One private attribute, no default factory: pydantic sets
    #: up private attributes for every instance, thousands per large event.
    _degraded: dict[str, Any] | None = PrivateAttr(default=None)

    @model_validator(mode="wrap")
    @classmethod
    def _tolerate(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        counter = _REPAIRS.get()
        token = _REPAIRS.set([0]) if counter is None else None
        try:
            try:
                model = handler(data)
            except ValidationError as error:
                model, degraded = cls._repaired(data, error, handler)
                if isinstance(model, TolerantModel):
                    model._degraded = degraded
                counts = _REPAIRS.get()
                if counts is not None:
                    counts[0] += 1
            if token is not None and isinstance(model, TolerantModel):
                counts = _REPAIRS.get()
                if counts is not None and counts[0] == 0:
                    model._degraded = _CLEAN
        finally:
            if token is not None:
                _REPAIRS.reset(token)
        return model

    @classmethod
    def _repaired(
        cls, data: Any, error: ValidationError, handler: ValidatorFunctionWrapHandler
    ) -> tuple[Any, dict[str, Any]]:
        """The model without the fields (or list items) `error` names, and what was set aside
        (by Python name; `name.N` for list items). Re-raises when a required field is wrong or
        `data` is not an object at all."""
        if not isinstance(data, dict):
            raise error
        keys = _field_keys(cls)
        fixed = dict(data)
        degraded: dict[str, Any] = {}
        for _ in range(4):  # one pass normally: pydantic reports every wrong field at once
            drops: dict[str, set[int]] = {}
            for problem in error.errors():
                loc = problem.get("loc", ())
                key = loc[0] if loc else None
                name = keys.get(key) if isinstance(key, str) else None
                if key is None or name is None or key not in fixed:
                    raise error
                field = cls.model_fields[name]
                if field.is_required():
                    raise error
                value = fixed[key]
                is_list = typing.get_origin(field.annotation) is list
                if is_list and isinstance(value, list) and len(loc) > 1 and isinstance(loc[1], int):
                    drops.setdefault(key, set()).add(loc[1])
                else:
                    degraded[name] = value
                    del fixed[key]  # its default applies
            for key, bad in drops.items():
                if key in fixed:
                    items = fixed[key]
                    for n in sorted(bad):
                        degraded[f"{keys[key]}.{n}"] = items[n]
                    fixed[key] = [v for n, v in enumerate(items) if n not in bad]
            try:
                return handler(fixed), degraded
            except ValidationError as again:
                error = again
        raise error

    @property
    def unreadable(self) -> dict[str, Any]:
        """Fields (by Python name; `name.N` for list items) that were unreadable: raw values."""
        return self._degraded or {}


def degraded_fields(model: BaseModel, path: str = "") -> list[tuple[str, Any]]:
    """Every unreadable field under `model`, as (dotted path, raw value), depth first."""
    out: list[tuple[str, Any]] = []
    stack: list[tuple[str, Any]] = [(path, model)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, TolerantModel):
            if item._degraded is _CLEAN:
                continue  # validated whole: nothing below it was unreadable
            fields = type(item).model_fields
            for key, value in item.unreadable.items():
                name, dot, index = key.partition(".")
                field = fields.get(name)
                shown = (field.alias if field is not None and field.alias else name) + dot + index
                out.append((f"{where}.{shown}" if where else shown, value))
            children = [(n, getattr(item, n, None)) for n in type(item).model_fields]
        elif isinstance(item, list):
            children = [(str(n), v) for n, v in enumerate(item)]
        else:
            continue
        fields = type(item).model_fields if isinstance(item, BaseModel) else {}
        for name, child in reversed(children):
            if isinstance(child, BaseModel | list):
                field = fields.get(name)
                shown = field.alias if field is not None and field.alias else name
                stack.append((f"{where}.{shown}" if where else shown, child))
    return out


class Frame(TolerantModel):
    filename: str | None = None
    abs_path: str | None = None
    module: str | None = None
    package: str | None = None
    platform: str | None = None
    function: str | None = None
    raw_function: str | None = None
    symbol: str | None = None
    instruction_addr: str | None = None
    symbol_addr: str | None = None
    image_addr: str | None = None
    addr_mode: str | None = None
    line_no: int | None = None
    col_no: int | None = None
    in_app: bool | None = None
    trust: str | None = None
    vars: dict[str, Any] | None = None
    context: list[tuple[int, str | None]] = Field(default_factory=_new_list)
    errors: Any = None
    data: dict[str, Any] | None = None  # JS source maps: sourcemap, resolved_with, symbolicated

    _context_none = field_validator("context", mode="before")(_none_to(list))


class Stacktrace(TolerantModel):
    frames: list[Frame] = Field(default_factory=_new_list)
    frames_omitted: Any = None
    registers: dict[str, Any] | None = None
    has_system_frames: bool | None = None

    _frames_none = field_validator("frames", mode="before")(_none_to(list))


class Mechanism(TolerantModel):
    type: str | None = None
    handled: bool | None = None
    synthetic: bool | None = None
    description: str | None = None
    help_link: str | None = None
    data: dict[str, Any] | None = None
    meta: dict[str, Any] | None = None


class ExceptionValue(TolerantModel):
    type: str | None = None
    value: str | None = None
    module: str | None = None
    mechanism: Mechanism | None = None
    thread_id: int | str | None = None
    stacktrace: Stacktrace | None = None
    raw_stacktrace: Stacktrace | None = None


class ExceptionData(TolerantModel):
    """Chained exceptions, oldest (cause) first: the last value is what was raised."""

    values: list[ExceptionValue] = Field(default_factory=_new_list)
    has_system_frames: bool | None = None
    exc_omitted: list[int] | None = None

    _values_none = field_validator("values", mode="before")(_none_to(list))


class Thread(TolerantModel):
    id: int | str | None = None
    name: str | None = None
    crashed: bool | None = None
    current: bool | None = None
    state: str | None = None
    held_locks: dict[str, Any] | None = None
    stacktrace: Stacktrace | None = None
    raw_stacktrace: Stacktrace | None = None


class ThreadsData(TolerantModel):
    values: list[Thread] = Field(default_factory=_new_list)

    _values_none = field_validator("values", mode="before")(_none_to(list))


class Breadcrumb(TolerantModel):
    type: str | None = None
    category: str | None = None
    level: str | None = None
    message: str | None = None
    data: dict[str, Any] | None = None
    timestamp: datetime | None = None
    event_id: str | None = Field(default=None, alias="event_id")


class BreadcrumbsData(TolerantModel):
    values: list[Breadcrumb] = Field(default_factory=_new_list)

    _values_none = field_validator("values", mode="before")(_none_to(list))


class RequestData(TolerantModel):
    url: str | None = None
    method: str | None = None
    query: Any = None  # pair list on the API, sometimes a string
    fragment: str | None = None
    data: Any = None
    headers: Any = None  # pair list [[name, value], ...]
    cookies: Any = None
    env: dict[str, Any] | None = None
    inferred_content_type: str | None = None


class MessageData(TolerantModel):
    formatted: str | None = None
    message: str | None = None
    params: Any = None


class ExceptionEntry(TolerantModel):
    type: Literal["exception"] = "exception"
    data: ExceptionData = Field(default_factory=ExceptionData)


class StacktraceEntry(TolerantModel):
    type: Literal["stacktrace"] = "stacktrace"
    data: Stacktrace = Field(default_factory=Stacktrace)


class ThreadsEntry(TolerantModel):
    type: Literal["threads"] = "threads"
    data: ThreadsData = Field(default_factory=ThreadsData)


class BreadcrumbsEntry(TolerantModel):
    type: Literal["breadcrumbs"] = "breadcrumbs"
    data: BreadcrumbsData = Field(default_factory=BreadcrumbsData)


class RequestEntry(TolerantModel):
    type: Literal["request"] = "request"
    data: RequestData = Field(default_factory=RequestData)


class MessageEntry(TolerantModel):
    type: Literal["message"] = "message"
    data: MessageData = Field(default_factory=MessageData)


class DebugImage(TolerantModel):
    """A loaded binary (`debug_meta.images`): what native frames' addresses point into."""

    type: str | None = None
    code_file: str | None = Field(default=None, alias="code_file")
    code_id: str | None = Field(default=None, alias="code_id")
    debug_file: str | None = Field(default=None, alias="debug_file")
    debug_id: str | None = Field(default=None, alias="debug_id")
    image_addr: str | int | None = Field(default=None, alias="image_addr")
    image_size: int | None = Field(default=None, alias="image_size")
    image_vmaddr: str | int | None = Field(default=None, alias="image_vmaddr")
    arch: str | None = None
    name: str | None = None  # legacy "apple" images
    uuid: str | None = None


class DebugMetaData(TolerantModel):
    images: list[DebugImage] = Field(default_factory=_new_list)
    sdk_info: dict[str, Any] | None = Field(default=None, alias="sdk_info")

    _images_none = field_validator("images", mode="before")(_none_to(list))


class DebugMetaEntry(TolerantModel):
    type: Literal["debugmeta"] = "debugmeta"
    data: DebugMetaData = Field(default_factory=DebugMetaData)


class OtherEntry(TolerantModel):
    """Any entry type this client does not model (template, csp, debugmeta, spans...)."""

    type: str = ""
    data: Any = None


_ENTRY_TAGS = {
    "exception", "stacktrace", "threads", "breadcrumbs", "request", "message", "debugmeta"
}  # fmt: skip


def _entry_tag(value: Any) -> str:
    kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
    if kind in _ENTRY_TAGS:
        data = value.get("data") if isinstance(value, dict) else getattr(value, "data", None)
        if isinstance(data, dict | BaseModel):
            return kind
    return "other"


Entry = Annotated[
    Annotated[ExceptionEntry, Tag("exception")]
    | Annotated[StacktraceEntry, Tag("stacktrace")]
    | Annotated[ThreadsEntry, Tag("threads")]
    | Annotated[BreadcrumbsEntry, Tag("breadcrumbs")]
    | Annotated[RequestEntry, Tag("request")]
    | Annotated[MessageEntry, Tag("message")]
    | Annotated[DebugMetaEntry, Tag("debugmeta")]
    | Annotated[OtherEntry, Tag("other")],
    Discriminator(_entry_tag),
]


class EventTag(TolerantModel):
    key: str = ""
    value: str | None = None
    query: str | None = None


class EventUser(TolerantModel):
    id: str | None = None
    email: str | None = None
    username: str | None = None
    ip_address: str | None = Field(default=None, alias="ip_address")
    name: str | None = None
    geo: dict[str, Any] | None = None
    data: dict[str, Any] | None = None

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_str(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value


class Sdk(TolerantModel):
    name: str | None = None
    version: str | None = None


class Event(TolerantModel):
    """A full event (entries...) or a simple one from an event list (`event.type`, no entries)."""

    id: str = ""
    event_id: str | None = Field(default=None, alias="eventID")
    group_id: str | None = Field(default=None, alias="groupID")
    project_id: str | None = Field(default=None, alias="projectID")
    type: str | None = Field(default=None, validation_alias=AliasChoices("type", "event.type"))
    title: str = ""
    message: str | None = None
    location: str | None = None
    culprit: str | None = None
    platform: str | None = None
    dist: str | None = None
    size: int | None = None
    date_created: datetime | None = None
    date_received: datetime | None = None
    metadata: dict[str, Any] = Field(default_factory=_new_dict)
    tags: list[EventTag] = Field(default_factory=_new_list)
    user: EventUser | None = None
    contexts: dict[str, Any] = Field(default_factory=_new_dict)
    context: dict[str, Any] = Field(default_factory=_new_dict)
    packages: dict[str, Any] = Field(default_factory=_new_dict)
    sdk: Sdk | None = None
    entries: list[Entry] = Field(default_factory=_new_list)
    errors: list[Any] = Field(default_factory=_new_list)
    fingerprints: list[str] = Field(default_factory=_new_list)
    release: Release | None = None
    next_event_id: str | None = Field(default=None, alias="nextEventID")
    previous_event_id: str | None = Field(default=None, alias="previousEventID")

    _dicts_none = field_validator("metadata", "contexts", "context", "packages", mode="before")(
        _none_to(dict)
    )
    _lists_none = field_validator("tags", "entries", "errors", "fingerprints", mode="before")(
        _none_to(list)
    )

    _source: dict[str, Any] | None = PrivateAttr(default=None)

    @model_validator(mode="wrap")
    @classmethod
    def _keep_source(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        model = handler(data)
        if isinstance(data, dict) and isinstance(model, Event):
            model._source = data
        return model

    @property
    def source(self) -> dict[str, Any] | None:
        """The JSON this event was read from, as the API sent it (what the Raw tab shows)."""
        return self._source

    def unreadable_fields(self) -> list[tuple[str, Any]]:
        """Every field of the event that could not be read: (dotted path, raw value)."""
        return degraded_fields(self)

    @field_validator("group_id", "project_id", mode="before")
    @classmethod
    def _ids_as_str(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    @field_validator("release", mode="before")
    @classmethod
    def _release_from_string(cls, value: Any) -> Any:
        return {"version": value} if isinstance(value, str) else value

    def entry(self, kind: str) -> Any:
        """The first entry of type `kind` (e.g. "exception"), or None."""
        return next((e for e in self.entries if e.type == kind), None)

    @property
    def exception(self) -> ExceptionData | None:
        found = self.entry("exception")
        return found.data if isinstance(found, ExceptionEntry) else None

    @property
    def breadcrumbs(self) -> list[Breadcrumb]:
        found = self.entry("breadcrumbs")
        return found.data.values if isinstance(found, BreadcrumbsEntry) else []

    def tag(self, key: str) -> str | None:
        return next((t.value for t in self.tags if t.key == key), None)


class IssueHash(SentryModel):
    id: str = ""
    latest_event: Event | None = None
    merged_by_seer: bool | None = None


# -- lookups that carry an event -------------------------------------------------------------------


class EventIdLookup(SentryModel):
    organization_slug: str | None = None
    project_slug: str | None = None
    group_id: str | None = None
    event_id: str | None = None
    event: Event | None = None

    @field_validator("group_id", mode="before")
    @classmethod
    def _id_as_str(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value
