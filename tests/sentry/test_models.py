"""The models accept Sentry's own examples (OpenAPI schema) and what real Sentry omits."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest

from dexter_tui.sentry import models as m
from tests.conftest import SHARED

SCHEMA = SHARED / "sentry-openapi" / "openapi-derefed.json"
ORG = "/api/0/organizations/{organization_id_or_slug}/"
PROJ = "/api/0/projects/{organization_id_or_slug}/{project_id_or_slug}/"


@cache
def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA.read_text("utf-8"))


def example(path: str, method: str = "get", status: str = "200") -> Any:
    content = _schema()["paths"][path][method]["responses"][status]["content"]["application/json"]
    if "example" in content:
        return content["example"]
    return next(iter(content["examples"].values()))["value"]


@pytest.mark.parametrize(
    ("path", "model"),
    [
        ("/api/0/organizations/", m.Organization),
        (ORG + "projects/", m.Project),
        (ORG + "teams/", m.Team),
        (ORG + "members/", m.Member),
        (ORG + "environments/", m.Environment),
        (ORG + "issues/", m.Issue),
        (ORG + "issues/{issue_id}/events/", m.Event),
        (ORG + "issues/{issue_id}/hashes/", m.IssueHash),
        (ORG + "issues/{issue_id}/tags/{key}/values/", m.TagValue),
        (ORG + "releases/", m.Release),
    ],
)
def test_list_examples_parse(path: str, model: type[m.SentryModel]) -> None:
    items = example(path)
    assert isinstance(items, list)
    assert items
    for item in items:
        model.model_validate(item)


@pytest.mark.parametrize(
    ("path", "model"),
    [
        (ORG, m.Organization),
        (PROJ, m.Project),
        (ORG + "issues/{issue_id}/", m.Issue),
        (ORG + "issues/{issue_id}/events/{event_id}/", m.Event),
        (PROJ + "events/{event_id}/", m.Event),
        (ORG + "issues/{issue_id}/tags/{key}/", m.TagDetail),
        (ORG + "shortids/{issue_id}/", m.ShortIdLookup),
        (ORG + "eventids/{event_id}/", m.EventIdLookup),
        (ORG + "releases/{version}/", m.Release),
        (ORG + "events/", m.DiscoverResult),
        (ORG + "events-timeseries/", m.TimeSeriesResult),
    ],
)
def test_object_examples_parse(path: str, model: type[m.SentryModel]) -> None:
    model.model_validate(example(path))


def test_issue_fields_from_the_list_example() -> None:
    issue = m.Issue.model_validate(example(ORG + "issues/")[0])
    assert issue.count == 150  # string in the payload
    assert isinstance(issue.count, int)
    assert issue.assigned_to is not None
    assert issue.assigned_to.actor == "user:1"
    assert issue.stats["24h"][0] == (1541455200, 473)
    assert issue.first_seen is not None


def test_issue_tolerates_missing_and_null_fields() -> None:
    issue = m.Issue.model_validate(
        {
            "id": 7,
            "count": "18446744073709551615",
            "statusDetails": None,
            "stats": {"24h": None},
            "assignedTo": {"type": "team", "id": "4", "name": "backend"},
            "someNewField": [1],
        }
    )
    assert issue.id == "7"
    assert issue.count == 2**64 - 1
    assert issue.status_details == {}
    assert issue.stats == {}
    assert issue.assigned_to.actor == "team:4"
    assert issue.model_extra == {"someNewField": [1]}


def test_full_event_entries_and_navigation() -> None:
    event = m.Event.model_validate(example(ORG + "issues/{issue_id}/events/{event_id}/"))
    assert event.next_event_id
    assert event.exception is not None
    raised = event.exception.values[-1]
    assert raised.stacktrace is not None
    assert raised.stacktrace.frames
    assert all(isinstance(f.line_no, int | None) for f in raised.stacktrace.frames)
    assert any(e.type == "request" for e in event.entries)


def test_unknown_or_odd_entries_fall_back_without_failing() -> None:
    event = m.Event.model_validate(
        {
            "id": "a" * 32,
            "eventID": "a" * 32,
            "groupID": 5,
            "entries": [
                {"type": "debugmeta", "data": {"images": []}},
                {"type": "exception", "data": None},
                {
                    "type": "breadcrumbs",
                    "data": {
                        "values": [{"message": "SELECT 1", "timestamp": "2026-01-01T00:00:00Z"}]
                    },
                },
                {"type": "message", "data": "not an object"},
                {
                    "type": "threads",
                    "data": {
                        "values": [
                            {
                                "id": 1,
                                "crashed": True,
                                "stacktrace": {
                                    "frames": [{"function": "f", "context": [[3, "x = 1"]]}]
                                },
                            }
                        ]
                    },
                },
            ],
            "release": "app@1.0",
            "event.type": "error",
        }
    )
    kinds = [type(e).__name__ for e in event.entries]
    assert kinds == [
        "DebugMetaEntry",  # modelled since the Images section (issue 13)
        "OtherEntry",
        "BreadcrumbsEntry",
        "OtherEntry",
        "ThreadsEntry",
    ]
    assert event.group_id == "5"
    assert event.type == "error"
    assert event.release is not None
    assert event.release.version == "app@1.0"
    assert event.breadcrumbs[0].message == "SELECT 1"


def test_simple_event_from_the_list_uses_event_type() -> None:
    simple = example(ORG + "issues/{issue_id}/events/")[0]
    event = m.Event.model_validate(simple)
    assert event.type == simple["event.type"]
    assert event.entries == []


def test_activity_comment_text_and_alert_rule_enabled() -> None:
    note = m.Activity.model_validate(
        {"id": "1", "type": "note", "data": {"text": "[b]hi[/b]"}, "user": None}
    )
    assert note.text == "[b]hi[/b]"  # untrusted text kept as data
    rule = m.AlertRule.model_validate({"id": 3, "name": "r", "status": "disabled"})
    assert rule.id == "3"
    assert rule.is_enabled is False


def test_events_stats_points_sum_counts() -> None:
    stats = m.EventsStats.model_validate(
        {"data": [[1, [{"count": 2}, {"count": 3}]], [2, []], "junk"]}
    )
    assert stats.points() == [(1.0, 5.0), (2.0, 0.0)]
