"""`dexter issues show` and `dexter events show` against the seeded demo server."""

from __future__ import annotations

import json

import jsonschema

from dexter_tui.services.issue_records import schema


def busiest(store) -> tuple[str, str]:
    row = store.query_one(
        "SELECT id, short_id FROM groups WHERE status = 'unresolved' ORDER BY times_seen DESC"
    )
    return str(row["id"]), row["short_id"]


def test_show_by_short_id_url_and_id_agree(dexter, sentry_env, seeded_store) -> None:
    issue_id, short_id = busiest(seeded_store)
    by_short = dexter("issues", "show", short_id, "--json")
    assert by_short.code == 0, by_short.err
    record = json.loads(by_short.out)
    jsonschema.Draft202012Validator(schema()).validate(record)
    assert record["id"] == issue_id
    url = f"{sentry_env.url}/organizations/acme/issues/{issue_id}/"
    assert json.loads(dexter("issues", "show", url, "--json").out)["shortId"] == short_id
    plain = dexter("issues", "show", issue_id)
    assert plain.out.startswith(short_id)
    assert f"  id        {issue_id}" in plain.out
    assert "priority " in plain.out


def test_show_with_events(dexter, sentry_env, seeded_store) -> None:
    issue_id, short_id = busiest(seeded_store)
    record = json.loads(dexter("issues", "show", short_id, "--events", "3", "--json").out)
    assert len(record["events"]) == 3
    jsonschema.Draft202012Validator(schema()).validate(record)
    stored = {
        r["event_id"]
        for r in seeded_store.query(
            "SELECT event_id FROM events WHERE group_id = ?", (int(issue_id),)
        )
    }
    assert {e["eventID"] for e in record["events"]} <= stored
    plain = dexter("issues", "show", short_id, "--events", "2")
    assert "latest events:" in plain.out


def test_show_unknown_issue_exits_4(dexter, sentry_env) -> None:
    assert dexter("issues", "show", "NOPE-404").code == 4
    assert dexter("issues", "show", "999999999").code == 4


def test_events_show_latest_and_by_id(dexter, sentry_env, seeded_store) -> None:
    _, short_id = busiest(seeded_store)
    latest = dexter("events", "show", "latest", short_id, "--json")
    assert latest.code == 0, latest.err
    event = json.loads(latest.out)
    assert event["entries"]
    by_id = dexter("events", "show", event["eventID"])
    assert by_id.code == 0, by_id.err
    assert f"  event     {event['eventID']}" in by_id.out
    assert dexter("events", "show", "latest").code == 2
    assert dexter("events", "show", "0" * 32).code == 4


def test_hostile_event_text_reaches_the_terminal_inert(
    dexter, sentry_env, seeded_store, seeded_world
) -> None:
    """A title/tag planted through the public DSN must not drive the terminal."""
    import httpx

    hostile = "boom \x1b]52;c;ZXZpbA==\x07 \x1b[31mred\u202e[/]x"
    project, key = seeded_store.query_one("SELECT id, public_key FROM projects ORDER BY id")
    r = httpx.post(
        f"{sentry_env.url}/api/{project}/store/",
        headers={"X-Sentry-Auth": f"Sentry sentry_key={key}, sentry_version=7"},
        json={
            "event_id": "ab" * 16,
            "message": hostile,
            "level": "fatal",
            "tags": {"evil": hostile},
            "platform": "python",
        },
    )
    assert r.status_code == 200, r.text
    listed = dexter("issues", "list", "level:fatal", "--period", "30d")
    shown = dexter("events", "show", "ab" * 16)
    template = dexter("issues", "list", "level:fatal", "--format", "{title}", "--period", "30d")
    as_json = dexter("issues", "list", "level:fatal", "--json", "--period", "30d")
    for out in (listed.out, shown.out, template.out, as_json.out):
        assert "boom" in out
        assert "\x1b" not in out
        assert "\x07" not in out
        assert "\u202e" not in out
    assert "␛]52;c;ZXZpbA==␇" in shown.out
    assert json.loads(as_json.out.splitlines()[0])["title"].startswith("boom \x1b]52")
