"""Bearer-token authentication and scope checks for the demo Web API.

Tokens live in the `tokens` table (space-separated Sentry scopes). Like Sentry, an operation lists
the scopes that allow it and **any one** of them suffices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dexter_tui.demo.api.errors import ApiError, forbidden

if TYPE_CHECKING:
    from starlette.requests import Request

    from dexter_tui.demo.store import Store

NO_CREDENTIALS = "Authentication credentials were not provided."
INVALID_TOKEN = "Invalid token"  # noqa: S105 - an error message, not a secret


@dataclass(frozen=True)
class Caller:
    """Who is calling: the token's user, the org it is bound to (None = any), its scopes."""

    token: str
    user_id: int
    org_id: int | None
    scopes: frozenset[str]

    def has_any(self, *scopes: str) -> bool:
        return not scopes or any(s in self.scopes for s in scopes)


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None when there is none."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def authenticate(request: Request, store: Store, *any_of_scopes: str) -> Caller:
    """The caller of `request`, checked to hold at least one of `any_of_scopes` (none = any token).

    401 without a usable bearer token or with an unknown one; 403 when the scopes do not allow it.
    """
    cached = getattr(request.state, "caller", None)
    if isinstance(cached, Caller):
        caller = cached
    else:
        token = bearer_token(request)
        if token is None:
            raise ApiError(401, NO_CREDENTIALS)
        row = store.query_one(
            "SELECT user_id, org_id, scopes FROM tokens WHERE token = ?", (token,)
        )
        if row is None:
            raise ApiError(401, INVALID_TOKEN)
        caller = Caller(
            token=token,
            user_id=int(row["user_id"]),
            org_id=None if row["org_id"] is None else int(row["org_id"]),
            scopes=frozenset(str(row["scopes"]).split()),
        )
        request.state.caller = caller
    if not caller.has_any(*any_of_scopes):
        raise forbidden()
    return caller
