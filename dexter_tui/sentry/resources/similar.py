"""Similar issues: `GET /organizations/{org}/issues/{id}/similar/` → `[[issue, scores], …]`.

The route exists on sentry.io and recent self-hosted but is not in the OpenAPI document, and a
server may not serve it (similarity needs its backend): a 404 is an answer ("not available").
Scores are per feature (`exception:message:character-shingles`, …), 0..1 or null.
"""

from __future__ import annotations

from dexter_tui.sentry.decoding import json_body, validate
from dexter_tui.sentry.errors import BadResponse
from dexter_tui.sentry.models import Issue
from dexter_tui.sentry.resources.issue_routes import IssueRoutes
from dexter_tui.sentry.urls import pairs


class SimilarApi(IssueRoutes):
    """Merge candidates Sentry's similarity backend found."""

    async def list_similar_issues(
        self, org: str, issue_id: str | int, *, limit: int = 50
    ) -> list[tuple[Issue, dict[str, float | None]]]:
        """(issue, per-feature scores 0..1) pairs, most similar first. 404: not served here."""
        response = await self._issue_call(
            "GET", org, issue_id, "similar/", params=pairs(limit=limit)
        )
        data = json_body(response)
        if not isinstance(data, list):
            raise BadResponse(
                "expected a list of [issue, scores] pairs",
                method="GET",
                path=response.request.url.path,
                status=response.status_code,
            )
        out = []
        for item in data:
            if isinstance(item, list) and len(item) == 2 and isinstance(item[0], dict):
                scores = item[1] if isinstance(item[1], dict) else {}
                clean = {
                    str(k): float(v) if isinstance(v, int | float) else None
                    for k, v in scores.items()
                }
                out.append((validate(response, Issue, item[0]), clean))
        return out
