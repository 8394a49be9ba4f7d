"""Typed errors of the Sentry client, each with a message a person can act on.

Messages name the endpoint (method and path) and what to do next; they never contain the token
(the client never puts it anywhere but the Authorization header).
"""

from __future__ import annotations

import re
import time
from typing import Any

#: `scheme://user:password@` (or `user@`) in a URL: credentials, never shown or logged.
_URL_CREDENTIALS = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^\s/?#@]+@")


def redact_credentials(text: str) -> str:
    """`https://user:pw@host/x` → `https://***@host/x` (messages quote the configured URL)."""
    return _URL_CREDENTIALS.sub(r"\1***@", text) if "@" in text else text


class SentryError(Exception):
    """Base class: `status` is the HTTP status when there was a response."""

    status: int | None = None

    def __init__(
        self,
        message: str,
        *,
        method: str = "",
        path: str = "",
        status: int | None = None,
        detail: Any = None,
    ) -> None:
        message = redact_credentials(message)
        super().__init__(message)
        self.message = message
        self.method = method
        self.path = path
        self.detail = detail
        if status is not None:
            self.status = status

    @property
    def endpoint(self) -> str:
        return f"{self.method} {self.path}".strip()

    @property
    def transient(self) -> bool:
        """True when trying again later may succeed (toast, not modal)."""
        return False

    def __str__(self) -> str:
        return f"{self.message} ({self.endpoint})" if self.endpoint else self.message


class AuthError(SentryError):
    """401: the token is missing, invalid, expired or revoked."""

    status = 401


class ScopeError(SentryError):
    """403: the token works but lacks a permission; `scope` names the one probably missing."""

    status = 403

    def __init__(self, message: str, *, scope: str | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.scope = scope


class NotFound(SentryError):
    """404: unknown (or hidden) org, project, issue or event."""

    status = 404


class BadRequest(SentryError):
    """400 (and other 4xx): Sentry's `detail`, or `field_errors` from a validation map."""

    status = 400

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None, **kw):
        super().__init__(message, **kw)
        self.field_errors = field_errors or {}


class RateLimited(SentryError):
    """429 after the client's own waiting gave up; `reset_at` is epoch seconds (or None)."""

    status = 429

    def __init__(self, message: str, *, reset_at: float | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.reset_at = reset_at

    @property
    def transient(self) -> bool:
        return True


class ServerError(SentryError):
    """5xx: `error_id` is Sentry's `errorId`, worth quoting to its support."""

    status = 500

    def __init__(self, message: str, *, error_id: str | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.error_id = error_id

    @property
    def transient(self) -> bool:
        return True


class NetworkError(SentryError):
    """No HTTP response: DNS, refused or dropped connection, TLS failure, timeout.

    `maybe_applied`: a write was sent but no answer came (timeout, dropped connection) — Sentry
    may have applied it, so the caller checks instead of reporting a failure.
    """

    maybe_applied: bool = False

    @property
    def transient(self) -> bool:
        return True


class BadResponse(SentryError):
    """A response that is not JSON or not the expected shape."""


class ReadOnlyError(SentryError):
    """The client is in read-only mode and was asked to change something."""


#: (method, path regex) -> scopes any one of which the operation needs (SENTRY_API.md §1, §4-6)
_SCOPES: list[tuple[str, str, str]] = [
    ("DELETE", r"/issues/", "event:admin"),
    ("PUT", r"/issues/[^/]+/comments/", "event:write"),
    ("POST", r"/issues/[^/]+/comments/", "event:write"),
    ("DELETE", r"/issues/[^/]+/comments/", "event:write"),
    ("PUT", r"/issues/", "event:write"),
    ("GET", r"/issues/|/events/|/eventids/|/shortids/|/hashes/", "event:read"),
    ("PUT", r"/rules/|/alert-rules/", "alerts:write"),
    ("GET", r"/rules/|/alert-rules/", "alerts:read"),
    ("GET", r"/members/", "member:read"),
    ("GET", r"/teams/", "team:read"),
    ("GET", r"/releases/", "project:releases"),
    ("GET", r"/projects/", "project:read"),
    ("GET", r"/organizations/", "org:read"),
]


def likely_scope(method: str, path: str) -> str | None:
    """The scope an operation most probably needs, for 403 messages."""
    for m, pattern, scope in _SCOPES:
        if m == method.upper() and re.search(pattern, path):
            return scope
    return None


def error_for_status(
    status: int, body: Any, method: str, path: str, *, rate_reset: float | None = None
) -> SentryError:
    """The typed error for a failed response (`body`: its decoded JSON, or None).

    Sentry's `detail` is quoted; a validation map (`{"field": ["problem"]}`) becomes
    `field_errors`; a 403 names the scope the operation most probably needs.
    """
    detail = body.get("detail") if isinstance(body, dict) else None
    detail_text = detail if isinstance(detail, str) else None
    where = {"method": method, "path": path, "status": status, "detail": body}
    if status == 401:
        return AuthError(
            "Sentry rejected the token (invalid, expired or revoked"
            + (f": {detail_text}" if detail_text else "")
            + "); create a new one under Settings > Auth Tokens and set SENTRY_AUTH_TOKEN "
            "or `token_command`",
            **where,
        )
    if status == 403:
        scope = likely_scope(method, path)
        hint = f"; the token probably lacks the `{scope}` scope" if scope else ""
        return ScopeError(
            f"Sentry refused this with the current token ({detail_text or 'forbidden'}){hint}",
            scope=scope,
            **where,
        )
    if status == 404:
        return NotFound(
            f"not found: {detail_text or 'the resource does not exist or is hidden'}", **where
        )
    if status == 429:
        when = (
            f"; the limit resets at {time.strftime('%H:%M:%S', time.localtime(rate_reset))}"
            if rate_reset
            else ""
        )
        return RateLimited(
            f"rate limited by Sentry ({detail_text or 'too many requests'}){when}",
            reset_at=rate_reset,
            **where,
        )
    if status >= 500:
        error_id = body.get("errorId") if isinstance(body, dict) else None
        ref = f" (errorId {error_id})" if error_id else ""
        return ServerError(
            f"Sentry failed with HTTP {status}{ref}; try again later",
            error_id=error_id if isinstance(error_id, str) else None,
            **where,
        )
    field_errors: dict[str, list[str]] = {}
    if isinstance(body, dict) and detail is None:
        for key, value in body.items():
            if isinstance(value, list):
                field_errors[key] = [str(v) for v in value]
            elif isinstance(value, str):
                field_errors[key] = [value]
    if field_errors:
        text = "; ".join(f"{k}: {' '.join(v)}" for k, v in field_errors.items())
    else:
        text = detail_text or (str(detail) if detail is not None else f"HTTP {status}")
    return BadRequest(f"Sentry rejected the request: {text}", field_errors=field_errors, **where)
