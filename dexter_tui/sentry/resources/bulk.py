"""Bulk issue updates, deletes and merges: explicit ids only, chunked, with a per-id outcome.

Sentry's bulk endpoint updates *every issue matching the query* when no `id=` is given, so no
request leaves without ids. Chunks of <= 100 ids run concurrently within the in-flight cap; a
chunk failing with 500 is bisected until each failing id is isolated (within a request budget).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx

from dexter_tui.sentry.decoding import parse
from dexter_tui.sentry.errors import (
    BadResponse,
    NetworkError,
    NotFound,
    ReadOnlyError,
    SentryError,
    ServerError,
)
from dexter_tui.sentry.models import BulkUpdateResponse
from dexter_tui.sentry.resources.issue_routes import IssueRoutes
from dexter_tui.sentry.urls import API, pairs, q

MAX_BULK_IDS = 100


@dataclass
class BulkResult:
    """Per-id outcome of a bulk update or delete."""

    succeeded: list[str] = field(default_factory=list)
    failed: dict[str, SentryError] = field(default_factory=dict)
    #: sent and answered 2xx, but the answer was unreadable: probably applied, to be verified
    unknown: dict[str, SentryError] = field(default_factory=dict)
    requests: int = 0
    #: most requests one bulk call may send: bisection stops there (a server failing every
    #: request must not turn one action into hundreds of calls); the rest is reported failed
    budget: int = 0
    responses: list[BulkUpdateResponse] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass(frozen=True)
class _BulkCall:
    """What every chunk of one bulk action shares."""

    method: str
    org: str
    changes: dict[str, Any] | None
    project_params: list[tuple[str, str]]
    legacy_project: str | None


class BulkApi(IssueRoutes):
    """Change, delete or merge many issues at once."""

    async def bulk_update_issues(
        self,
        org: str,
        ids: Iterable[str | int],
        changes: dict[str, Any],
        *,
        projects: Iterable[int | str] | None = None,
        chunk_size: int = MAX_BULK_IDS,
        legacy_project: str | None = None,
    ) -> BulkResult:
        """Apply `changes` to exactly these issues; per-id outcome.

        Never sends a request without `id=` params: Sentry would then update every issue matching
        the query. With `legacy_project`, a server without the org-scoped route (404) gets the
        deprecated `/projects/{org}/{project}/issues/` form.
        """
        if not changes:
            raise ValueError("bulk_update_issues needs at least one change")
        if "merge" in changes or "discard" in changes:
            raise ValueError("use merge_issues() for merges; discard is not supported")
        call = _BulkCall("PUT", org, changes, pairs(project=list(projects or [])), legacy_project)
        return await self._bulk(call, ids, chunk_size)

    async def bulk_delete_issues(
        self,
        org: str,
        ids: Iterable[str | int],
        *,
        projects: Iterable[int | str] | None = None,
        chunk_size: int = MAX_BULK_IDS,
        legacy_project: str | None = None,
    ) -> BulkResult:
        """Delete exactly these issues (never "everything matching"); per-id outcome."""
        call = _BulkCall("DELETE", org, None, pairs(project=list(projects or [])), legacy_project)
        return await self._bulk(call, ids, chunk_size)

    async def _bulk(self, call: _BulkCall, ids: Iterable[str | int], chunk_size: int) -> BulkResult:
        unique = list(dict.fromkeys(str(i) for i in ids if str(i).strip()))
        if not unique:
            raise ValueError("a bulk action needs explicit issue ids; refusing to send none")
        if self.read_only:
            raise ReadOnlyError(
                "read-only mode: dexter will not change anything in Sentry",
                method=call.method,
                path=f"{API}/organizations/{q(call.org)}/issues/",
            )
        if not 1 <= chunk_size <= MAX_BULK_IDS:
            raise ValueError(f"chunk_size must be 1..{MAX_BULK_IDS}")
        chunks_needed = -(-len(unique) // chunk_size)
        result = BulkResult(budget=chunks_needed + 8 * max(1, chunk_size.bit_length()) + 16)
        chunks = [unique[i : i + chunk_size] for i in range(0, len(unique), chunk_size)]
        await asyncio.gather(*(self._bulk_chunk(call, c, result) for c in chunks))
        order = {issue_id: n for n, issue_id in enumerate(unique)}
        result.succeeded.sort(key=order.__getitem__)
        result.failed = dict(sorted(result.failed.items(), key=lambda kv: order[kv[0]]))
        result.unknown = dict(sorted(result.unknown.items(), key=lambda kv: order[kv[0]]))
        return result

    async def _bulk_send(self, call: _BulkCall, chunk: list[str]) -> httpx.Response:
        """One bulk request: org-scoped, or the project-scoped form on old self-hosted."""
        params = [*call.project_params, *(("id", i) for i in chunk)]
        org_path = f"{API}/organizations/{q(call.org)}/issues/"
        kw: dict[str, Any] = {"org": call.org, "json": call.changes, "idempotent": True}
        legacy = call.legacy_project
        if legacy and self._legacy_issue_routes.get(call.org) is True:
            path = f"{API}/projects/{q(call.org)}/{q(legacy)}/issues/"
            return await self.request(call.method, path, params=params, **kw)
        try:
            return await self.request(call.method, org_path, params=params, **kw)
        except NotFound:
            if not legacy or self._legacy_issue_routes.get(call.org) is False:
                raise
            path = f"{API}/projects/{q(call.org)}/{q(legacy)}/issues/"
            response = await self.request(call.method, path, params=params, **kw)
            self._legacy_issue_routes[call.org] = True
            return response

    async def _bulk_chunk(self, call: _BulkCall, chunk: list[str], result: BulkResult) -> None:
        assert chunk, "never send a bulk request without ids"
        result.requests += 1
        try:
            response = await self._bulk_send(call, chunk)
        except ServerError as exc:
            # A 500 may come from one bad issue in the chunk; gateway errors (502-504, retried
            # already), network errors and refusals concern the whole request, not an id.
            if len(chunk) == 1 or exc.status != 500 or result.requests >= result.budget:
                for issue_id in chunk:
                    result.failed[issue_id] = exc
                return
            # All-or-nothing per request: split to find which ids fail (O(k log n) requests).
            half = len(chunk) // 2
            await asyncio.gather(
                self._bulk_chunk(call, chunk[:half], result),
                self._bulk_chunk(call, chunk[half:], result),
            )
            return
        except SentryError as exc:
            maybe = isinstance(exc, NetworkError) and exc.maybe_applied
            for issue_id in chunk:
                (result.unknown if maybe else result.failed)[issue_id] = exc
            return
        if response.status_code == 204 and call.method == "PUT":
            missing = NotFound(
                "no issue matched these ids (deleted, merged, or outside the project filter)",
                method=call.method,
                path=response.request.url.path,
                status=204,
            )
            for issue_id in chunk:
                result.failed[issue_id] = missing
            return
        if call.method == "PUT" and response.content:
            # Sentry has applied the change by now: an unreadable answer must not lose that
            try:
                result.responses.append(parse(response, BulkUpdateResponse))
            except BadResponse as exc:
                for issue_id in chunk:
                    result.unknown[issue_id] = exc
                return
        result.succeeded.extend(chunk)

    async def merge_issues(
        self, org: str, ids: Iterable[str | int], *, projects: Iterable[int | str] | None = None
    ) -> BulkUpdateResponse:
        """Merge these issues (>= 2, same project, <= 100) into one; `merge.parent` survives."""
        unique = list(dict.fromkeys(str(i) for i in ids))
        if not 2 <= len(unique) <= MAX_BULK_IDS:
            raise ValueError(f"merging needs 2..{MAX_BULK_IDS} issue ids")
        params = [*pairs(project=list(projects or [])), *(("id", i) for i in unique)]
        response = await self.request(
            "PUT",
            f"{API}/organizations/{q(org)}/issues/",
            org=org,
            params=params,
            json={"merge": True},
        )
        if response.status_code == 204:
            raise NotFound("none of these issues exist", method="PUT", path=response.url.path)
        return parse(response, BulkUpdateResponse)
