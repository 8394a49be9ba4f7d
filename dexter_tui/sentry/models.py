"""Tolerant pydantic models of Sentry's Web API payloads (SENTRY_API.md §3-7).

Tolerant on purpose: the OpenAPI schema marks nearly every field required, real Sentry omits
many. Every field has a default, unknown fields are kept (`extra="allow"`), and Python names are
snake_case with Sentry's camelCase as aliases (`Issue.model_validate(json)` and
`issue.short_id`). Untrusted text stays plain data here; escaping is the TUI's job.
"""

# Annotations are evaluated as written (no `from __future__ import annotations`): pydantic would
# otherwise compile every one back from its string when the classes are built at start.

from datetime import datetime
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
)
from pydantic.alias_generators import to_camel


class SentryModel(BaseModel):
    """Base: camelCase aliases, extra fields allowed, names usable too."""

    model_config = ConfigDict(
        extra="allow",
        populate_by_name=True,
        alias_generator=to_camel,
        frozen=False,
        defer_build=True,  # schemas built on first use: the list never builds Event's (issue 19)
    )


def _new_list() -> list[Any]:
    """`default_factory` of an empty list. A Python function, not `list`: pydantic reads each
    factory's signature, and a builtin's is parsed from its text with the tokenizer (its regex
    compiled on first use): ~14 M instructions on the first model built, at every start."""
    return []


def _new_dict() -> dict[str, Any]:
    """`default_factory` of an empty dict (see `_new_list`)."""
    return {}


def _none_to(default: Any):
    """A before-validator turning an explicit JSON null into `default`."""

    def convert(cls: type, value: Any) -> Any:
        return default() if value is None else value

    return convert


# -- organizations, projects, people ---------------------------------------------------------------


class OrganizationLinks(SentryModel):
    organization_url: str | None = None
    region_url: str | None = None


class Organization(SentryModel):
    id: str = ""
    slug: str = ""
    name: str = ""
    status: dict[str, Any] | None = None
    date_created: datetime | None = None
    links: OrganizationLinks = Field(default_factory=OrganizationLinks)
    features: list[str] = Field(default_factory=_new_list)

    _links_none = field_validator("links", mode="before")(_none_to(OrganizationLinks))
    _features_none = field_validator("features", mode="before")(_none_to(list))


class TeamRef(SentryModel):
    id: str = ""
    slug: str = ""
    name: str = ""


class Team(TeamRef):
    member_count: int | None = None
    is_member: bool | None = None
    date_created: datetime | None = None


class UserRef(SentryModel):
    id: str = ""
    name: str | None = None
    email: str | None = None
    username: str | None = None


class Member(SentryModel):
    """An org member; `member.user.id` (not `member.id`) is what `assignedTo: user:<id>` wants."""

    id: str = ""
    email: str | None = None
    name: str | None = None
    role: str | None = None
    pending: bool | None = None
    expired: bool | None = None
    user: UserRef | None = None
    date_created: datetime | None = None


class Environment(SentryModel):
    id: str = ""
    name: str = ""
    is_hidden: bool | None = None


class ProjectRef(SentryModel):
    id: str = ""
    slug: str = ""
    name: str = ""
    platform: str | None = None


class Project(ProjectRef):
    date_created: datetime | None = None
    is_member: bool | None = None
    has_access: bool | None = None
    is_bookmarked: bool | None = None
    first_event: datetime | None = None
    team: TeamRef | None = None
    teams: list[TeamRef] = Field(default_factory=_new_list)
    environments: list[str] = Field(default_factory=_new_list)
    features: list[str] = Field(default_factory=_new_list)
    latest_release: dict[str, Any] | None = None

    _lists_none = field_validator("teams", "environments", "features", mode="before")(
        _none_to(list)
    )


# -- releases --------------------------------------------------------------------------------------


class Release(SentryModel):
    id: int | str | None = None
    version: str = ""
    short_version: str | None = None
    status: str | None = None
    date_created: datetime | None = None
    date_released: datetime | None = None
    first_event: datetime | None = None
    last_event: datetime | None = None
    new_groups: int | None = None
    commit_count: int | None = None
    deploy_count: int | None = None
    last_deploy: dict[str, Any] | None = None
    authors: list[dict[str, Any]] = Field(default_factory=_new_list)
    projects: list[dict[str, Any]] = Field(default_factory=_new_list)
    version_info: dict[str, Any] | None = None

    _lists_none = field_validator("authors", "projects", mode="before")(_none_to(list))


# -- activity and comments -------------------------------------------------------------------------


class Activity(SentryModel):
    """An issue activity item; comments are activities of type `note` with `data.text`."""

    id: str = ""
    type: str = ""
    data: dict[str, Any] = Field(default_factory=_new_dict)
    user: UserRef | None = None
    date_created: datetime | None = None

    _data_none = field_validator("data", mode="before")(_none_to(dict))

    @property
    def text(self) -> str:
        value = self.data.get("text")
        return value if isinstance(value, str) else ""


Comment = Activity


# -- issues ----------------------------------------------------------------------------------------


class Assignee(SentryModel):
    type: Literal["user", "team"] | str = "user"
    id: str = ""
    name: str | None = None
    email: str | None = None

    @property
    def actor(self) -> str:
        """The `assignedTo` value that names this assignee in an update (`user:1`, `team:2`)."""
        return f"{self.type}:{self.id}"


StatsSeries = list[tuple[float, float]]


class IssueLifetime(SentryModel):
    count: int | None = None
    user_count: int | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None

    @field_validator("count", mode="before")
    @classmethod
    def _count_from_string(cls, value: Any) -> Any:
        return int(value) if isinstance(value, str) and value.strip().isdigit() else value


class Issue(SentryModel):
    """An issue ("group"), from the list or the detail route (detail adds activity, tags...)."""

    id: str
    short_id: str = ""
    title: str = ""
    culprit: str | None = None
    permalink: str | None = None
    logger: str | None = None
    level: str = "error"
    status: str = "unresolved"
    substatus: str | None = None
    status_details: dict[str, Any] = Field(default_factory=_new_dict)
    priority: str | None = None
    platform: str | None = None
    project: ProjectRef | None = None
    type: str | None = None
    issue_type: str | None = None
    issue_category: str | None = None
    metadata: dict[str, Any] = Field(default_factory=_new_dict)
    num_comments: int = 0
    assigned_to: Assignee | None = None
    is_bookmarked: bool = False
    is_subscribed: bool = False
    has_seen: bool = False
    is_public: bool = False
    share_id: str | None = None
    is_unhandled: bool | None = None
    count: int = 0  # Sentry sends a string (can exceed 2**53)
    user_count: int = 0
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    stats: dict[str, StatsSeries] = Field(default_factory=_new_dict)
    lifetime: IssueLifetime | None = None
    filtered: IssueLifetime | None = None
    inbox: dict[str, Any] | bool | None = None
    owners: Any = None  # a list on Sentry, a single object in the schema example
    annotations: list[dict[str, Any] | str] = Field(default_factory=_new_list)
    # detail-only
    activity: list[Activity] | None = None
    seen_by: list[dict[str, Any]] | None = None
    participants: list[dict[str, Any]] | None = None
    user_report_count: int | None = None
    first_release: Release | None = None
    last_release: Release | None = None
    tags: list[dict[str, Any]] | None = None

    _dicts_none = field_validator("status_details", "metadata", "stats", mode="before")(
        _none_to(dict)
    )
    _annotations_none = field_validator("annotations", mode="before")(_none_to(list))

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_str(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    @field_validator("count", "user_count", "num_comments", mode="before")
    @classmethod
    def _int_from_string(cls, value: Any) -> Any:
        if value is None:
            return 0
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            return int(value)
        return value

    @field_validator("stats", mode="before")
    @classmethod
    def _stats_drop_nulls(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: v for k, v in value.items() if v is not None}
        return value


class TagValue(SentryModel):
    key: str | None = None
    name: str | None = None
    value: str | None = None
    count: int | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    query: str | None = None


class TagDetail(SentryModel):
    key: str = ""
    name: str | None = None
    unique_values: int | None = None
    total_values: int | None = None
    top_values: list[TagValue] = Field(default_factory=_new_list)

    _values_none = field_validator("top_values", mode="before")(_none_to(list))


# -- lookups, alerts, discover, charts -------------------------------------------------------------


class ShortIdLookup(SentryModel):
    organization_slug: str | None = None
    project_slug: str | None = None
    group_id: str | None = None
    short_id: str | None = None
    group: Issue | None = None

    @field_validator("group_id", mode="before")
    @classmethod
    def _id_as_str(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value


class AlertRule(SentryModel):
    """A (legacy) project issue alert rule; `status` is "active" or "disabled"."""

    id: str = ""
    name: str = ""
    conditions: list[dict[str, Any]] = Field(default_factory=_new_list)
    filters: list[dict[str, Any]] = Field(default_factory=_new_list)
    actions: list[dict[str, Any]] = Field(default_factory=_new_list)
    action_match: str | None = None
    filter_match: str | None = None
    frequency: int | None = None
    environment: str | None = None
    status: str | None = None
    enabled: bool | None = None
    last_triggered: datetime | None = None
    snooze: bool | None = None
    owner: str | None = None
    date_created: datetime | None = None
    projects: list[str] = Field(default_factory=_new_list)

    _lists_none = field_validator("conditions", "filters", "actions", "projects", mode="before")(
        _none_to(list)
    )

    @field_validator("id", mode="before")
    @classmethod
    def _id_as_str(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value

    @property
    def is_enabled(self) -> bool:
        if self.enabled is not None:
            return self.enabled
        return self.status != "disabled"


class DiscoverResult(SentryModel):
    """`GET /organizations/{org}/events/`: rows keyed by field, plus field types in `meta`."""

    data: list[dict[str, Any]] = Field(default_factory=_new_list)
    meta: dict[str, Any] = Field(default_factory=_new_dict)


class TimeSeriesValue(SentryModel):
    timestamp: float = 0  # epoch milliseconds
    value: float | None = None
    incomplete: bool | None = None
    comparison_value: float | None = None
    sample_count: float | None = None


class TimeSeries(SentryModel):
    y_axis: str = ""
    group_by: list[dict[str, Any]] | None = None
    values: list[TimeSeriesValue] = Field(default_factory=_new_list)
    meta: dict[str, Any] = Field(default_factory=_new_dict)


class TimeSeriesResult(SentryModel):
    """`GET /organizations/{org}/events-timeseries/`."""

    meta: dict[str, Any] = Field(default_factory=_new_dict)
    time_series: list[TimeSeries] = Field(default_factory=_new_list)


class EventsStats(SentryModel):
    """Legacy `events-stats`: `data` is `[[epoch_s, [{"count": n}]], ...]`."""

    data: list[Any] = Field(default_factory=_new_list)
    start: float | None = None
    end: float | None = None
    meta: dict[str, Any] | None = None

    def points(self) -> list[tuple[float, float]]:
        """(epoch seconds, summed count) per bucket, skipping malformed rows."""
        out: list[tuple[float, float]] = []
        for row in self.data:
            if not isinstance(row, list | tuple) or len(row) != 2:
                continue
            ts, values = row
            if isinstance(values, list):
                total = sum(float(v.get("count") or 0) for v in values if isinstance(v, dict))
            elif isinstance(values, int | float):
                total = float(values)
            else:
                continue
            out.append((float(ts), total))
        return out


class BulkUpdateResponse(SentryModel):
    """The echo of a bulk PUT: what changed (`merge` holds parent/children on merges)."""

    status: str | None = None
    substatus: str | None = None
    status_details: dict[str, Any] | None = None
    assigned_to: Assignee | None = None
    merge: dict[str, Any] | None = None


# -- ownership and suspect commits (committers route) ------------------------------------------


class CommitAuthor(SentryModel):
    id: str | None = None
    name: str | None = None
    email: str | None = None
    username: str | None = None


class SuspectCommit(SentryModel):
    id: str = ""
    message: str | None = None
    date_created: str | None = None
    suspect_commit_type: str | None = None
    author: CommitAuthor | None = None
    repository: dict[str, Any] | None = None


class Committer(SentryModel):
    author: CommitAuthor | None = None
    commits: list[SuspectCommit] = Field(default_factory=_new_list)


# -- events (built on first use) -------------------------------------------------------------------

#: the event models live in `event_models` (imported when one is first asked for): the issue list
#: never builds them, and building their ~25 classes cost every start ~16 ms (issue 19)
EVENT_MODELS = frozenset(
    {
        "TolerantModel",
        "Frame",
        "Stacktrace",
        "Mechanism",
        "ExceptionValue",
        "ExceptionData",
        "Thread",
        "ThreadsData",
        "Breadcrumb",
        "BreadcrumbsData",
        "RequestData",
        "MessageData",
        "ExceptionEntry",
        "StacktraceEntry",
        "ThreadsEntry",
        "BreadcrumbsEntry",
        "RequestEntry",
        "MessageEntry",
        "DebugImage",
        "DebugMetaData",
        "DebugMetaEntry",
        "OtherEntry",
        "EventTag",
        "EventUser",
        "Sdk",
        "Event",
        "IssueHash",
        "EventIdLookup",
        "degraded_fields",
        "Entry",
    }
)


def __getattr__(name: str) -> Any:
    """`models.Event` (and the other event models) from `event_models`, imported on first use."""
    if name in EVENT_MODELS:
        from dexter_tui.sentry import event_models

        return getattr(event_models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *EVENT_MODELS])
