"""`GET /organizations/{org}/tags/{key}/values/`: a tag key's values across the org's projects.

Sentry's issue-search bar asks this route for value suggestions (`?query=` is a substring of the
value); the body is the same list of tag values as the documented project route.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.responses import Response
from starlette.routing import Route

from dexter_tui.demo import lookup
from dexter_tui.demo.api.app_state import store_of
from dexter_tui.demo.api.events import MAX_TAG_VALUES, ORG_READ, tag_value_json
from dexter_tui.demo.api.issues import environments_of, project_ids_of
from dexter_tui.demo.auth import authenticate
from dexter_tui.demo.pagination import paginate_list
from dexter_tui.demo.search import like_pattern

if TYPE_CHECKING:
    from starlette.requests import Request


async def org_tag_values(request: Request) -> Response:
    store = store_of(request)
    caller = authenticate(request, store, *ORG_READ)
    org = lookup.org(store, caller, request.path_params["org"])
    key = request.path_params["key"]
    project_ids = project_ids_of(request, store, org)
    where = f"t.key = ? AND e.project_id IN ({','.join('?' * len(project_ids)) or 'NULL'})"
    params: list[Any] = [key, *project_ids]
    contains = request.query_params.get("query")
    if contains:
        where += " AND t.value LIKE ? ESCAPE '\\'"
        params.append(like_pattern(contains, contains=True))
    envs = environments_of(request)
    if envs:
        where += f" AND e.environment IN ({','.join('?' * len(envs))})"
        params += envs
    rows = store.query(
        "SELECT t.key, t.value, COUNT(*) AS n, MIN(e.timestamp) AS first,"
        " MAX(e.timestamp) AS last FROM event_tags t JOIN events e ON e.id = t.event_row"
        f" WHERE {where} GROUP BY t.value ORDER BY last DESC, t.value LIMIT ?",
        [*params, MAX_TAG_VALUES],
    )
    return paginate_list(request, [tag_value_json(key, r) for r in rows])


def routes() -> list[Route]:
    return [Route("/api/0/organizations/{org}/tags/{key}/values/", org_tag_values, methods=["GET"])]
