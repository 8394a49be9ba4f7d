"""What screens fetch besides their main data, over real HTTP against the seeded demo:
an issue's detail and side lists, the preview (one request per issue), tag keys, project slugs."""

from __future__ import annotations

import httpx

from dexter_tui.services.issue_detail import IssueDetail, load_issue
from dexter_tui.services.preview import IssuePreviews
from dexter_tui.services.projects import project_slugs
from dexter_tui.services.tag_breakdown import OWN_PANELS, breakdown_keys


async def _first_issue(raw: httpx.AsyncClient, org: str) -> dict:
    issues = (await raw.get(f"/api/0/organizations/{org}/issues/", params={"limit": 5})).json()
    return max(issues, key=lambda i: int(i["count"]))


async def test_issue_detail_side_lists_match_the_api(counted, raw, seeded_world) -> None:
    client, _ = counted
    org = seeded_world.org_slug
    first = await _first_issue(raw, org)
    detail = IssueDetail(client, org, first["id"])

    issue = await detail.issue()
    assert issue.short_id == first["shortId"]
    tags = await detail.tags()
    api_tags = (await raw.get(f"/api/0/organizations/{org}/issues/{first['id']}/tags/")).json()
    assert sorted(t.key for t in tags) == sorted(t["key"] for t in api_tags)
    hashes = await detail.hashes()
    assert hashes

    await detail.save_comment("first [b]note[/b]")
    activity = await detail.activity()
    note = next(a for a in activity if a.text == "first [b]note[/b]")
    assert activity[0].id == note.id  # newest first
    await detail.save_comment("edited", note.id)
    assert any(a.text == "edited" for a in await detail.activity())
    await detail.delete_comment(note.id)
    assert all(a.id != note.id for a in await detail.activity())
    assert (await load_issue(client, org, first["id"])).id == first["id"]


async def test_the_preview_asks_once_per_issue(counted, raw, seeded_world) -> None:
    client, paths = counted
    org = seeded_world.org_slug
    first = await _first_issue(raw, org)
    previews = IssuePreviews(client, org)
    assert previews.cached(first["id"]) is None
    issue = await previews.load(first["id"])
    again = await previews.load(first["id"])
    assert again is issue
    assert previews.cached(first["id"]) is issue
    assert len(paths) == 1


async def test_breakdown_keys_leave_out_what_has_its_own_panel(counted, raw, seeded_world):
    client, _ = counted
    org = seeded_world.org_slug
    first = await _first_issue(raw, org)
    keys = await breakdown_keys(client, org, first["id"])
    api_tags = (await raw.get(f"/api/0/organizations/{org}/issues/{first['id']}/tags/")).json()
    assert keys == sorted(t["key"] for t in api_tags if t["key"] not in OWN_PANELS)
    assert not OWN_PANELS & set(keys)


async def test_project_slugs_chosen_known_or_fetched(counted, raw, seeded_world) -> None:
    client, paths = counted
    org = seeded_world.org_slug
    assert await project_slugs(client, org, ["api"]) == ["api"]
    assert await project_slugs(client, org, (), []) == []
    assert paths == []  # neither asked Sentry
    fetched = await project_slugs(client, org)
    api = (await raw.get(f"/api/0/organizations/{org}/projects/")).json()
    assert sorted(fetched) == sorted(p["slug"] for p in api)
