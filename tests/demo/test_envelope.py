"""Envelope parsing, decompression and auth as Relay accepts them."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import brotli
import pytest

from dexter_tui.demo.envelope import (
    MAX_EVENT_SIZE,
    EnvelopeError,
    EnvelopeTooLarge,
    decompress,
    find_auth,
    parse_auth_header,
    parse_envelope,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "envelopes"


def test_item_with_length_and_trailing_newline_optional() -> None:
    payload = b'{"message":"a\nb"}'  # a newline inside a length-delimited payload is payload
    body = b'{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc"}\n'
    body += b'{"type":"event","length":%d}\n' % len(payload) + payload
    env = parse_envelope(body)
    assert env.headers["event_id"] == "9ec79c33ec9942ab8353589fcb2e04dc"
    assert [i.type for i in env.items] == ["event"]
    assert env.items[0].payload == payload
    assert parse_envelope(body + b"\n").items[0].payload == payload


def test_items_without_length_run_to_the_next_newline() -> None:
    body = b'{}\n{"type":"attachment"}\nhello\r\n{"type":"event"}\n{"message":"x"}'
    env = parse_envelope(body)
    assert [i.type for i in env.items] == ["attachment", "event"]
    assert env.items[0].payload == b"hello\r"  # "\r" belongs to the payload
    assert env.items[1].json() == {"message": "x"}


def test_header_only_envelope_has_no_items() -> None:
    assert parse_envelope(b'{"event_id":"9ec79c33ec9942ab8353589fcb2e04dc"}').items == []
    assert parse_envelope(b"{}\n").items == []


def test_empty_payload_with_zero_length() -> None:
    env = parse_envelope(b'{}\n{"type":"attachment","length":0}\n\n{"type":"event","length":2}\n{}')
    assert [(i.type, i.payload) for i in env.items] == [("attachment", b""), ("event", b"{}")]


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"", "empty body"),
        (b"not json\n", "envelope header is not valid JSON"),
        (b"[1]\n", "must be a JSON object"),
        (b'{}\n{"length":2}\n{}', "has no type"),
        (b'{}\n{"type":"event","length":50}\n{}', "truncated"),
        (b'{}\n{"type":"event","length":1}\n{}', "longer than its length"),
        (b'{}\n{"type":"event","length":-1}\n{}', "bad length"),
        (b"{}\nnope\n{}", "header of item 1 is not valid JSON"),
    ],
)
def test_malformed_envelopes_say_what_is_wrong(body: bytes, detail: str) -> None:
    with pytest.raises(EnvelopeError, match=detail):
        parse_envelope(body)


def test_event_item_over_one_mib_is_too_large() -> None:
    payload = b'{"message":"' + b"x" * MAX_EVENT_SIZE + b'"}'
    body = b'{}\n{"type":"event","length":%d}\n' % len(payload) + payload
    with pytest.raises(EnvelopeTooLarge) as err:
        parse_envelope(body)
    assert err.value.status == 413
    # the same bytes as an attachment are fine
    parse_envelope(body.replace(b'"event"', b'"attachment"'))


def test_invalid_item_json_is_reported() -> None:
    env = parse_envelope(b'{}\n{"type":"event"}\n{broken')
    with pytest.raises(EnvelopeError, match="not valid JSON"):
        env.items[0].json()


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        (None, lambda b: b),
        ("identity", lambda b: b),
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),  # zlib-wrapped, as the RFC says
        ("deflate", lambda b: zlib.compress(b, wbits=-15)),  # raw deflate, as many clients send
        ("br", brotli.compress),
        ("GZIP", gzip.compress),
        ("gzip, br", lambda b: brotli.compress(gzip.compress(b))),
    ],
)
def test_decompress_accepts_what_sdks_send(encoding: str | None, encode) -> None:
    body = (FIXTURES / "L01_zero_division.envelope.bin").read_bytes()
    assert decompress(encode(body), encoding) == body


def test_decompress_rejects_unknown_and_corrupt_bodies() -> None:
    with pytest.raises(EnvelopeError, match="unsupported content encoding: compress"):
        decompress(b"x", "compress")
    with pytest.raises(EnvelopeError, match="invalid gzip body"):
        decompress(b"definitely not gzip", "gzip")
    with pytest.raises(EnvelopeError, match="invalid br body"):
        decompress(b"definitely not brotli", "br")
    with pytest.raises(EnvelopeError, match="invalid deflate body"):
        decompress(b"\xff\xff\xff", "deflate")


def test_decompression_stops_at_the_size_limit() -> None:
    bomb = gzip.compress(b"\0" * 5_000_000)
    with pytest.raises(EnvelopeTooLarge):
        decompress(bomb, "gzip", limit=1_000_000)
    with pytest.raises(EnvelopeTooLarge):
        decompress(brotli.compress(b"\0" * 5_000_000), "br", limit=1_000_000)
    assert len(decompress(bomb, "gzip", limit=5_000_000)) == 5_000_000


def test_recorded_sdk_envelope_parses() -> None:
    body = (FIXTURES / "D08_lock_table_share_upgrade.envelope.bin").read_bytes()
    env = parse_envelope(body)
    assert env.headers["trace"]["public_key"] == "publickey"
    (item,) = env.items
    assert item.type == "event"
    assert item.json()["logger"] == "ledger.batch"  # a logger.error() message event


def test_auth_header_parsing() -> None:
    fields = parse_auth_header(
        "Sentry sentry_key=abc, sentry_version=7, sentry_client=sentry.python/2.75.0"
    )
    assert fields == {
        "sentry_key": "abc",
        "sentry_version": "7",
        "sentry_client": "sentry.python/2.75.0",
    }


def test_auth_sources_in_relay_order() -> None:
    header = {"x-sentry-auth": "Sentry sentry_key=fromheader, sentry_version=7"}
    query = {"sentry_key": "fromquery", "sentry_version": "7"}
    envelope = {"dsn": "https://fromdsn@o1.ingest.example/42"}
    assert find_auth(header, query, envelope).public_key == "fromheader"
    assert find_auth({}, query, envelope).public_key == "fromquery"
    auth = find_auth({}, {}, envelope)
    assert (auth.public_key, auth.project_id) == ("fromdsn", 42)
    assert find_auth({"authorization": "Sentry sentry_key=k2"}, {}, None).public_key == "k2"
    assert find_auth({"authorization": "Bearer abc"}, {}, None) is None
    assert find_auth({}, {}, {"sent_at": "x"}) is None
