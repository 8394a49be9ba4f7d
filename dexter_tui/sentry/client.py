"""`SentryClient`: one `httpx.AsyncClient` for Sentry's Web API.

What it takes care of, so the services above never have to:

* auth (`Authorization: Bearer`, nowhere else), keep-alive, timeouts, TLS verification (optional
  custom CA bundle), `User-Agent: dexter-tui/<version>`;
* an in-flight cap (`asyncio.Semaphore`, default 4) and an observable `RateLimitState` fed by
  every response's `X-Sentry-Rate-Limit-*` headers;
* 429: sleep until `X-Sentry-Rate-Limit-Reset` (+ jitter) or back off exponentially, then resend
  (a 429 means the request was refused unprocessed, so this holds for every method);
* retries, bounded with backoff: GET on network errors and 500/502/503/504; PUT/DELETE only when
  the caller marks the call idempotent (explicit-id bulk updates, deletes) and only on network
  errors and 502/503/504; POST never;
* typed errors (`errors.py`) naming the endpoint, never the token;
* SaaS regions: org-scoped calls go to the org's `links.regionUrl` (discovered once per org);
* old self-hosted: issue routes fall back to the legacy `/api/0/issues/{id}/...` and
  `/api/0/projects/{org}/{project}/issues/` forms when the org-scoped ones answer 404;
* bulk updates chunked to <= 100 explicit ids, concurrent within the cap, with a per-id outcome
  (failed chunks are bisected until each failing id is isolated).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import httpx
from pydantic import BaseModel, ValidationError

from dexter_tui import __version__
from dexter_tui.sentry.errors import (
    AuthError,
    BadRequest,
    BadResponse,
    NetworkError,
    NotFound,
    RateLimited,
    ReadOnlyError,
    ScopeError,
    SentryError,
    ServerError,
    likely_scope,
)
from dexter_tui.sentry.models import (
    Activity,
    AlertRule,
    BulkUpdateResponse,
    DiscoverResult,
    Environment,
    Event,
    EventIdLookup,
    EventsStats,
    Issue,
    IssueHash,
    Member,
    Organization,
    Project,
    Release,
    ShortIdLookup,
    TagDetail,
    TagValue,
    Team,
    TimeSeriesResult,
)
from dexter_tui.sentry.pagination import Page, iterate_pages
from dexter_tui.sentry.ratelimit import (
    RateLimitState,
    backoff_delay,
    parse_rate_limit_headers,
    rate_limit_delay,
)

M = TypeVar("M", bound=BaseModel)
Params = Sequence[tuple[str, str]] | Mapping[str, Any] | None

API = "/api/0"
MAX_BULK_IDS = 100
_RETRY_GET_STATUSES = frozenset({500, 502, 503, 504})
_RETRY_IDEMPOTENT_STATUSES = frozenset({502, 503, 504})
_WRITE_METHODS = frozenset({"PUT", "POST", "DELETE", "PATCH"})


def _q(part: str | int) -> str:
    """One URL path segment, fully quoted (release versions hold `/`, `@`, `+`)."""
    return quote(str(part), safe="")


def _params(**kw: Any) -> list[tuple[str, str]]:
    """Query pairs: None skipped, lists repeated (`?project=1&project=2`), bools as 1/0."""
    pairs: list[tuple[str, str]] = []
    for key, value in kw.items():
        if value is None:
            continue
        values = value if isinstance(value, list | tuple | set | frozenset) else [value]
        for item in values:
            if item is None:
                continue
            if isinstance(item, bool):
                item = "1" if item else "0"
            pairs.append((key, str(item)))
    return pairs


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


@dataclass
class ServerInfo:
    """What `GET /api/0/` says about the server (self-hosted exposes a version there)."""

    version: str | None
    authenticated: bool | None
    raw: dict[str, Any]


class SentryClient:
    """Async client of Sentry's Web API; use as `async with SentryClient(...) as client`."""

    def __init__(
        self,
        url: str,
        token: str | None,
        *,
        timeout: float = 30.0,
        connect_timeout: float = 10.0,
        ca_bundle: str | None = None,
        max_concurrency: int = 4,
        max_retries: int = 3,
        max_rate_limit_retries: int = 5,
        max_rate_limit_wait: float = 60.0,
        read_only: bool = False,
        region_discovery: bool | None = None,
        rate_limits: RateLimitState | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.base_url = url.rstrip("/").removesuffix("/api/0")
        self.read_only = read_only
        self.max_retries = max_retries
        self.max_rate_limit_retries = max_rate_limit_retries
        self.max_rate_limit_wait = max_rate_limit_wait
        self.rate_limits = rate_limits or RateLimitState()
        self._sleep = sleep
        self._clock = clock
        self._semaphore = asyncio.Semaphore(max(1, max_concurrency))
        # writes queue on their own slots: a hung bulk action never starves the reads
        self._write_semaphore = asyncio.Semaphore(max(1, max_concurrency // 2))
        host = urlsplit(self.base_url).hostname or ""
        # Region URLs exist only on SaaS; elsewhere discovery would cost a request for nothing.
        self.region_discovery = (
            host == "sentry.io" or host.endswith(".sentry.io")
            if region_discovery is None
            else region_discovery
        )
        self._region: dict[str, str] = {}
        self._region_locks: dict[str, asyncio.Lock] = {}
        self._legacy_issue_routes: dict[str, bool] = {}  # org -> True legacy / False org-scoped
        headers = {"User-Agent": f"dexter-tui/{__version__}", "Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        verify: Any = True
        if ca_bundle:
            import ssl

            # the system store plus the private CA (a proxy or self-hosted install)
            verify = ssl.create_default_context()
            verify.load_verify_locations(cafile=str(ca_bundle))
        self._http = httpx.AsyncClient(
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            verify=verify,
            transport=transport,
            follow_redirects=False,
            limits=httpx.Limits(max_connections=max(1, max_concurrency) * 2),
        )

    @classmethod
    def from_settings(cls, settings: Any, **kw: Any) -> SentryClient:
        """Build from `dexter_tui.config.Settings` (duck-typed to keep config import-light)."""
        return cls(
            settings.url,
            settings.token_value(),
            timeout=settings.timeout,
            connect_timeout=settings.connect_timeout,
            ca_bundle=str(settings.ca_bundle) if settings.ca_bundle else None,
            max_concurrency=settings.max_concurrency,
            read_only=settings.read_only,
            **kw,
        )

    def __repr__(self) -> str:
        return f"SentryClient({self.base_url!r}, token=<redacted>)"

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> SentryClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- transport --------------------------------------------------------------------------------

    async def _base_for(self, org: str | None) -> str:
        """The host for a call: the org's region URL on SaaS, else the configured URL."""
        if org is None or not self.region_discovery:
            return self.base_url
        if org in self._region:
            return self._region[org]
        lock = self._region_locks.setdefault(org, asyncio.Lock())
        async with lock:
            if org not in self._region:
                response = await self._send("GET", self.base_url, f"{API}/organizations/{_q(org)}/")
                found = self._parse(response, Organization)
                self._region[org] = self._accept_region(found.links.region_url)
        return self._region[org]

    def _accept_region(self, region_url: str | None) -> str:
        """Use `regionUrl` only when it is a proper URL and no downgrade from https."""
        if not region_url:
            return self.base_url
        parts = urlsplit(region_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return self.base_url
        if urlsplit(self.base_url).scheme == "https" and parts.scheme != "https":
            return self.base_url
        return region_url.rstrip("/")

    async def request(
        self,
        method: str,
        path: str,
        *,
        org: str | None = None,
        params: Params = None,
        json: Any = None,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        """Send one API call (with retries and rate-limit waits); raise a typed error on failure.

        `org` routes the call to that org's region. `idempotent=True` allows retrying a
        PUT/DELETE on network errors and 502/503/504.
        """
        method = method.upper()
        if self.read_only and method in _WRITE_METHODS:
            raise ReadOnlyError(
                "read-only mode: dexter will not change anything in Sentry "
                "(drop --read-only / read_only = true to allow it)",
                method=method,
                path=path,
            )
        base = await self._base_for(org)
        return await self._send(method, base, path, params=params, json=json, idempotent=idempotent)

    async def _send(
        self,
        method: str,
        base: str,
        path: str,
        *,
        params: Params = None,
        json: Any = None,
        idempotent: bool | None = None,
    ) -> httpx.Response:
        if idempotent is None:
            idempotent = method in ("GET", "HEAD")
        retry_statuses = (
            _RETRY_GET_STATUSES if method in ("GET", "HEAD") else _RETRY_IDEMPOTENT_STATUSES
        )
        url = base + path
        attempt = 0
        throttled = 0
        while True:
            await self._pace(f"{method} {path}")
            response: httpx.Response | None = None
            failure: SentryError | None = None
            slots = self._write_semaphore if method in _WRITE_METHODS else self._semaphore
            async with slots:
                self.rate_limits.request_started()
                try:
                    response = await self._http.request(method, url, params=params, json=json)
                except httpx.TimeoutException as exc:
                    failure = NetworkError(
                        f"Sentry did not answer in time ({type(exc).__name__}); "
                        "check the network or raise `timeout`",
                        method=method,
                        path=path,
                    )
                    failure.maybe_applied = _maybe_sent(method, exc)
                except httpx.TransportError as exc:
                    failure = NetworkError(_network_message(exc, base), method=method, path=path)
                    failure.maybe_applied = _maybe_sent(method, exc)
                finally:
                    self.rate_limits.request_finished()
            if failure is not None:
                # a write that may have reached Sentry is not sent again: the timeout is per
                # request (not a chain of four), and the caller verifies what happened
                retry = not failure.maybe_applied
                if retry and idempotent and method != "POST" and attempt < self.max_retries:
                    await self._sleep(backoff_delay(attempt))
                    attempt += 1
                    continue
                raise failure
            assert response is not None
            info = parse_rate_limit_headers(
                response.headers, endpoint=f"{method} {path}", now=self._clock()
            )
            self.rate_limits.observe(info)
            status = response.status_code
            if status == 429:
                delay = rate_limit_delay(info, throttled, now=self._clock())
                if throttled < self.max_rate_limit_retries and delay <= self.max_rate_limit_wait:
                    self.rate_limits.set_backoff(self._clock() + delay)
                    try:
                        await self._sleep(delay)
                    finally:
                        self.rate_limits.set_backoff(None)
                        self.rate_limits.by_endpoint.pop(f"{method} {path}", None)
                    throttled += 1
                    continue
                raise self._error(response, method, path, rate_reset=info.reset if info else None)
            if (
                status in retry_statuses
                and idempotent
                and method != "POST"
                and attempt < self.max_retries
            ):
                await self._sleep(backoff_delay(attempt))
                attempt += 1
                continue
            if 300 <= status < 400:
                # never followed: the token must not travel to wherever a redirect points
                location = response.headers.get("location", "elsewhere")
                raise BadResponse(
                    f"Sentry redirected to {location}; set `url` to the final address "
                    "(often https:// instead of http://)",
                    method=method,
                    path=path,
                    status=status,
                )
            if status >= 400:
                raise self._error(response, method, path)
            return response

    async def _pace(self, endpoint: str) -> None:
        """Wait for the window reset when this endpoint's budget is known to be spent.

        Saves the round trip of a certain 429. Unknown budgets (no headers) never wait.
        """
        info = self.rate_limits.by_endpoint.get(endpoint)
        if info is None or info.remaining != 0 or info.reset is None:
            return
        delay = rate_limit_delay(info, 0, now=self._clock())
        if info.reset <= self._clock() or delay > self.max_rate_limit_wait:
            return
        self.rate_limits.paced += 1
        self.rate_limits.set_backoff(self._clock() + delay, throttled=False)
        try:
            await self._sleep(delay)
        finally:
            self.rate_limits.set_backoff(None)
            # the budget renews at the reset: forget the spent one
            self.rate_limits.by_endpoint.pop(endpoint, None)

    def _error(
        self, response: httpx.Response, method: str, path: str, rate_reset: float | None = None
    ) -> SentryError:
        status = response.status_code
        body: Any = None
        try:
            body = response.json()
        except ValueError:
            body = None
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
        return BadRequest(
            f"Sentry rejected the request: {text}", field_errors=field_errors, **where
        )

    # -- decoding ---------------------------------------------------------------------------------

    def _json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise BadResponse(
                f"Sentry answered HTTP {response.status_code} with a body that is not JSON "
                f"({response.headers.get('content-type', 'no content type')})",
                method=response.request.method,
                path=response.request.url.path,
                status=response.status_code,
            ) from None

    def _parse(self, response: httpx.Response, model: type[M]) -> M:
        return self._validate(response, model, self._json(response))

    def _validate(self, response: httpx.Response, model: type[M], data: Any) -> M:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first.get("loc", ())) or "(top level)"
            raise BadResponse(
                f"unexpected {model.__name__} shape from Sentry at `{loc}`: {first.get('msg')}",
                method=response.request.method,
                path=response.request.url.path,
                status=response.status_code,
            ) from None

    def _parse_list(self, response: httpx.Response, model: type[M]) -> list[M]:
        data = self._json(response)
        if not isinstance(data, list):
            raise BadResponse(
                f"expected a JSON list of {model.__name__}, got {type(data).__name__}",
                method=response.request.method,
                path=response.request.url.path,
                status=response.status_code,
            )
        return [self._validate(response, model, item) for item in data]

    async def _get(self, path: str, model: type[M], *, org: str | None, params: Params = None) -> M:
        return self._parse(await self.request("GET", path, org=org, params=params), model)

    async def _get_page(
        self,
        path: str,
        model: type[M],
        *,
        org: str | None,
        params: list[tuple[str, str]],
        cursor: str | None,
    ) -> Page[M]:
        if cursor:
            params = [*params, ("cursor", cursor)]
        response = await self.request("GET", path, org=org, params=params)
        return Page.from_headers(self._parse_list(response, model), response.headers)

    async def _all_pages(
        self,
        path: str,
        model: type[M],
        *,
        org: str | None,
        params: list[tuple[str, str]],
        max_pages: int,
    ) -> list[M]:
        items: list[M] = []
        async for page in iterate_pages(
            lambda c: self._get_page(path, model, org=org, params=params, cursor=c),
            max_pages=max_pages,
        ):
            items.extend(page.items)
        return items

    # -- server -----------------------------------------------------------------------------------

    async def ping(self, limit: float = 5.0) -> None:
        """Is the server answering at all? One short `GET /api/0/`, no retries, nothing parsed.

        Any answer below 500 counts (even 401); 5xx and network errors raise. Polling uses it
        every few seconds while offline: far cheaper than the issue list it stands in for.
        """
        path = f"{API}/"
        try:
            response = await self._http.get(self.base_url + path, timeout=limit)
        except httpx.TransportError as exc:
            raise NetworkError(
                _network_message(exc, self.base_url), method="GET", path=path
            ) from None
        if response.status_code >= 500:
            raise self._error(response, "GET", path)

    async def server_info(self) -> ServerInfo:
        """`GET /api/0/`: self-hosted and SaaS answer with auth info (and sometimes a version)."""
        data = self._json(await self.request("GET", f"{API}/"))
        if not isinstance(data, dict):
            data = {}
        version = data.get("version")
        return ServerInfo(
            version=str(version) if version not in (None, "0") else None,
            authenticated=bool(data.get("user") or data.get("auth")) if data else None,
            raw=data,
        )

    async def region_url(self, org: str) -> str:
        """The base URL org-scoped calls of `org` use (discovering it when enabled)."""
        return await self._base_for(org)

    # -- organizations, projects, people ----------------------------------------------------------

    async def list_organizations(
        self, *, max_pages: int = 5, per_page: int | None = None
    ) -> list[Organization]:
        return await self._all_pages(
            f"{API}/organizations/",
            Organization,
            org=None,
            params=_params(per_page=per_page),
            max_pages=max_pages,
        )

    async def get_organization(self, org: str) -> Organization:
        return await self._get(f"{API}/organizations/{_q(org)}/", Organization, org=org)

    async def list_projects(
        self, org: str, *, max_pages: int = 10, per_page: int | None = None
    ) -> list[Project]:
        return await self._all_pages(
            f"{API}/organizations/{_q(org)}/projects/",
            Project,
            org=org,
            params=_params(per_page=per_page),
            max_pages=max_pages,
        )

    async def get_project(self, org: str, project: str) -> Project:
        return await self._get(f"{API}/projects/{_q(org)}/{_q(project)}/", Project, org=org)

    async def list_teams(
        self, org: str, *, max_pages: int = 10, per_page: int | None = None
    ) -> list[Team]:
        return await self._all_pages(
            f"{API}/organizations/{_q(org)}/teams/",
            Team,
            org=org,
            params=_params(per_page=per_page),
            max_pages=max_pages,
        )

    async def list_members(self, org: str, *, max_pages: int = 10) -> list[Member]:
        """Org members (the schema declares only `cursor`: Sentry's page size applies)."""
        return await self._all_pages(
            f"{API}/organizations/{_q(org)}/members/",
            Member,
            org=org,
            params=[],
            max_pages=max_pages,
        )

    async def list_project_members(self, org: str, project: str) -> list[Member]:
        response = await self.request(
            "GET", f"{API}/projects/{_q(org)}/{_q(project)}/members/", org=org
        )
        return self._parse_list(response, Member)

    async def list_environments(
        self, org: str, *, visibility: str | None = "visible"
    ) -> list[Environment]:
        response = await self.request(
            "GET",
            f"{API}/organizations/{_q(org)}/environments/",
            org=org,
            params=_params(visibility=visibility),
        )
        return self._parse_list(response, Environment)

    async def list_project_environments(
        self, org: str, project: str, *, visibility: str | None = "visible"
    ) -> list[Environment]:
        response = await self.request(
            "GET",
            f"{API}/projects/{_q(org)}/{_q(project)}/environments/",
            org=org,
            params=_params(visibility=visibility),
        )
        return self._parse_list(response, Environment)

    # -- issues -----------------------------------------------------------------------------------

    def issue_list_params(
        self,
        *,
        query: str | None = "is:unresolved",
        projects: Iterable[int | str] | None = None,
        environments: Iterable[str] | None = None,
        stats_period: str | None = None,
        start: str | None = None,
        end: str | None = None,
        group_stats_period: str | None = "24h",
        sort: str | None = None,
        limit: int | None = 100,
        expand: Iterable[str] | None = None,
        collapse: Iterable[str] | None = None,
        short_id_lookup: bool | None = None,
    ) -> list[tuple[str, str]]:
        """Query pairs of `GET /organizations/{org}/issues/` (SENTRY_API.md §3.1)."""
        if limit is not None and not 1 <= limit <= 100:
            raise ValueError("limit must be 1..100")
        return _params(
            query=query if query is not None else "",
            project=list(projects or []),
            environment=list(environments or []),
            statsPeriod=stats_period,
            start=start,
            end=end,
            groupStatsPeriod=group_stats_period,
            sort=sort,
            limit=limit,
            expand=list(expand or []),
            collapse=list(collapse or []),
            shortIdLookup=short_id_lookup,
        )

    async def list_issues(
        self, org: str, *, cursor: str | None = None, legacy_project: str | None = None, **kw: Any
    ) -> Page[Issue]:
        """One page of issues (stats included); `kw` as `issue_list_params`.

        On a server without the org-scoped route (404) and a `legacy_project` slug, falls back to
        the deprecated project-scoped list.
        """
        params = self.issue_list_params(**kw)
        path = f"{API}/organizations/{_q(org)}/issues/"
        if legacy_project and self._legacy_issue_routes.get(org):
            return await self._legacy_issue_page(org, legacy_project, kw, cursor)
        try:
            page = await self._get_page(path, Issue, org=org, params=params, cursor=cursor)
        except NotFound:
            if not legacy_project or self._legacy_issue_routes.get(org) is False:
                raise
            page = await self._legacy_issue_page(org, legacy_project, kw, cursor)
            self._legacy_issue_routes[org] = True
            return page
        self._legacy_issue_routes.setdefault(org, False)
        return page

    async def _legacy_issue_page(
        self, org: str, project: str, kw: dict[str, Any], cursor: str | None
    ) -> Page[Issue]:
        stats = kw.get("group_stats_period", "24h")
        params = _params(
            query=kw.get("query", "is:unresolved") or "",
            statsPeriod=stats if stats in ("", "24h", "14d") else "24h",
            sort=kw.get("sort"),
            limit=kw.get("limit", 100),
            shortIdLookup=kw.get("short_id_lookup"),
        )
        path = f"{API}/projects/{_q(org)}/{_q(project)}/issues/"
        return await self._get_page(path, Issue, org=org, params=params, cursor=cursor)

    async def iter_issues(
        self, org: str, *, max_pages: int = 10, cursor: str | None = None, **kw: Any
    ) -> AsyncIterator[Page[Issue]]:
        """Pages of issues until the last one (`results="false"`) or `max_pages`."""
        async for page in iterate_pages(
            lambda c: self.list_issues(org, cursor=c, **kw), cursor=cursor, max_pages=max_pages
        ):
            yield page

    async def _issue_call(
        self,
        method: str,
        org: str,
        issue_id: str | int,
        suffix: str = "",
        **kw: Any,
    ) -> httpx.Response:
        """An issue-scoped call: org-scoped route, falling back once to `/api/0/issues/{id}/`."""
        org_path = f"{API}/organizations/{_q(org)}/issues/{_q(issue_id)}/{suffix}"
        legacy_path = f"{API}/issues/{_q(issue_id)}/{suffix}"
        mode = self._legacy_issue_routes.get(org)
        if mode is True:
            return await self.request(method, legacy_path, org=org, **kw)
        try:
            response = await self.request(method, org_path, org=org, **kw)
        except NotFound:
            if mode is False:
                raise
            try:
                response = await self.request(method, legacy_path, org=org, **kw)
            except NotFound:
                raise
            self._legacy_issue_routes[org] = True
            return response
        self._legacy_issue_routes[org] = False
        return response

    async def get_issue(
        self,
        org: str,
        issue_id: str | int,
        *,
        environments: Iterable[str] | None = None,
        expand: Iterable[str] | None = None,
        collapse: Iterable[str] | None = None,
    ) -> Issue:
        params = _params(
            environment=list(environments or []),
            expand=list(expand or []),
            collapse=list(collapse or []),
        )
        response = await self._issue_call("GET", org, issue_id, params=params)
        return self._parse(response, Issue)

    async def update_issue(self, org: str, issue_id: str | int, changes: dict[str, Any]) -> Issue:
        """Partial update of one issue (status, assignedTo, isBookmarked...); returns it."""
        if not changes:
            raise ValueError("update_issue needs at least one change")
        response = await self._issue_call("PUT", org, issue_id, json=changes, idempotent=True)
        return self._parse(response, Issue)

    async def delete_issue(self, org: str, issue_id: str | int) -> None:
        """Queue one issue for deletion (202)."""
        await self._issue_call("DELETE", org, issue_id, idempotent=True)

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
        call = _BulkCall("PUT", org, changes, _params(project=list(projects or [])), legacy_project)
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
        call = _BulkCall("DELETE", org, None, _params(project=list(projects or [])), legacy_project)
        return await self._bulk(call, ids, chunk_size)

    async def _bulk(self, call: _BulkCall, ids: Iterable[str | int], chunk_size: int) -> BulkResult:
        unique = list(dict.fromkeys(str(i) for i in ids if str(i).strip()))
        if not unique:
            raise ValueError("a bulk action needs explicit issue ids; refusing to send none")
        if self.read_only:
            raise ReadOnlyError(
                "read-only mode: dexter will not change anything in Sentry",
                method=call.method,
                path=f"{API}/organizations/{_q(call.org)}/issues/",
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
        org_path = f"{API}/organizations/{_q(call.org)}/issues/"
        kw: dict[str, Any] = {"org": call.org, "json": call.changes, "idempotent": True}
        legacy = call.legacy_project
        if legacy and self._legacy_issue_routes.get(call.org) is True:
            path = f"{API}/projects/{_q(call.org)}/{_q(legacy)}/issues/"
            return await self.request(call.method, path, params=params, **kw)
        try:
            return await self.request(call.method, org_path, params=params, **kw)
        except NotFound:
            if not legacy or self._legacy_issue_routes.get(call.org) is False:
                raise
            path = f"{API}/projects/{_q(call.org)}/{_q(legacy)}/issues/"
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
                result.responses.append(self._parse(response, BulkUpdateResponse))
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
        params = [*_params(project=list(projects or [])), *(("id", i) for i in unique)]
        response = await self.request(
            "PUT",
            f"{API}/organizations/{_q(org)}/issues/",
            org=org,
            params=params,
            json={"merge": True},
        )
        if response.status_code == 204:
            raise NotFound("none of these issues exist", method="PUT", path=response.url.path)
        return self._parse(response, BulkUpdateResponse)

    async def lookup_short_id(self, org: str, short_id: str) -> ShortIdLookup:
        return await self._get(
            f"{API}/organizations/{_q(org)}/shortids/{_q(short_id)}/", ShortIdLookup, org=org
        )

    async def lookup_event_id(self, org: str, event_id: str) -> EventIdLookup:
        return await self._get(
            f"{API}/organizations/{_q(org)}/eventids/{_q(event_id)}/", EventIdLookup, org=org
        )

    # -- events -----------------------------------------------------------------------------------

    async def list_issue_events(
        self,
        org: str,
        issue_id: str | int,
        *,
        cursor: str | None = None,
        full: bool = False,
        query: str | None = None,
        environments: Iterable[str] | None = None,
        stats_period: str | None = None,
        start: str | None = None,
        end: str | None = None,
        per_page: int | None = None,
    ) -> Page[Event]:
        """One page of an issue's events, newest first (simple events unless `full`)."""
        params = _params(
            full="true" if full else None,
            query=query,
            environment=list(environments or []),
            statsPeriod=stats_period,
            start=start,
            end=end,
            per_page=per_page,
            cursor=cursor,
        )
        response = await self._issue_call("GET", org, issue_id, "events/", params=params)
        return Page.from_headers(self._parse_list(response, Event), response.headers)

    async def get_issue_event(
        self,
        org: str,
        issue_id: str | int,
        event_id: str = "latest",
        *,
        environments: Iterable[str] | None = None,
    ) -> Event:
        """`latest`, `oldest`, `recommended` or an event id; with next/previous event ids."""
        params = _params(environment=list(environments or []))
        response = await self._issue_call(
            "GET", org, issue_id, f"events/{_q(event_id)}/", params=params
        )
        return self._parse(response, Event)

    async def get_project_event(self, org: str, project: str, event_id: str) -> Event:
        return await self._get(
            f"{API}/projects/{_q(org)}/{_q(project)}/events/{_q(event_id)}/", Event, org=org
        )

    async def list_issue_hashes(
        self, org: str, issue_id: str | int, *, cursor: str | None = None, full: bool = False
    ) -> Page[IssueHash]:
        params = _params(full="true" if full else "false", cursor=cursor)
        response = await self._issue_call("GET", org, issue_id, "hashes/", params=params)
        return Page.from_headers(self._parse_list(response, IssueHash), response.headers)

    async def list_issue_tags(
        self, org: str, issue_id: str | int, *, environments: Iterable[str] | None = None
    ) -> list[TagDetail]:
        params = _params(environment=list(environments or []))
        response = await self._issue_call("GET", org, issue_id, "tags/", params=params)
        return self._parse_list(response, TagDetail)

    async def get_issue_tag(
        self,
        org: str,
        issue_id: str | int,
        key: str,
        *,
        environments: Iterable[str] | None = None,
    ) -> TagDetail:
        params = _params(environment=list(environments or []))
        response = await self._issue_call("GET", org, issue_id, f"tags/{_q(key)}/", params=params)
        return self._parse(response, TagDetail)

    async def list_issue_tag_values(
        self,
        org: str,
        issue_id: str | int,
        key: str,
        *,
        cursor: str | None = None,
        sort: str | None = None,
        environments: Iterable[str] | None = None,
    ) -> Page[TagValue]:
        params = _params(sort=sort, environment=list(environments or []), cursor=cursor)
        response = await self._issue_call(
            "GET", org, issue_id, f"tags/{_q(key)}/values/", params=params
        )
        return Page.from_headers(self._parse_list(response, TagValue), response.headers)

    # -- comments and activity --------------------------------------------------------------------

    async def list_comments(
        self, org: str, issue_id: str | int, *, cursor: str | None = None
    ) -> Page[Activity]:
        """Notes on an issue, newest first."""
        response = await self._issue_call(
            "GET", org, issue_id, "comments/", params=_params(cursor=cursor)
        )
        return Page.from_headers(self._parse_list(response, Activity), response.headers)

    async def create_comment(
        self,
        org: str,
        issue_id: str | int,
        text: str,
        *,
        mentions: Iterable[str] | None = None,
    ) -> Activity:
        """Post a note (never retried: a resend would duplicate it)."""
        body: dict[str, Any] = {"text": text}
        if mentions:
            body["mentions"] = list(mentions)
        response = await self._issue_call("POST", org, issue_id, "comments/", json=body)
        return self._parse(response, Activity)

    async def update_comment(
        self, org: str, issue_id: str | int, comment_id: str | int, text: str
    ) -> Activity:
        response = await self._issue_call(
            "PUT",
            org,
            issue_id,
            f"comments/{_q(comment_id)}/",
            json={"text": text},
            idempotent=True,
        )
        return self._parse(response, Activity)

    async def delete_comment(self, org: str, issue_id: str | int, comment_id: str | int) -> None:
        await self._issue_call(
            "DELETE", org, issue_id, f"comments/{_q(comment_id)}/", idempotent=True
        )

    async def list_activities(self, org: str, issue_id: str | int) -> list[Activity]:
        """`{"activity": [...]}` (up to 100 items, newest first)."""
        response = await self._issue_call("GET", org, issue_id, "activities/")
        data = self._json(response)
        items = data.get("activity") if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise BadResponse(
                "expected {'activity': [...]}",
                method="GET",
                path=response.request.url.path,
                status=response.status_code,
            )
        return [self._validate(response, Activity, item) for item in items]

    # -- releases ---------------------------------------------------------------------------------

    async def list_releases(
        self,
        org: str,
        *,
        cursor: str | None = None,
        projects: Iterable[int | str] | None = None,
        environments: Iterable[str] | None = None,
        query: str | None = None,
        per_page: int | None = None,
    ) -> Page[Release]:
        params = _params(
            project=list(projects or []),
            environment=list(environments or []),
            query=query,
            per_page=per_page,
        )
        return await self._get_page(
            f"{API}/organizations/{_q(org)}/releases/",
            Release,
            org=org,
            params=params,
            cursor=cursor,
        )

    async def get_release(
        self, org: str, version: str, *, project: int | str | None = None
    ) -> Release:
        return await self._get(
            f"{API}/organizations/{_q(org)}/releases/{_q(version)}/",
            Release,
            org=org,
            params=_params(project=project),
        )

    # -- alert rules (legacy issue alerts, still served; SENTRY_API.md §6) ------------------------

    async def list_alert_rules(self, org: str, project: str) -> list[AlertRule]:
        response = await self.request(
            "GET", f"{API}/projects/{_q(org)}/{_q(project)}/rules/", org=org
        )
        return self._parse_list(response, AlertRule)

    async def get_alert_rule(self, org: str, project: str, rule_id: str | int) -> AlertRule:
        return await self._get(
            f"{API}/projects/{_q(org)}/{_q(project)}/rules/{_q(rule_id)}/", AlertRule, org=org
        )

    async def set_alert_rule_enabled(
        self, org: str, project: str, rule_id: str | int, enabled: bool
    ) -> AlertRule:
        """Enable or disable a rule: PUT the rule back with `status` changed (idempotent)."""
        rule = await self.get_alert_rule(org, project, rule_id)
        body = rule.model_dump(
            by_alias=True,
            mode="json",
            include={
                "name",
                "conditions",
                "filters",
                "actions",
                "action_match",
                "filter_match",
                "frequency",
                "environment",
                "owner",
            },
            exclude_none=True,
        )
        body["status"] = "active" if enabled else "disabled"
        response = await self.request(
            "PUT",
            f"{API}/projects/{_q(org)}/{_q(project)}/rules/{_q(rule_id)}/",
            org=org,
            json=body,
            idempotent=True,
        )
        return self._parse(response, AlertRule)

    async def snooze_alert_rule(
        self,
        org: str,
        project: str,
        rule_id: str | int,
        *,
        target: str = "me",
        until: str | None = None,
    ) -> dict[str, Any]:
        """Mute a rule's notifications for `target` ("me" or "everyone"), until a date or forever.

        POST, so never retried; Sentry answers 410 when a snooze already exists for that scope.
        """
        body: dict[str, Any] = {"target": target}
        if until is not None:
            body["until"] = until
        response = await self.request(
            "POST",
            f"{API}/projects/{_q(org)}/{_q(project)}/rules/{_q(rule_id)}/snooze/",
            org=org,
            json=body,
        )
        data = self._json(response)
        return data if isinstance(data, dict) else {}

    async def unsnooze_alert_rule(
        self, org: str, project: str, rule_id: str | int, *, target: str = "me"
    ) -> None:
        """Lift a rule's snooze (404 when there is none for that scope)."""
        await self.request(
            "DELETE",
            f"{API}/projects/{_q(org)}/{_q(project)}/rules/{_q(rule_id)}/snooze/",
            org=org,
            json={"target": target},
            idempotent=True,
        )

    async def alert_rule_group_history(
        self,
        org: str,
        project: str,
        rule_id: str | int,
        *,
        stats_period: str = "14d",
        per_page: int = 25,
    ) -> list[dict[str, Any]]:
        """The issues a rule fired for (`group-history`: `[{group, count, lastTriggered}]`).

        Not served by every Sentry (nor by the demo): callers treat `NotFound` as "not exposed".
        """
        response = await self.request(
            "GET",
            f"{API}/projects/{_q(org)}/{_q(project)}/rules/{_q(rule_id)}/group-history/",
            org=org,
            params=_params(statsPeriod=stats_period, per_page=per_page),
        )
        data = self._json(response)
        return [d for d in data if isinstance(d, dict)] if isinstance(data, list) else []

    async def list_org_resource(
        self, org: str, name: str, *, params: Params = None
    ) -> list[dict[str, Any]]:
        """One page of an org-level list endpoint as raw dicts (`workflows`, `detectors`,
        `searches`...): for features that exist only on some Sentry versions, so callers probe
        them and treat `NotFound` as absent instead of modelling every variant.
        """
        response = await self.request(
            "GET", f"{API}/organizations/{_q(org)}/{_q(name)}/", org=org, params=params
        )
        data = self._json(response)
        return [d for d in data if isinstance(d, dict)] if isinstance(data, list) else []

    # -- discover and charts ----------------------------------------------------------------------

    async def discover_query(
        self,
        org: str,
        fields: Sequence[str],
        *,
        dataset: str = "errors",
        query: str | None = None,
        sort: str | None = None,
        projects: Iterable[int | str] | None = None,
        environments: Iterable[str] | None = None,
        stats_period: str | None = "14d",
        start: str | None = None,
        end: str | None = None,
        per_page: int | None = None,
        cursor: str | None = None,
    ) -> tuple[DiscoverResult, Page[dict[str, Any]]]:
        """`GET /organizations/{org}/events/`: (result with `meta`, page of rows with cursors)."""
        if not 1 <= len(fields) <= 20:
            raise ValueError("Discover needs 1..20 fields")
        params = _params(
            field=list(fields),
            dataset=dataset,
            query=query,
            sort=sort,
            project=list(projects or []),
            environment=list(environments or []),
            statsPeriod=stats_period if not (start or end) else None,
            start=start,
            end=end,
            per_page=per_page,
            cursor=cursor,
        )
        response = await self.request(
            "GET", f"{API}/organizations/{_q(org)}/events/", org=org, params=params
        )
        result = self._parse(response, DiscoverResult)
        return result, Page.from_headers(result.data, response.headers)

    async def events_stats(
        self,
        org: str,
        *,
        y_axis: str = "count()",
        interval: str | None = "1h",
        query: str | None = None,
        projects: Iterable[int | str] | None = None,
        environments: Iterable[str] | None = None,
        stats_period: str | None = "24h",
        dataset: str | None = None,
    ) -> EventsStats:
        """Legacy `events-stats` (not in the schema; still routed, useful on self-hosted)."""
        params = _params(
            yAxis=y_axis,
            interval=interval,
            query=query,
            project=list(projects or []),
            environment=list(environments or []),
            statsPeriod=stats_period,
            dataset=dataset,
        )
        return await self._get(
            f"{API}/organizations/{_q(org)}/events-stats/", EventsStats, org=org, params=params
        )

    async def events_timeseries(
        self,
        org: str,
        *,
        dataset: str = "errors",
        y_axis: str | Sequence[str] = "count()",
        interval: int | None = None,
        query: str | None = None,
        projects: Iterable[int | str] | None = None,
        environments: Iterable[str] | None = None,
        stats_period: str | None = "24h",
        start: str | None = None,
        end: str | None = None,
        group_by: Iterable[str] | None = None,
        top_events: int | None = None,
        sort: str | None = None,
    ) -> TimeSeriesResult:
        params = _params(
            dataset=dataset,
            yAxis=[y_axis] if isinstance(y_axis, str) else list(y_axis),
            interval=interval,
            query=query,
            project=list(projects or []),
            environment=list(environments or []),
            statsPeriod=stats_period if not (start or end) else None,
            start=start,
            end=end,
            groupBy=list(group_by or []),
            topEvents=top_events,
            sort=sort,
        )
        return await self._get(
            f"{API}/organizations/{_q(org)}/events-timeseries/",
            TimeSeriesResult,
            org=org,
            params=params,
        )

    async def project_stats(
        self,
        org: str,
        project: str,
        *,
        stat: str = "received",
        since: float | None = None,
        until: float | None = None,
        resolution: str | None = "1h",
    ) -> list[tuple[float, float]]:
        """`GET /projects/{org}/{project}/stats/`: `[(epoch_s, count), ...]` of accepted events."""
        params = _params(
            stat=stat,
            since=int(since) if since is not None else None,
            until=int(until) if until is not None else None,
            resolution=resolution,
        )
        response = await self.request(
            "GET", f"{API}/projects/{_q(org)}/{_q(project)}/stats/", org=org, params=params
        )
        data = self._json(response)
        if not isinstance(data, list):
            raise BadResponse(
                "expected a list of [timestamp, count] pairs",
                method="GET",
                path=response.request.url.path,
                status=response.status_code,
            )
        points: list[tuple[float, float]] = []
        for row in data:
            if not (isinstance(row, list) and len(row) == 2):
                raise BadResponse(
                    "expected [timestamp, count] pairs",
                    method="GET",
                    path=response.request.url.path,
                    status=response.status_code,
                )
            points.append((float(row[0]), float(row[1])))
        return points


def _maybe_sent(method: str, exc: httpx.TransportError) -> bool:
    """A write whose request may have reached the server (it was not refused at connect)."""
    if method not in _WRITE_METHODS:
        return False
    return not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)


def _network_message(exc: httpx.TransportError, base: str) -> str:
    text = str(exc) or type(exc).__name__
    host = urlsplit(base).netloc.rpartition("@")[2]  # never user:password@
    if "CERTIFICATE_VERIFY_FAILED" in text or "SSL" in text or "certificate" in text.lower():
        return (
            f"TLS verification failed for {host}: {text}; if the server uses a private CA, "
            "set `ca_bundle` to its PEM file"
        )
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect to {host}: {text}; check the URL and the network"
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"the connection to {host} was dropped before an answer ({text})"
    return f"network error talking to {host}: {text}"
