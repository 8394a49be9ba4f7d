"""What the event detail shows of one issue besides its events: detail, tags, activity, hashes.

Why: the screen used to call the client for each of these; here they are one object per issue that
the screen holds, with no Textual, so each request path has a headless test and the screen only
decides when to ask. Comments are written through it too (post, edit, delete).
"""

from __future__ import annotations

from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.models import Activity, Issue, IssueHash, TagDetail
from dexter_tui.services.events import timeline


class IssueDetail:
    """One issue's detail route and its side lists, for the event detail screen."""

    def __init__(self, client: SentryClient, org: str, issue_id: str) -> None:
        self.client = client
        self.org = org
        self.issue_id = issue_id

    async def issue(self) -> Issue:
        """The detail route adds first/last release and the latest counts."""
        return await self.client.get_issue(self.org, self.issue_id)

    async def tags(self) -> list[TagDetail]:
        return await self.client.list_issue_tags(self.org, self.issue_id)

    async def activity(self) -> list[Activity]:
        """Comments and status changes, newest first."""
        return timeline(await self.client.list_activities(self.org, self.issue_id))

    async def hashes(self) -> list[IssueHash]:
        return (await self.client.list_issue_hashes(self.org, self.issue_id)).items

    async def save_comment(self, text: str, comment_id: str | None = None) -> None:
        """Post a new comment, or replace the text of comment `comment_id`."""
        if comment_id is None:
            await self.client.create_comment(self.org, self.issue_id, text)
        else:
            await self.client.update_comment(self.org, self.issue_id, comment_id, text)

    async def delete_comment(self, comment_id: str) -> None:
        await self.client.delete_comment(self.org, self.issue_id, comment_id)


async def load_issue(client: SentryClient, org: str, issue_id: str) -> Issue:
    """One issue by id (a chart row or a Discover row knows only the id)."""
    return await client.get_issue(org, issue_id)
