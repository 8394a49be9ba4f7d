"""Fault state of the demo server: what tests (and `--fail-rate`) make the API do wrong.

Lives on `app.state.faults`. Targeted faults are set through `POST /api/0/_demo/faults/` (see
`api/faults_routes` in `demo/api/__init__.py`); the random ones come from `ServerOptions`.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from dexter_tui.demo.api.errors import ApiError

if TYPE_CHECKING:
    from starlette.requests import Request


class Faults:
    """Targeted faults (set by tests) plus the seeded random source for `fail_rate`."""

    def __init__(self, random_seed: int | None = None):
        self._lock = threading.Lock()
        self.random = random.Random(random_seed)
        self.bulk_fail_ids: set[int] = set()
        self.drop_connection = 0  # next N API requests: connection closed without a response
        self.malformed_json = 0  # next N API responses: body is not valid JSON
        #: path prefixes answered 404, as by a Sentry without those routes (older self-hosted)
        self.missing_routes: set[str] = set()

    def configure(self, body: dict[str, Any]) -> None:
        """Apply a `POST /api/0/_demo/faults/` body (ValueError on a bad one)."""
        with self._lock:
            if body.get("clear"):
                self.bulk_fail_ids.clear()
                self.drop_connection = 0
                self.malformed_json = 0
                self.missing_routes.clear()
            if "bulk_fail_ids" in body:
                self.bulk_fail_ids |= {int(i) for i in body["bulk_fail_ids"]}
            if "drop_connection" in body:
                self.drop_connection = _count(body["drop_connection"])
            if "malformed_json" in body:
                self.malformed_json = _count(body["malformed_json"])
            if "missing_routes" in body:
                self.missing_routes |= {_api_path(p) for p in body["missing_routes"]}

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "bulk_fail_ids": [str(i) for i in sorted(self.bulk_fail_ids)],
                "drop_connection": self.drop_connection,
                "malformed_json": self.malformed_json,
                "missing_routes": sorted(self.missing_routes),
            }

    def take_drop(self) -> bool:
        """Consume one pending dropped connection."""
        with self._lock:
            if self.drop_connection > 0:
                self.drop_connection -= 1
                return True
            return False

    def is_missing(self, path: str) -> bool:
        """Whether `path` lies under a route this server pretends not to have."""
        with self._lock:
            return any(path.startswith(prefix) for prefix in self.missing_routes)

    def take_malformed(self) -> bool:
        """Consume one pending malformed JSON answer."""
        with self._lock:
            if self.malformed_json > 0:
                self.malformed_json -= 1
                return True
            return False


def _count(value: Any) -> int:
    n = int(value)
    if n < 0:
        raise ValueError("counts must be >= 0")
    return n


def _api_path(value: Any) -> str:
    if not isinstance(value, str) or not value.startswith("/api/0/"):
        raise ValueError("missing_routes are /api/0/ path prefixes")
    return value


def check_bulk(request: Request, ids: Iterable[int | str]) -> None:
    """Raise a 500 (changing nothing) when a bulk request touches an id marked to fail.

    Bulk PUT/DELETE handlers call this before mutating, so the request is all-or-nothing like
    Sentry's.
    """
    faults: Faults | None = getattr(request.app.state, "faults", None)
    if faults is None or not faults.bulk_fail_ids:
        return
    for i in ids:
        try:
            if int(i) in faults.bulk_fail_ids:
                raise ApiError(500, "Internal Error")
        except ValueError:
            continue
