"""The hand-off summary is literal: hostile event text cannot add markup, links or escapes."""

from __future__ import annotations

from dexter_tui.sentry.models import Event, Issue, TagDetail, TagValue
from dexter_tui.services.handoff import HandoffData, frame_path_line, summary_markdown, top_frame

HOSTILE_TITLE = "Boom [click](javascript:alert(1)) <img src=x onerror=1> | \x1b[31mred\x1b[0m"


def _event(source: str = "x = 1") -> Event:
    frames = [
        {"filename": "lib/http.py", "function": "send", "lineNo": 9, "inApp": False},
        {
            "filename": "app/cart.py",
            "function": "total",
            "lineNo": 42,
            "inApp": True,
            "context": [[41, "def total():"], [42, source]],
        },
        {"filename": "lib/json.py", "function": "dumps", "lineNo": 3, "inApp": False},
    ]
    return Event.model_validate(
        {
            "id": "e1",
            "eventID": "e1",
            "entries": [
                {
                    "type": "exception",
                    "data": {"values": [{"type": "KeyError", "stacktrace": {"frames": frames}}]},
                },
                {
                    "type": "breadcrumbs",
                    "data": {"values": [{"category": "http", "message": "GET /\x07 <b>x</b>"}]},
                },
            ],
        }
    )


def test_top_frame_is_the_last_in_app_frame_with_its_source_line() -> None:
    frame = top_frame(_event())
    assert frame is not None
    assert (frame.path_line, frame.function, frame.source) == ("app/cart.py:42", "total", "x = 1")
    assert frame_path_line(_event()) == "app/cart.py:42"
    assert frame_path_line(Event(id="e2")) is None


def test_hostile_text_stays_literal() -> None:
    issue = Issue(id="1", short_id="API-1", title=HOSTILE_TITLE, count=3)
    tags = [TagDetail(key="environment", top_values=[TagValue(value="prod|<x>", count=3)])]
    text = summary_markdown(HandoffData(issue, _event("s = '```' + `x`"), tags))
    assert "\x1b" not in text
    assert "\x07" not in text
    assert "<img" not in text
    assert "<b>" not in text
    assert "<x>" not in text
    assert "javascript:" not in text
    assert "\\[click\\](javascript&#58;" in text
    assert "prod\\|&lt;x&gt; (100%)" in text
    # the source line sits in a fence longer than any backtick run inside it
    assert "````\ns = '```' + `x`\n````" in text
    assert "␛\\[31mred" in text  # the escape is shown, not run
