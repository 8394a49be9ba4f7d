"""Decoding JSON request bodies of the demo Web API without letting odd JSON become a 500."""

from __future__ import annotations

from typing import Any

from dexter_tui.demo.envelope import loads_strict


def decode_json(raw: bytes | str) -> Any:
    """The body as JSON, read as strictly as ingest reads events (one parser for both): a
    ValueError with the reason for malformed text, NaN/Infinity, numbers out of range, lone
    surrogates and nesting deeper than Relay accepts — a 400, never a 500."""
    return loads_strict(raw, "request body")
