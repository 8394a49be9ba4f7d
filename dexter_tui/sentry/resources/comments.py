"""Notes on an issue (create, edit, delete) and its activity timeline."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dexter_tui.sentry.decoding import json_body, parse, parse_list, validate
from dexter_tui.sentry.errors import BadResponse
from dexter_tui.sentry.models import Activity
from dexter_tui.sentry.pagination import Page
from dexter_tui.sentry.resources.issue_routes import IssueRoutes
from dexter_tui.sentry.urls import pairs, q


class CommentsApi(IssueRoutes):
    """Comments and activity; a POST is never retried (a resend would duplicate the note)."""

    async def list_comments(
        self, org: str, issue_id: str | int, *, cursor: str | None = None
    ) -> Page[Activity]:
        """Notes on an issue, newest first."""
        response = await self._issue_call(
            "GET", org, issue_id, "comments/", params=pairs(cursor=cursor)
        )
        return Page.from_headers(parse_list(response, Activity), response.headers)

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
        return parse(response, Activity)

    async def update_comment(
        self, org: str, issue_id: str | int, comment_id: str | int, text: str
    ) -> Activity:
        response = await self._issue_call(
            "PUT",
            org,
            issue_id,
            f"comments/{q(comment_id)}/",
            json={"text": text},
            idempotent=True,
        )
        return parse(response, Activity)

    async def delete_comment(self, org: str, issue_id: str | int, comment_id: str | int) -> None:
        await self._issue_call(
            "DELETE", org, issue_id, f"comments/{q(comment_id)}/", idempotent=True
        )

    async def list_activities(self, org: str, issue_id: str | int) -> list[Activity]:
        """`{"activity": [...]}` (up to 100 items, newest first)."""
        response = await self._issue_call("GET", org, issue_id, "activities/")
        data = json_body(response)
        items = data.get("activity") if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise BadResponse(
                "expected {'activity': [...]}",
                method="GET",
                path=response.request.url.path,
                status=response.status_code,
            )
        return [validate(response, Activity, item) for item in items]
