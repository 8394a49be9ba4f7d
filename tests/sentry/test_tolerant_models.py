"""Event models degrade per field: an unexpected type costs that field (kept raw), never the
event. One test per degradation, and the raw JSON always survives."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from dexter_tui.sentry.models import (
    DebugMetaEntry,
    Event,
    ExceptionEntry,
    OtherEntry,
    ThreadsEntry,
)
from dexter_tui.services.events import event_json, exception_chain, raw_lines


def _event(**fields: Any) -> Event:
    return Event.model_validate({"id": "e" * 32, "eventID": "e" * 32, "title": "T", **fields})


def _exception(value: dict[str, Any]) -> dict[str, Any]:
    return {"type": "exception", "data": {"values": [value]}}


def test_non_string_mechanism_description_costs_only_that_field() -> None:
    mechanism = {"type": "x", "description": 5}
    event = _event(entries=[_exception({"type": "E", "value": "v", "mechanism": mechanism})])
    value = event.exception.values[0]  # type: ignore[union-attr]
    assert value.type == "E"
    assert value.mechanism is not None
    assert value.mechanism.type == "x"
    assert value.mechanism.description is None
    assert ("entries.0.data.values.0.mechanism.description", 5) in event.unreadable_fields()


def test_frame_field_of_the_wrong_type_is_dropped_and_the_frame_kept() -> None:
    frames = [{"function": "f", "lineNo": "twelve", "inApp": "maybe", "vars": [1, 2]}]
    event = _event(entries=[_exception({"type": "E", "stacktrace": {"frames": frames}})])
    frame = event.exception.values[0].stacktrace.frames[0]  # type: ignore[union-attr]
    assert frame.function == "f"
    assert (frame.line_no, frame.in_app, frame.vars) == (None, None, None)
    paths = {p for p, _ in event.unreadable_fields()}
    assert "entries.0.data.values.0.stacktrace.frames.0.lineNo" in paths
    assert "entries.0.data.values.0.stacktrace.frames.0.vars" in paths


def test_a_bad_list_item_is_dropped_alone() -> None:
    frames = [{"function": "a"}, "not a frame", {"function": "b"}]
    event = _event(
        tags=[{"key": "k", "value": "v"}, ["not", "a", "tag"]],
        entries=[_exception({"type": "E", "stacktrace": {"frames": frames}})],
    )
    stack = event.exception.values[0].stacktrace  # type: ignore[union-attr]
    assert [f.function for f in stack.frames] == ["a", "b"]
    assert [t.key for t in event.tags] == ["k"]
    unreadable = dict(event.unreadable_fields())
    assert unreadable["tags.1"] == ["not", "a", "tag"]
    assert unreadable["entries.0.data.values.0.stacktrace.frames.1"] == "not a frame"


def test_unknown_entry_type_is_kept_raw() -> None:
    event = _event(entries=[{"type": "spans", "data": [{"op": "db"}]}])
    (entry,) = event.entries
    assert isinstance(entry, OtherEntry)
    assert entry.data == [{"op": "db"}]


def test_known_entry_with_unreadable_data_is_kept_raw() -> None:
    event = _event(entries=[{"type": "threads", "data": "nope"}, _exception({"type": "E"})])
    assert isinstance(event.entries[0], OtherEntry)
    assert event.entries[0].data == "nope"
    assert isinstance(event.entries[1], ExceptionEntry)


def test_unreadable_entry_part_degrades_inside_the_entry() -> None:
    event = _event(entries=[{"type": "threads", "data": {"values": 5}}])
    assert isinstance(event.entries[0], ThreadsEntry)
    assert event.entries[0].data.values == []
    assert ("entries.0.data.values", 5) in event.unreadable_fields()


def test_unreadable_date_title_and_contexts_degrade() -> None:
    event = _event(dateCreated="yesterday-ish", title=["x"], contexts="nope", user=7)
    assert event.date_created is None
    assert event.title == ""
    assert event.contexts == {}
    assert event.user is None
    paths = {p for p, _ in event.unreadable_fields()}
    assert {"dateCreated", "title", "contexts", "user"} <= paths


def test_exception_values_not_a_list_degrade_to_none() -> None:
    event = _event(entries=[{"type": "exception", "data": {"values": {"type": "E"}}}])
    assert event.exception is not None
    assert event.exception.values == []
    assert exception_chain(event) == []


def test_debug_meta_images_are_modelled_and_a_bad_image_dropped() -> None:
    images = [{"type": "macho", "code_file": "/x/Shop", "image_addr": "0x1000"}, 5]
    event = _event(entries=[{"type": "debugmeta", "data": {"images": images}}])
    (entry,) = event.entries
    assert isinstance(entry, DebugMetaEntry)
    assert [i.code_file for i in entry.data.images] == ["/x/Shop"]


def test_raw_json_is_what_the_api_sent_even_for_unreadable_fields() -> None:
    source = {
        "id": "e" * 32,
        "title": "T",
        "entries": [_exception({"type": "E", "mechanism": {"type": "x", "description": 5}})],
    }
    event = Event.model_validate(source)
    assert event_json(event) is source
    lines = raw_lines(event_json(event))
    assert any('"description": 5' in line for line in lines)


def _deep(levels: int) -> dict[str, Any]:
    root: dict[str, Any] = {}
    node = root
    for _ in range(levels - 1):
        node["a"] = {}
        node = node["a"]
    return root


def test_nesting_of_hundreds_or_thousands_of_levels_is_clipped_in_raw() -> None:
    for levels in (255, 300, 5000):
        event = _event(context={"deep": _deep(levels)})
        lines = raw_lines(event_json(event))
        note = next(line for line in lines if "… (depth" in line)
        assert f"(depth {levels + 2})" in note  # the event object and `context` add two
        assert len(lines) < 250


def test_event_level_fields_degrade_and_the_source_is_what_was_sent() -> None:
    source = {"id": "e" * 32, "title": ["x"], "event.type": 5, "fingerprints": ["a", 7, "b"]}
    event = Event.model_validate(source)
    assert (event.title, event.type, event.fingerprints) == ("", None, ["a", "b"])
    unreadable = dict(event.unreadable_fields())
    assert unreadable == {"title": ["x"], "type": 5, "fingerprints.1": 7}
    assert event.source is source  # the repair worked on a copy


def test_one_bad_breadcrumb_field_deep_in_a_large_event_is_found() -> None:
    crumbs = [{"message": f"m{n}", "timestamp": 1_700_000_000 + n} for n in range(500)]
    crumbs[321]["timestamp"] = "not a time"
    event = _event(entries=[{"type": "breadcrumbs", "data": {"values": crumbs}}])
    assert len(event.breadcrumbs) == 500
    assert event.breadcrumbs[321].timestamp is None
    assert event.breadcrumbs[321].message == "m321"
    assert event.unreadable_fields() == [("entries.0.data.values.321.timestamp", "not a time")]


def test_a_wholly_readable_event_has_no_unreadable_fields() -> None:
    frames = [{"function": f"f{n}", "lineNo": n, "vars": {"a": n}} for n in range(50)]
    event = _event(entries=[_exception({"type": "E", "stacktrace": {"frames": frames}})])
    assert event.unreadable_fields() == []
    assert event.exception.values[0].stacktrace.unreadable == {}  # type: ignore[union-attr]


def test_an_event_that_is_not_an_object_still_fails() -> None:
    with pytest.raises(ValidationError):
        Event.model_validate("not an event")
