"""Sentry envelopes: decompression, parsing and auth, as Relay accepts them.

Kept free of storage so that the ingest route, the in-process test transport and the seed can all
share one parser. Every malformed input raises `EnvelopeError`, whose message is the 400 `detail`.
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

try:  # brotli is optional: without it "br" bodies are refused like any unknown encoding.
    import brotli
except ImportError:  # pragma: no cover - depends on the environment
    brotli = None

#: Relay's limits: one event item, and a whole envelope after decompression.
MAX_EVENT_SIZE = 1024 * 1024
MAX_ENVELOPE_SIZE = 200 * 1024 * 1024

#: Item types that carry an error/default event (the only ones ingest turns into issues).
EVENT_ITEM_TYPES = frozenset({"event"})


class EnvelopeError(ValueError):
    """Malformed ingest input; `str(err)` is the response `detail`, `status` the HTTP status."""

    status = 400


class EnvelopeTooLarge(EnvelopeError):
    """A body or item over Relay's size limits (Relay answers 413)."""

    status = 413


# -- strict JSON --------------------------------------------------------------------------------

#: serde_json's recursion limit, which Relay parses with: deeper JSON is refused.
MAX_JSON_DEPTH = 128
#: Numbers must fit a signed 64-bit integer (the store and its SQL functions hold no more).
MAX_INT = 2**63 - 1
MIN_INT = -(2**63)


class _Refused(ValueError):
    """Why strict JSON parsing refused a payload: the end of a sentence ("is not valid JSON")."""


def _refuse_constant(name: str) -> Any:
    raise _Refused(f"holds {name}, which is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"holds the number {text[:40]}, which is out of range")
    return value


def _bounded_int(text: str) -> int:
    value = int(text) if len(text) <= 21 else MAX_INT + 1
    if not MIN_INT <= value <= MAX_INT:
        raise _Refused("holds an integer out of range (more than 64 bits)")
    return value


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise _Refused("holds invalid unicode text (a lone UTF-16 surrogate)") from exc


def _check_value(value: Any, max_depth: int) -> None:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list) and depth > max_depth:
            raise _Refused(f"is nested deeper than {max_depth} levels")
        if isinstance(item, dict):
            for key, child in item.items():
                if isinstance(key, str):
                    _check_text(key)
                stack.append((child, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, depth + 1) for child in item)
        elif isinstance(item, str):
            _check_text(item)
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise _Refused("holds NaN or Infinity, which is not a JSON number")
        elif type(item) is int and not MIN_INT <= item <= MAX_INT:
            raise _Refused("holds an integer out of range (more than 64 bits)")


def check_json_value(value: Any, what: str = "invalid event: payload") -> None:
    """Refuse what Relay refuses in parsed JSON: nesting deeper than `MAX_JSON_DEPTH`,
    NaN/Infinity, integers beyond 64 bits and text that is not valid unicode (lone surrogates).

    Iterative, so no payload can exhaust the stack; raises `EnvelopeError` (a 400 `detail`,
    `what` + why).
    """
    try:
        _check_value(value, MAX_JSON_DEPTH)
    except _Refused as exc:
        raise EnvelopeError(f"{what} {exc}") from None


def loads_strict(data: bytes | str, what: str = "invalid event: payload") -> Any:
    """Parse JSON as Relay does: `EnvelopeError` ("<what> is not valid JSON", "... holds NaN")
    for invalid UTF-8, NaN/Infinity, numbers out of range, lone surrogates and nesting deeper
    than `MAX_JSON_DEPTH` — a 400 with a reason, never a crash."""
    try:
        value = json.loads(
            data,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
            parse_int=_bounded_int,
        )
        _check_value(value, MAX_JSON_DEPTH)
    except _Refused as exc:
        raise EnvelopeError(f"{what} {exc}") from None
    except RecursionError:
        raise EnvelopeError(f"{what} is nested deeper than {MAX_JSON_DEPTH} levels") from None
    except UnicodeDecodeError:
        raise EnvelopeError(f"{what} is not valid UTF-8") from None
    except ValueError:
        raise EnvelopeError(f"{what} is not valid JSON") from None
    return value


@dataclass
class Item:
    """One envelope item: its headers and raw payload bytes."""

    headers: dict[str, Any]
    payload: bytes

    @property
    def type(self) -> str:
        return str(self.headers.get("type", ""))

    def json(self) -> Any:
        """The payload parsed as strict JSON (events, transactions, client reports...)."""
        return loads_strict(self.payload, f"invalid {self.type} item: payload")


@dataclass
class Envelope:
    headers: dict[str, Any]
    items: list[Item] = field(default_factory=list)


# -- decompression ------------------------------------------------------------------------------


def _bounded(decompress: Any, data: bytes, limit: int) -> bytes:
    """Run a zlib decompressobj with an output cap so a small bomb cannot exhaust memory."""
    out = decompress.decompress(data, limit + 1)
    if len(out) > limit or decompress.unconsumed_tail:
        raise EnvelopeTooLarge("envelope exceeded size limits")
    out += decompress.flush()
    if len(out) > limit:
        raise EnvelopeTooLarge("envelope exceeded size limits")
    return out


def _gunzip(data: bytes, limit: int) -> bytes:
    try:
        return _bounded(zlib.decompressobj(16 + zlib.MAX_WBITS), data, limit)
    except zlib.error as exc:
        raise EnvelopeError(f"invalid gzip body: {exc}") from exc


def _inflate(data: bytes, limit: int) -> bytes:
    """HTTP "deflate" is zlib-wrapped by the RFC, but many clients send raw deflate: accept both."""
    try:
        return _bounded(zlib.decompressobj(zlib.MAX_WBITS), data, limit)
    except zlib.error:
        pass
    try:
        return _bounded(zlib.decompressobj(-zlib.MAX_WBITS), data, limit)
    except zlib.error as exc:
        raise EnvelopeError(f"invalid deflate body: {exc}") from exc


def _unbrotli(data: bytes, limit: int) -> bytes:
    assert brotli is not None
    try:
        decoder = brotli.Decompressor()
        out = decoder.process(data, output_buffer_limit=limit + 1)
        if len(out) > limit:
            raise EnvelopeTooLarge("envelope exceeded size limits")
        if not decoder.is_finished():
            if not decoder.can_accept_more_data():
                raise EnvelopeTooLarge("envelope exceeded size limits")
            raise EnvelopeError("invalid br body: truncated stream")
        return out
    except brotli.error as exc:
        raise EnvelopeError(f"invalid br body: {exc}") from exc


def decompress(
    body: bytes, content_encoding: str | None, *, limit: int = MAX_ENVELOPE_SIZE
) -> bytes:
    """Undo `Content-Encoding` (a comma list is applied last-first, as HTTP says)."""
    codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
    for coding in reversed(codings):
        if coding == "identity":
            continue
        if coding in ("gzip", "x-gzip"):
            body = _gunzip(body, limit)
        elif coding == "deflate":
            body = _inflate(body, limit)
        elif coding == "br" and brotli is not None:
            body = _unbrotli(body, limit)
        else:
            raise EnvelopeError(f"unsupported content encoding: {coding}")
    if len(body) > limit:
        raise EnvelopeTooLarge("envelope exceeded size limits")
    return body


# -- parsing ------------------------------------------------------------------------------------


def _header_line(body: bytes, start: int, what: str) -> tuple[dict[str, Any], int]:
    end = body.find(b"\n", start)
    if end < 0:
        end = len(body)
    line = body[start:end]
    headers = loads_strict(line, f"invalid envelope: {what}")
    if not isinstance(headers, dict):
        raise EnvelopeError(f"invalid envelope: {what} must be a JSON object")
    return headers, min(end + 1, len(body))


def parse_envelope(body: bytes) -> Envelope:
    """Split an uncompressed envelope: `Headers { "\\n" Item } [ "\\n" ]`."""
    if not body.strip():
        raise EnvelopeError("invalid envelope: empty body")
    if len(body) > MAX_ENVELOPE_SIZE:
        raise EnvelopeTooLarge("envelope exceeded size limits")
    headers, pos = _header_line(body, 0, "envelope header")
    items: list[Item] = []
    size = len(body)
    while pos < size:
        if not body[pos:].strip(b"\n"):
            break  # tolerate trailing newlines
        item_headers, pos = _header_line(body, pos, f"header of item {len(items) + 1}")
        item_type = item_headers.get("type")
        if not isinstance(item_type, str) or not item_type:
            raise EnvelopeError(f"invalid envelope: item {len(items) + 1} has no type")
        length = item_headers.get("length")
        if length is not None:
            if not isinstance(length, int) or isinstance(length, bool) or length < 0:
                raise EnvelopeError(f"invalid envelope: item {len(items) + 1} has a bad length")
            if pos + length > size:
                raise EnvelopeError(f"invalid envelope: item {len(items) + 1} is truncated")
            payload = body[pos : pos + length]
            pos += length
            if pos < size:
                if body[pos : pos + 1] != b"\n":
                    raise EnvelopeError(
                        f"invalid envelope: item {len(items) + 1} is longer than its length"
                    )
                pos += 1
        else:
            end = body.find(b"\n", pos)
            if end < 0:
                end = size
            payload = body[pos:end]
            pos = end + 1
        if item_type in EVENT_ITEM_TYPES and len(payload) > MAX_EVENT_SIZE:
            raise EnvelopeTooLarge("event item exceeded size limits")
        items.append(Item(item_headers, payload))
    return Envelope(headers, items)


# -- auth ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Auth:
    """Where a request claims to come from."""

    public_key: str
    version: str | None = None
    client: str | None = None
    project_id: int | None = None  # only known when auth came from an envelope `dsn`


def parse_auth_header(value: str) -> dict[str, str]:
    """`Sentry sentry_key=abc, sentry_version=7, ...` -> {"sentry_key": "abc", ...}."""
    text = value.strip()
    if text[:7].lower() == "sentry ":
        text = text[7:]
    out: dict[str, str] = {}
    for part in text.split(","):
        key, sep, val = part.strip().partition("=")
        if sep and key.strip():
            out[key.strip().lower()] = val.strip()
    return out


def auth_from_dsn(dsn: str) -> Auth:
    try:
        parts = urlsplit(dsn)
        project = parts.path.rstrip("/").rsplit("/", 1)[-1]
    except ValueError as exc:
        raise EnvelopeError("invalid dsn in envelope header") from exc
    if not parts.username:
        raise EnvelopeError("invalid dsn in envelope header")
    return Auth(parts.username, project_id=int(project) if project.isdigit() else None)


def find_auth(
    headers: Mapping[str, str], query: Mapping[str, str], envelope_headers: Mapping[str, Any] | None
) -> Auth | None:
    """Relay's order: the auth header, then query parameters, then the envelope's `dsn`."""
    for name in ("x-sentry-auth", "authorization"):
        value = headers.get(name)
        if value and value.strip()[:7].lower() == "sentry ":
            fields = parse_auth_header(value)
            if fields.get("sentry_key"):
                return Auth(
                    fields["sentry_key"], fields.get("sentry_version"), fields.get("sentry_client")
                )
    if query.get("sentry_key"):
        return Auth(query["sentry_key"], query.get("sentry_version"), query.get("sentry_client"))
    dsn = (envelope_headers or {}).get("dsn")
    if isinstance(dsn, str) and dsn:
        return auth_from_dsn(dsn)
    return None
