"""Finding issues for the scripting commands: references, searches, project ids, the cache.

Shared by `issues`, `events` and `open`: an issue is named by its id, its short id or a Sentry issue
URL; a search is the TUI's `IssueQuery` built from the flags and the config's defaults; the offline
cache is best effort (a broken cache is a note on stderr, never a failed command).
"""

from __future__ import annotations

import argparse
import re
import time
from typing import Any

from dexter_tui.commands.session import EXIT_NOT_FOUND, CommandError, plain, say

_URL_ISSUE_RE = re.compile(r"/issues/(\d+)")


def open_cache(settings: Any) -> Any:
    """The offline cache for these settings, or None (with a note) when it cannot be used."""
    from dexter_tui.services.cache import CacheError, OfflineCache

    try:
        return OfflineCache.for_settings(settings)
    except CacheError as error:
        say(f"dexter: offline cache unavailable: {plain(str(error))}")
        return None


def cache_write(cache: Any, method: str, *a: Any, **kw: Any) -> None:
    if cache is None:
        return
    from dexter_tui.services.cache import CacheError

    try:
        getattr(cache, method)(*a, **kw)
    except CacheError as error:
        say(f"dexter: could not update the offline cache: {plain(str(error))}")


def since(fetched_at: float) -> str:
    minutes = int(max(0.0, time.time() - fetched_at) // 60)
    when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(fetched_at))
    age = f"{minutes} min ago" if minutes < 120 else f"{minutes // 60} h ago"
    return f"{when}, {age}"


def issue_ref(text: str) -> str:
    """An issue id from a Sentry issue URL, else the text as given (id or short id)."""
    match = _URL_ISSUE_RE.search(text)
    if "://" in text and match:
        return match.group(1)
    return text.strip()


async def resolve_issue_id(client: Any, org: str, ref: str) -> str:
    """Numeric ids pass through; short ids are looked up (NotFound when unknown)."""
    ref = issue_ref(ref)
    if ref.isdigit():
        return ref
    found = await client.lookup_short_id(org, ref)
    if not found.group_id:
        from dexter_tui.sentry.errors import NotFound

        raise NotFound(f"no issue with short id {ref}")
    return found.group_id


async def project_ids(client: Any, settings: Any, cache: Any) -> list[str]:
    if not settings.project:
        return []
    from dexter_tui.services.workspace import Workspace

    projects = await client.list_projects(settings.org)
    cache_write(cache, "put_projects", projects)
    try:
        return Workspace(settings.org, projects=projects).project_ids(list(settings.project))
    except LookupError as error:
        raise CommandError(str(error), EXIT_NOT_FOUND) from None


def search_for(args: argparse.Namespace, settings: Any, query: str | None) -> Any:
    from dexter_tui.services.issues import IssueQuery

    return IssueQuery(
        query=query if query is not None else settings.default_query,
        sort=getattr(args, "sort", None) or settings.default_sort,
        period=args.period or settings.default_period,
        environments=tuple(args.env or settings.default_environment),
    )


def cached_project_ids(cache: Any, settings: Any) -> tuple[str, ...] | None:
    """Project ids for `--project` slugs from the cached project list (None: unknown)."""
    if not settings.project:
        return ()
    projects = try_cache(cache.projects) if cache is not None else None
    by_slug = {p.slug: p.id for p in projects or []}
    if not all(slug in by_slug for slug in settings.project):
        return None
    return tuple(by_slug[slug] for slug in settings.project)


def offline_key(cache: Any, search: Any, settings: Any) -> str | None:
    from dexter_tui.services.cache import list_key_for

    ids = cached_project_ids(cache, settings)
    return None if ids is None else list_key_for(search.with_(projects=ids))


def try_cache(call: Any, *a: Any) -> Any:
    from dexter_tui.services.cache import CacheError

    try:
        return call(*a)
    except CacheError:
        return None
