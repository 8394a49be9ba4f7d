"""Everything the app needs from outside Textual, built once by the factory.

Screens receive services through this object instead of building clients or URLs themselves, so
the CLI, `dexter demo` and the tests assemble the same app in the same way.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dexter_tui.config import Settings
from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.ratelimit import RateLimitInfo
from dexter_tui.services.action_log import ActionLog
from dexter_tui.services.bulk import BulkService
from dexter_tui.services.issue_store import IssueStore
from dexter_tui.services.issues import IssueQuery
from dexter_tui.services.offline import OfflineSession
from dexter_tui.services.workspace import Workspace


@dataclass
class TuiContext:
    settings: Settings
    client: SentryClient
    org: str
    action_log: ActionLog
    clock: Callable[[], float] = time.time
    note: str = ""  # shown in the header, e.g. "demo"
    workspace: Workspace | None = None  # loaded at start
    bell: bool = False
    show_rate: bool = True  # API headroom in the header (snapshot tests turn it off)
    comment_drafts: dict[str, str] = field(default_factory=dict)  # issue id -> unsent comment
    issues: IssueStore = field(default_factory=IssueStore)  # the app's one keyed issue store
    list_query: IssueQuery | None = None  # the issue list's query (set by `QueryChanged`)
    offline: OfflineSession | None = None  # the offline cache and state (`tui/offline.enable`)
    #: keys from old per-screen binding ids (`issues.resolve`): screen class -> {shared id: keys}
    screen_keymaps: dict[str, dict[str, str]] = field(default_factory=dict)
    #: recent issue searches (the data dir; beside the action log in tests)
    recent_searches_path: Path | None = None
    search_completer: Any = None  # the one `SearchCompleter` (built by `search_input`)
    #: set when the issue list's first request goes out: start-up requests the first rows do
    #: not need (the workspace) wait for it, so they neither delay it nor its cached rows
    list_started: asyncio.Event = field(default_factory=asyncio.Event)
    #: set when the issue list's first answer is shown (rows, or its failure): the workspace's
    #: requests wait for it, so their answers are not parsed ahead of the first rows
    list_answered: asyncio.Event = field(default_factory=asyncio.Event)
    _bulk: BulkService | None = field(default=None, repr=False)

    @property
    def read_only(self) -> bool:
        return self.settings.read_only

    @property
    def bulk(self) -> BulkService:
        if self._bulk is None:
            self._bulk = BulkService(
                self.client, self.org, self.action_log, read_only=self.read_only
            )
        return self._bulk

    def rate_limit(self) -> RateLimitInfo | None:
        """The API headroom Sentry reported last (for the header)."""
        return self.client.rate_limits.latest

    def rate_wait(self) -> tuple[float, bool] | None:
        """(seconds left, caused by a 429) while the client waits out Sentry's rate limit."""
        return self.client.rate_wait()

    def initial_query(self) -> IssueQuery:
        s = self.settings
        return IssueQuery(
            query=s.default_query,
            sort=s.default_sort,
            period=s.default_period,
            environments=tuple(s.default_environment),
        )
