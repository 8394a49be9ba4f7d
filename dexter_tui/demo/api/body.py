"""Decoding JSON request bodies of the demo Web API without letting odd JSON become a 500."""

from __future__ import annotations

import json
import math
from typing import Any


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a valid JSON value")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number out of range: {text[:40]}")
    return value


def decode_json(raw: bytes | str) -> Any:
    """`json.loads` for request bodies; ValueError (with the reason) for what is not storable
    JSON: malformed text, NaN/Infinity, numbers beyond a double, nesting deeper than Python
    parses, lone surrogates (which no UTF-8 store can hold)."""
    try:
        value = json.loads(raw, parse_constant=_reject_constant, parse_float=_finite)
    except RecursionError:
        raise ValueError("nesting too deep") from None
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("invalid unicode: a lone surrogate") from None
    except RecursionError:
        raise ValueError("nesting too deep") from None
    return value
