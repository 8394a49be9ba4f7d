"""Secrets in an event's request: headers, cookies, query and form fields whose names say secret.

Masked whatever the PII toggle says: a token or session cookie on screen is a leak, not a detail.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

SENSITIVE_NAME = re.compile(
    r"cookie|authori[sz]ation|auth|token|secret|passw(or)?d|pwd|api[-_]?key|session|csrf|xsrf"
    r"|signature|credential|private[-_]?key|x-forwarded-for|x-real-ip|sentry-trace|baggage",
    re.IGNORECASE,
)
MASK = "********"
_FORM_SECRET = re.compile(
    r"((?:passw(?:or)?d|pwd|token|secret|api[-_]?key|session|auth)[^=&\s]*=)([^&\s]+)",
    re.IGNORECASE,
)


def is_sensitive(name: str) -> bool:
    """A header, cookie, field or variable name that usually holds a secret."""
    return bool(SENSITIVE_NAME.search(name))


def mask_header(name: str, value: str) -> str:
    """`Authorization: Bearer abc` → `Bearer ********`; other sensitive values → `********`."""
    if not is_sensitive(name):
        return value
    if name.casefold() in ("authorization", "proxy-authorization"):
        scheme, sep, _ = value.partition(" ")
        if sep and scheme.isalpha():
            return f"{scheme} {MASK}"
    return MASK


def mask_data(value: Any, depth: int = 0) -> Any:
    """Values under secret-named keys, and `password=...` pairs inside strings, masked."""
    if isinstance(value, Mapping) and depth < 8:
        return {
            k: (MASK if is_sensitive(str(k)) else mask_data(v, depth + 1)) for k, v in value.items()
        }
    if isinstance(value, list) and depth < 8:
        return [mask_data(v, depth + 1) for v in value]
    if isinstance(value, str):
        return _FORM_SECRET.sub(lambda m: m.group(1) + MASK, value)
    return value
