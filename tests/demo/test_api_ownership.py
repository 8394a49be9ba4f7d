"""The demo's owners (`expand=owners`) and suspect commits (committers route) on the seed."""

from __future__ import annotations

import httpx
import pytest

from dexter_tui.demo.api.ownership import parse_rules


@pytest.fixture
async def client(seeded_app, seeded_world):
    transport = httpx.ASGITransport(app=seeded_app)
    headers = {"Authorization": f"Bearer {seeded_world.token}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://demo.test", headers=headers
    ) as c:
        yield c


def test_parse_rules_reads_sentry_rule_text() -> None:
    raw = "# comment\npath:src/* #backend ana@acme.test\nurl:*/api/* #payments\nbogus line\n"
    assert parse_rules(raw) == [
        ("path", "src/*", ["#backend", "ana@acme.test"]),
        ("url", "*/api/*", ["#payments"]),
    ]


async def _latest(client, store, short_id: str) -> tuple[dict, dict]:
    gid = store.query_one("SELECT id FROM groups WHERE short_id = ?", (short_id,))["id"]
    issue = (await client.get(f"/api/0/organizations/acme/issues/{gid}/?expand=owners")).json()
    event = (await client.get(f"/api/0/organizations/acme/issues/{gid}/events/latest/")).json()
    return issue, event


async def test_owners_follow_the_last_matching_rule_then_suspect_authors(
    client, seeded_store, seeded_world
) -> None:
    carts, _ = await _latest(client, seeded_store, "CHECKOUT-API-1")
    checkout, _ = await _latest(client, seeded_store, "CHECKOUT-API-3")
    teams = seeded_world.team_ids
    assert carts["owners"][0]["owner"] == f"team:{teams['backend']}"
    assert checkout["owners"][0]["owner"] == f"team:{teams['payments']}"  # url rule is last
    kinds = [o["type"] for o in checkout["owners"]]
    assert kinds[0] == "ownershipRule"
    assert "suspectCommit" in kinds
    plain = await client.get(f"/api/0/organizations/acme/issues/{checkout['id']}/")
    assert "owners" not in plain.json()  # only with expand=owners


async def test_committers_name_release_commits_touching_in_app_files(client, seeded_store) -> None:
    _, event = await _latest(client, seeded_store, "CHECKOUT-API-3")
    url = f"/api/0/projects/acme/checkout-api/events/{event['eventID']}/committers/"
    body = (await client.get(url)).json()
    commits = [c for entry in body["committers"] for c in entry["commits"]]
    assert commits
    assert {c["suspectCommitType"] for c in commits} == {"via commit in release"}
    release = event["release"]["version"]
    for c in commits:
        row = seeded_store.query_one(
            "SELECT rl.version FROM commits c JOIN release_commits rc ON rc.commit_id = c.id"
            " JOIN releases rl ON rl.id = rc.release_id WHERE c.key = ?",
            (c["id"],),
        )
        assert row["version"] == release
        files = [
            r["filename"]
            for r in seeded_store.query(
                "SELECT f.filename FROM commit_files f JOIN commits c ON c.id = f.commit_id"
                " WHERE c.key = ?",
                (c["id"],),
            )
        ]
        assert "dexter_tui/demo/scenario/checkout.py" in files  # the in-app file of the event
    authors = [entry["author"] for entry in body["committers"]]
    assert any(a.get("username") for a in authors)  # members come as users
    assert all(a.get("email") for a in authors)


async def test_committers_404_without_commits_or_event(client) -> None:
    missing = await client.get(
        "/api/0/projects/acme/checkout-api/events/" + "0" * 32 + "/committers/"
    )
    assert missing.status_code == 404
    assert missing.json()["detail"]
