"""Similar issues on the seeded demo: the known near-duplicates come first, at a bounded cost."""

from __future__ import annotations

from dexter_tui.sentry.models import Issue
from dexter_tui.services.similar import (
    Signature,
    explain,
    normalise,
    score_parts,
    similar_issues,
)

#: near-duplicates the seed scenario produces (same bug, several issues)
NEAR_DUPLICATES = {
    # the same zoneinfo lookup failing for two keys
    "NOTIFICATIONS-G": {"NOTIFICATIONS-E"},
    # one deadlock at /api/checkout/reserve, grouped apart by lock order
    "CHECKOUT-API-K": {"CHECKOUT-API-G", "CHECKOUT-API-M"},
}


def test_normalise_hides_what_varies_per_event() -> None:
    assert normalise("No time zone found with key 'Mars/Olympus'") == normalise(
        "No time zone found with key 'CET+1'"
    )
    assert normalise("'invoice_id'") == "invoice_id"  # the whole message is the value
    assert normalise("charge inv_417085 failed after 3 attempts") == (
        "charge inv_<n> failed after <n> attempts"
    )
    assert "<uuid>" in normalise("job 123e4567-e89b-12d3-a456-426614174000 lost")


def test_score_parts_are_each_visible() -> None:
    a = Signature("KeyError", "'SKU-1'", frozenset({("cart.py", "get")}))
    b = Signature("KeyError", "'SKU-2'", frozenset({("cart.py", "get"), ("api.py", "view")}))
    assert score_parts(a, b) == {"type": 1.0, "message": 1.0, "frames": 0.5}


async def _issue(client, org: str, short_id: str) -> Issue:
    found = await client.lookup_short_id(org, short_id)
    return await client.get_issue(org, found.group_id)


async def test_seed_near_duplicates_are_listed_first(counted, seeded_world) -> None:
    client, paths = counted
    org = seeded_world.org_slug
    for short_id, expected in NEAR_DUPLICATES.items():
        issue = await _issue(client, org, short_id)
        paths.clear()
        result = await similar_issues(client, org, issue)
        assert result.source == "local"  # the demo, like most self-hosted, has no similarity route
        top = [c.issue.short_id for c in result.candidates[: len(expected)]]
        assert set(top) == expected, [(c.issue.short_id, c.score) for c in result.candidates]
        best = result.candidates[0]
        assert best.parts["type"] == 1.0
        assert "type 100%" in explain(best)
        assert all(c.issue.id != issue.id for c in result.candidates)
        # the similar route (404), one list page, the issue's and ≤ 8 candidates' latest events
        assert len(paths) == result.requests <= 11
        assert paths[0].endswith(f"/issues/{issue.id}/similar/")
