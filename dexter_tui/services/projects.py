"""The projects a view covers: the chosen ones, else every project of the organization.

Why: the alert rules view needs project slugs; the workspace (loaded at start) usually has them,
and when it has not arrived yet one request lists them.
"""

from __future__ import annotations

from collections.abc import Sequence

from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.models import Project


async def project_slugs(
    client: SentryClient,
    org: str,
    chosen: Sequence[str] = (),
    known: Sequence[Project] | None = None,
) -> list[str]:
    """`chosen` if any; else the slugs of `known` (the workspace's), else of a fresh list."""
    if chosen:
        return list(chosen)
    projects = known if known is not None else await client.list_projects(org)
    return [p.slug for p in projects]
