"""Empty list/dict defaults are made by plain functions (pydantic reads a builtin factory's
signature by tokenizing its text, which cost every start ~14 M instructions); each model still
gets its own fresh, empty one."""

from __future__ import annotations

from dexter_tui.sentry.models import Event, Issue, Organization


def test_each_model_gets_its_own_empty_list() -> None:
    first, second = Organization(), Organization()
    first.features.append("discover")
    assert second.features == []
    assert Organization.model_validate({"features": None}).features == []  # null reads as empty


def test_list_and_event_defaults_are_empty_and_unshared() -> None:
    issue = Issue.model_validate({"id": "1"})
    event = Event.model_validate({"id": "e"})
    other = Event.model_validate({"id": "f"})
    assert event.entries == []
    event.entries.append({"type": "message"})
    assert other.entries == []
    assert issue.model_dump()["id"] == "1"
