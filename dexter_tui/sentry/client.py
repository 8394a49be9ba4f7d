"""`SentryClient`: the async client of Sentry's Web API, assembled from its parts.

How a request is sent (auth, retries, 429 waits, redirects, typed errors, regions) lives in
`transport.py`; what each endpoint sends and decodes lives in `resources/`, one module per kind of
resource. This module only combines them, so `SentryClient` keeps one flat public API and callers
import it from here.

Old self-hosted: issue routes fall back to the legacy `/api/0/issues/{id}/...` and
`/api/0/projects/{org}/{project}/issues/` forms when the org-scoped ones answer 404
(`resources/issue_routes.py`).
"""

from __future__ import annotations

from typing import Any, Self

from dexter_tui.sentry.resources.alerts import AlertRulesApi
from dexter_tui.sentry.resources.bulk import MAX_BULK_IDS, BulkApi, BulkResult
from dexter_tui.sentry.resources.comments import CommentsApi
from dexter_tui.sentry.resources.committers import CommittersApi
from dexter_tui.sentry.resources.discover import DiscoverApi
from dexter_tui.sentry.resources.events import EventsApi
from dexter_tui.sentry.resources.issues import IssuesApi
from dexter_tui.sentry.resources.orgs import OrgsApi, ServerInfo
from dexter_tui.sentry.resources.releases import ReleasesApi
from dexter_tui.sentry.resources.saved_searches import SavedSearchesApi
from dexter_tui.sentry.resources.search_tags import SearchTagsApi
from dexter_tui.sentry.resources.similar import SimilarApi
from dexter_tui.sentry.resources.tags import TagsApi
from dexter_tui.sentry.urls import API

__all__ = ["API", "MAX_BULK_IDS", "BulkResult", "SentryClient", "ServerInfo"]


class SentryClient(
    OrgsApi,
    IssuesApi,
    BulkApi,
    EventsApi,
    TagsApi,
    SearchTagsApi,
    CommentsApi,
    ReleasesApi,
    AlertRulesApi,
    DiscoverApi,
    SimilarApi,
    CommittersApi,
    SavedSearchesApi,
):
    """Async client of Sentry's Web API; use as `async with SentryClient(...) as client`."""

    @classmethod
    def from_settings(cls, settings: Any, **kw: Any) -> Self:
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
