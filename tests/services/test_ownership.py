"""Owners as assignees: Sentry's `owners` actors matched to members and teams, each once."""

from __future__ import annotations

from dexter_tui.services.actions import Assignee
from dexter_tui.services.ownership import describe_owners, suggestions, suspect_commits

TEAM = Assignee("team", "1", "backend")
BEN = Assignee("user", "2", "Ben Backend", "ben@acme.test")


def test_owners_become_suggestions_in_sentry_order_each_once() -> None:
    owners = [
        {"type": "ownershipRule", "owner": "team:1", "date_added": "2026-11-01T00:00:00Z"},
        {"type": "suspectCommit", "owner": "user:2", "date_added": "2026-11-01T00:00:00Z"},
        {"type": "codeowners", "owner": "user:2", "date_added": "2026-11-01T00:00:00Z"},
        {"type": "suspectCommit", "owner": "user:99", "date_added": "2026-11-01T00:00:00Z"},
    ]
    found = suggestions(owners, [BEN, TEAM])
    assert [(s.assignee, s.reason) for s in found] == [
        (TEAM, "ownership rule"),
        (BEN, "suspect commit"),
    ]
    assert describe_owners(found) == "#backend (ownership rule) · Ben Backend (suspect commit)"


def test_owners_tolerate_what_servers_send() -> None:
    assert suggestions(None, [BEN]) == []
    assert suggestions({"type": "codeowners", "owner": "user:2"}, [BEN])[0].reason == "code owners"
    assert suggestions([{"owner": 2}, "user:2"], [BEN]) == []


async def test_suspect_commits_are_empty_where_the_server_has_none(counted, seeded_world) -> None:
    client, paths = counted
    missing = await suspect_commits(client, seeded_world.org_slug, "checkout-api", "0" * 32)
    assert missing == []
    assert paths == ["/api/0/projects/acme/checkout-api/events/" + "0" * 32 + "/committers/"]
