"""The one policy for text leaving dexter: visible escapes, clipboard, redaction, truncation."""

from __future__ import annotations

from dexter_tui.services.sanitize import (
    TEXT_CAP,
    clip,
    clipboard_text,
    redact_credentials,
    visible,
)


def test_visible_shows_controls_like_the_screen() -> None:
    assert visible("a\x1b[31mb\x07\x00\x7f") == "a␛[31mb␇␀␡"
    assert visible("x\r\ny\rz") == "x⏎y⏎z"
    assert visible("x\r\ny\rz", multiline=True) == "x\ny\nz"
    assert visible("\u202eevil\u2066\u200b\ufeff") == "\\u202eevil\\u2066\\u200b\\ufeff"
    assert visible("\x9b31m") == "\ufffd31m"
    assert visible("👨\u200d👩 ok") == "👨\u200d👩 ok"  # joiners are not hostile
    assert visible(None) == ""
    assert visible(12) == "12"


def test_clipboard_text_has_no_raw_escapes() -> None:
    query = "SELECT 1;\x1b]52;c;ZXZpbA==\x07\n\tFROM t \u202e--"
    copied = clipboard_text(query)
    assert copied == "SELECT 1;␛]52;c;ZXZpbA==␇\n    FROM t \\u202e--"
    assert not any(ord(c) < 0x20 and c != "\n" for c in copied)


def test_url_credentials_are_redacted() -> None:
    text = "cannot connect to https://bob:s3cr%40t@sentry.example.com/api/0/ (x)"
    assert redact_credentials(text) == "cannot connect to https://***@sentry.example.com/api/0/ (x)"
    assert redact_credentials("mail bob@example.com") == "mail bob@example.com"


def test_clip_cuts_at_a_line_end_and_counts_the_rest() -> None:
    text = "line\n" * 1000
    clipped = clip(text, 1000)
    assert clipped.text.endswith("line")
    assert len(clipped.text) <= 1000
    assert len(clipped.text) + clipped.hidden == len(text)
    assert clipped.note == f"… {clipped.hidden:,} more characters — show all"
    assert clip("short", 10).note == ""
    huge = clip("x" * 100_000_000)  # a 100 MB comment: only the cap is copied
    assert len(huge.text) == TEXT_CAP
    assert huge.hidden == 100_000_000 - TEXT_CAP
