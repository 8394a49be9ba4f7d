"""`GET /organizations/{org}/tags/{key}/values/`: a tag key's values across the org's projects.

Sentry's issue-search bar asks this route for value suggestions (`?query=` is a substring of the
value); the body is the same list of tag values as the documented project route.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.responses import Response
from starlette.routing import Route

from dexter_tui.demo import lookup
from dexter_tui.demo.api.app_state import store_of
from dexter_tui.demo.api.events import ORG_READ, tag_value_json, tag_value_rows
from dexter_tui.demo.api.issues import project_ids_of
from dexter_tui.demo.auth import authenticate
from dexter_tui.demo.pagination import paginate_list

if TYPE_CHECKING:
    from starlette.requests import Request


async def org_tag_values(request: Request) -> Response:
    store = store_of(request)
    caller = authenticate(request, store, *ORG_READ)
    org = lookup.org(store, caller, request.path_params["org"])
    key = request.path_params["key"]
    rows = tag_value_rows(request, store, key, project_ids_of(request, store, org))
    return paginate_list(request, [tag_value_json(key, r) for r in rows])


def routes() -> list[Route]:
    return [Route("/api/0/organizations/{org}/tags/{key}/values/", org_tag_values, methods=["GET"])]
