"""Which tags the analytics view can break the period's events down by.

Why: Sentry has no cheap "tag keys of these events" route; the tag keys of the period's top issue
(one request) are a good offer. Level, environment and release have their own panels already.
"""

from __future__ import annotations

from collections.abc import Sequence

from dexter_tui.sentry.client import SentryClient

#: shown by their own panels, so not offered again
OWN_PANELS = frozenset({"level", "environment", "release"})


async def breakdown_keys(
    client: SentryClient, org: str, issue_id: str, environments: Sequence[str] = ()
) -> list[str]:
    """The tag keys of issue `issue_id` (in these environments), sorted, minus `OWN_PANELS`."""
    tags = await client.list_issue_tags(org, issue_id, environments=list(environments) or None)
    return sorted(t.key for t in tags if t.key not in OWN_PANELS)
