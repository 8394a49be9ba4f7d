"""The official `sentry-cli` works against the demo server over real loopback HTTP.

Each test runs the real binary (`DEXTER_SENTRY_CLI` or `sentry-cli` on PATH; CI installs the npm
package `@sentry/cli`), then checks the server's state through the store and the API: statuses
changed, events stored and grouped, tables that match what the API serves.

Skipped when the binary is absent, unless `DEXTER_REQUIRE_SENTRY_CLI=1` (CI), which makes that a
failure.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import sentry_sdk
from openapi_contract import ContractCheckingApp
from sdk_capture import RecordingTransport, StoreTransport, capture_raised, dsn_for, sdk_scope

from dexter_tui.demo.runner import BackgroundServer
from dexter_tui.demo.store import Store
from dexter_tui.demo.world import World

PYTHONPATH = os.environ.get("PYTHONPATH", "")
CLI_TIMEOUT = 120  # seconds; a hung binary fails the test instead of the whole run


def _find_cli() -> str | None:
    return os.environ.get("DEXTER_SENTRY_CLI") or shutil.which("sentry-cli")


@pytest.fixture(scope="session")
def cli_binary() -> str:
    found = _find_cli()
    if found and Path(found).exists():
        return found
    if os.environ.get("DEXTER_REQUIRE_SENTRY_CLI") == "1":
        pytest.fail("sentry-cli is required (DEXTER_REQUIRE_SENTRY_CLI=1) but was not found")
    pytest.skip("sentry-cli not installed (set DEXTER_SENTRY_CLI or put it on PATH)")


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@dataclass
class SentryCli:
    """Runs sentry-cli in a clean environment (no ~/.sentryclirc, no .env, no update check)."""

    binary: str
    url: str
    token: str
    home: Path

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SENTRY_")}
        env.update(
            HOME=str(self.home),
            SENTRY_DISABLE_UPDATE_CHECK="1",
            SENTRY_LOAD_DOTENV="0",
            NO_COLOR="1",
        )
        env.update(extra)
        return env

    def run(
        self,
        *args: str,
        auth: bool = True,
        check: bool = True,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
    ) -> Result:
        argv = [self.binary]
        if auth:
            argv += ["--url", self.url, "--auth-token", self.token]
        argv += list(args)
        proc = subprocess.run(
            argv,
            cwd=cwd or self.home,
            env=env or self.env(),
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT,
            check=False,
        )
        result = Result(proc.returncode, proc.stdout, proc.stderr)
        if check and proc.returncode != 0:
            shown = " ".join(a if a != self.token else "<token>" for a in args)
            raise AssertionError(
                f"sentry-cli {shown} exited {proc.returncode}\n"
                f"stdout:\n{_redact(proc.stdout, self.token)}\n"
                f"stderr:\n{_redact(proc.stderr, self.token)}"
            )
        return result


def _redact(text: str, token: str) -> str:
    return text.replace(token, "<token>") if token else text


@pytest.fixture
def checked_app(demo_app) -> ContractCheckingApp:
    """The demo app, with every schema-route answer checked against Sentry's OpenAPI schema."""
    return ContractCheckingApp(demo_app)


@pytest.fixture
def live_server(checked_app: ContractCheckingApp) -> Iterator[BackgroundServer]:
    """What sentry-cli talks to: the checked demo app over real loopback HTTP."""
    with BackgroundServer(checked_app) as server:  # type: ignore[arg-type]
        yield server


@pytest.fixture
def cli(
    cli_binary: str,
    live_server: BackgroundServer,
    checked_app: ContractCheckingApp,
    world: World,
    tmp_path: Path,
) -> Iterator[SentryCli]:
    home = tmp_path / "home"
    home.mkdir()
    yield SentryCli(cli_binary, live_server.url, world.token, home)
    # whatever sentry-cli (and the test) asked for was answered in the schema's shape
    assert not checked_app.problems, "\n".join(checked_app.problems[:20])


@pytest.fixture
async def http(live_server: BackgroundServer, world: World):
    """An httpx client on the same live server, to compare what sentry-cli shows with the API."""
    async with httpx.AsyncClient(
        base_url=live_server.url, headers={"Authorization": f"Bearer {world.token}"}
    ) as client:
        yield client


def parse_table(text: str) -> list[dict[str, str]]:
    """Rows of a sentry-cli box table; continuation lines (multi-line cells) join with `\\n`."""
    header: list[str] | None = None
    rows: list[dict[str, str]] = []
    for line in text.splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
            continue
        if rows and not cells[0]:
            for name, cell in zip(header, cells, strict=False):
                if cell:
                    rows[-1][name] = f"{rows[-1][name]}\n{cell}".strip("\n")
            continue
        rows.append(dict(zip(header, cells, strict=False)))
    return rows


# -- data ---------------------------------------------------------------------------------------


def _fail_checkout(n: int) -> None:
    raise RuntimeError(f"checkout step {n} failed")


def _make_issues(store: Store, world: World, count: int, project: str = "checkout-api") -> None:
    """`count` distinct issues (SDK fingerprints), one event each, through the real SDK."""
    keys = world.projects[project]
    transport = StoreTransport(store, keys.project_id, dsn_for(keys))
    with sdk_scope(transport, environment="production", release=f"{project}@1.0.0") as scope:
        for n in range(count):
            scope.fingerprint = [f"checkout-step-{n}"]
            capture_raised(lambda n=n: _fail_checkout(n))


def _groups(store: Store, project: str = "checkout-api") -> dict[str, str]:
    rows = store.query(
        "SELECT g.id, g.status FROM groups g JOIN projects p ON p.id = g.project_id"
        " WHERE p.slug = ?",
        (project,),
    )
    return {str(r["id"]): r["status"] for r in rows}


# -- tests --------------------------------------------------------------------------------------


def test_info_verifies_the_token(cli: SentryCli) -> None:
    out = cli.run("info").stdout
    assert f"Sentry Server: {cli.url}" in out
    assert "Method: Auth Token" in out
    assert "User: ana@acme.test" in out
    for scope in ("org:read", "project:read", "event:read", "event:write"):
        assert f"- {scope}" in out


def test_info_rejects_a_bad_token(cli: SentryCli) -> None:
    bad = SentryCli(cli.binary, cli.url, "f" * 64, cli.home)
    result = bad.run("info", check=False)
    assert result.returncode != 0
    assert "401" in result.stderr or "Invalid token" in result.stderr


def test_url_and_token_from_the_environment(cli: SentryCli) -> None:
    env = cli.env(SENTRY_URL=cli.url, SENTRY_AUTH_TOKEN=cli.token, SENTRY_ORG="acme")
    out = cli.run("projects", "list", auth=False, env=env).stdout
    assert {r["Slug"] for r in parse_table(out)} == {
        "checkout-api",
        "billing-worker",
        "notifications",
    }


async def test_organizations_list_matches_the_api(cli: SentryCli, http: httpx.AsyncClient) -> None:
    rows = parse_table(cli.run("organizations", "list").stdout)
    api = (await http.get("/api/0/organizations/")).json()
    assert [(r["ID"], r["Slug"], r["Name"]) for r in rows] == [
        (o["id"], o["slug"], o["name"]) for o in api
    ]
    assert rows[0]["Date Created"] == api[0]["dateCreated"][:10]


async def test_projects_list_matches_the_api(cli: SentryCli, http: httpx.AsyncClient) -> None:
    rows = parse_table(cli.run("projects", "list", "-o", "acme").stdout)
    api = (await http.get("/api/0/organizations/acme/projects/")).json()
    assert sorted((r["ID"], r["Slug"], r["Name"]) for r in rows) == sorted(
        (p["id"], p["slug"], p["name"]) for p in api
    )
    assert {r["Slug"] for r in rows} == {"checkout-api", "billing-worker", "notifications"}


def test_projects_list_unknown_org_fails(cli: SentryCli) -> None:
    result = cli.run("projects", "list", "-o", "no-such-org", check=False)
    assert result.returncode != 0
    assert "organization" in result.stderr.lower()


async def test_issues_list_pages_through_every_issue(
    cli: SentryCli,
    store: Store,
    world: World,
    http: httpx.AsyncClient,
    checked_app: ContractCheckingApp,
) -> None:
    _make_issues(store, world, 250)
    groups = _groups(store)
    assert len(groups) == 250

    rows = parse_table(cli.run("issues", "list", "-o", "acme", "-p", "checkout-api").stdout)
    assert sorted(r["Issue ID"] for r in rows) == sorted(groups)  # pages of 100, 100 and 50

    api: dict[str, dict] = {}
    url: str | None = "/api/0/projects/acme/checkout-api/issues/"
    while url:
        response = await http.get(url)
        api.update({i["id"]: i for i in response.json()})
        nxt = response.links.get("next", {})
        url = nxt.get("url") if nxt.get("results") == "true" else None
    for row in rows:
        issue = api[row["Issue ID"]]
        assert (row["Short ID"], row["Title"], row["Status"], row["Level"]) == (
            issue["shortId"],
            issue["title"],
            issue["status"],
            issue["level"],
        )
        assert row["Last seen"] == issue["lastSeen"]

    two_pages = parse_table(
        cli.run("issues", "list", "-o", "acme", "-p", "checkout-api", "--pages", "2").stdout
    )
    assert len(two_pages) == 200
    capped = parse_table(
        cli.run("issues", "list", "-o", "acme", "-p", "checkout-api", "--max-rows", "7").stdout
    )
    assert len(capped) == 7
    # the pages sentry-cli read were checked against the schema (the `cli` fixture asserts them)
    pages = [c for c in checked_app.checked if "/projects/acme/checkout-api/issues/?" in c]
    assert any("cursor=0:200:0" in c for c in pages)


def test_issues_list_with_a_query(cli: SentryCli, store: Store, world: World) -> None:
    _make_issues(store, world, 3)
    keys = world.projects["checkout-api"]
    with sdk_scope(StoreTransport(store, keys.project_id, dsn_for(keys))):
        sentry_sdk.capture_message("Inventory sync lagging", level="warning")
    rows = parse_table(
        cli.run(
            "issues", "list", "-o", "acme", "-p", "checkout-api", "--query", "level:warning"
        ).stdout
    )
    assert [r["Title"] for r in rows] == ["Inventory sync lagging"]
    assert rows[0]["Level"] == "warning"


def test_issues_list_unknown_project_fails(cli: SentryCli) -> None:
    result = cli.run("issues", "list", "-o", "acme", "-p", "no-such-project", check=False)
    assert result.returncode != 0
    assert "project" in result.stderr.lower()


def test_resolve_mute_unresolve_one_issue(cli: SentryCli, store: Store, world: World) -> None:
    _make_issues(store, world, 3)
    first, second, third = sorted(_groups(store), key=int)
    base = ["-o", "acme", "-p", "checkout-api"]

    out = cli.run("issues", "resolve", *base, "-i", first).stdout
    assert "new status: resolved" in out
    assert _groups(store) == {first: "resolved", second: "unresolved", third: "unresolved"}

    cli.run("issues", "mute", *base, "-i", second)
    assert _groups(store)[second] == "ignored"

    cli.run("issues", "unresolve", *base, "-i", first)
    assert _groups(store)[first] == "unresolved"

    cli.run("issues", "resolve", *base, "-i", second, "-i", third)
    assert _groups(store) == {first: "unresolved", second: "resolved", third: "resolved"}


async def test_muted_issue_reads_as_ignored_in_the_api(
    cli: SentryCli, store: Store, world: World, http: httpx.AsyncClient
) -> None:
    _make_issues(store, world, 1)
    (issue_id,) = _groups(store)
    cli.run("issues", "mute", "-o", "acme", "-p", "checkout-api", "-i", issue_id)
    issue = (await http.get(f"/api/0/organizations/acme/issues/{issue_id}/")).json()
    assert issue["status"] == "ignored"
    rows = parse_table(cli.run("issues", "list", "-o", "acme", "-p", "checkout-api").stdout)
    assert rows[0]["Status"] == "ignored"


def test_resolve_every_unresolved_issue(cli: SentryCli, store: Store, world: World) -> None:
    _make_issues(store, world, 12)
    ids = sorted(_groups(store), key=int)
    base = ["-o", "acme", "-p", "checkout-api"]
    cli.run("issues", "mute", *base, "-i", ids[0])
    other = world.projects["notifications"]
    with sdk_scope(StoreTransport(store, other.project_id, dsn_for(other))):
        sentry_sdk.capture_message("Push provider unreachable", level="error")

    cli.run("issues", "resolve", *base, "-s", "unresolved")

    after = _groups(store)
    assert after[ids[0]] == "ignored"  # only unresolved issues are selected
    assert all(after[i] == "resolved" for i in ids[1:])
    assert set(_groups(store, "notifications").values()) == {
        "unresolved"
    }  # other project untouched


async def test_releases_list_matches_the_api(
    cli: SentryCli, store: Store, world: World, http: httpx.AsyncClient
) -> None:
    _make_issues(store, world, 2, project="checkout-api")
    _make_issues(store, world, 1, project="billing-worker")
    rows = parse_table(cli.run("releases", "list", "-o", "acme").stdout)
    api = (await http.get("/api/0/organizations/acme/releases/")).json()
    assert {r["Version"] for r in rows} == {r["version"] for r in api}
    assert {r["Version"] for r in rows} >= {"checkout-api@1.0.0", "billing-worker@1.0.0"}

    rows = parse_table(cli.run("releases", "list", "-o", "acme", "-p", "billing-worker").stdout)
    assert [r["Version"] for r in rows] == ["billing-worker@1.0.0"]


def test_events_list_shows_the_stored_events(cli: SentryCli, store: Store, world: World) -> None:
    keys = world.projects["billing-worker"]
    with sdk_scope(
        StoreTransport(store, keys.project_id, dsn_for(keys)), environment="production"
    ) as scope:
        scope.set_user({"id": "cust-7", "email": "cust7@customers.test"})
        scope.set_tag("queue", "invoices")
        for n in range(3):
            capture_raised(lambda n=n: _fail_checkout(n))
    stored = {
        r["event_id"]
        for r in store.query("SELECT event_id FROM events WHERE project_id = ?", (keys.project_id,))
    }
    out = cli.run("events", "list", "-o", "acme", "-p", "billing-worker", "-U", "-T").stdout
    rows = parse_table(out)
    assert {uuid.UUID(r["Event ID"]).hex for r in rows} == stored
    assert all(r["Title"].startswith("RuntimeError: checkout step") for r in rows)
    assert all("queue: invoices" in r["Tags"] for r in rows)
    assert all("cust7@customers.test" in r["User"] or "cust-7" in r["User"] for r in rows)


async def test_send_event_is_stored_and_grouped(
    cli: SentryCli, store: Store, world: World, http: httpx.AsyncClient, live_server
) -> None:
    keys = world.projects["notifications"]
    dsn = dsn_for(keys, host=live_server.url.removeprefix("http://"))
    env = cli.env(SENTRY_DSN=dsn)
    outputs = []
    for _ in range(2):
        result = cli.run(
            "send-event",
            "-m",
            "Webhook delivery failed",
            "-t",
            "channel:email",
            "-E",
            "staging",
            "-r",
            "notifications@0.9.1",
            "-u",
            "id:42",
            "--no-environ",
            auth=False,
            env=env,
        )
        outputs.append(result.stdout)
    event_ids = [uuid.UUID(re.search(r"Event id: (\S+)", o).group(1)).hex for o in outputs]

    rows = store.query(
        "SELECT event_id, group_id, environment, release FROM events WHERE project_id = ?",
        (keys.project_id,),
    )
    assert sorted(r["event_id"] for r in rows) == sorted(event_ids)
    assert len({r["group_id"] for r in rows}) == 1  # same message → one issue
    assert {(r["environment"], r["release"]) for r in rows} == {("staging", "notifications@0.9.1")}

    found = (await http.get(f"/api/0/organizations/acme/eventids/{event_ids[0]}/")).json()
    issue = (await http.get(f"/api/0/organizations/acme/issues/{found['groupId']}/")).json()
    assert issue["title"] == "Webhook delivery failed"
    assert issue["count"] == "2"
    event = (await http.get(f"/api/0/projects/acme/notifications/events/{event_ids[1]}/")).json()
    tags = {t["key"]: t["value"] for t in event["tags"]}
    assert tags["channel"] == "email"
    assert tags["environment"] == "staging"
    # sentry-cli sends `ip_address: "{{auto}}"`: the server fills in the sender's address
    assert event["user"]["id"] == "42"
    assert event["user"]["ip_address"] == "127.0.0.1"
    assert event["message"] == "Webhook delivery failed"  # from `logentry.message`
    assert [e["type"] for e in event["entries"]] == ["message"]


async def test_send_envelope_from_the_python_sdk(
    cli: SentryCli,
    store: Store,
    world: World,
    http: httpx.AsyncClient,
    live_server,
    tmp_path,
) -> None:
    keys = world.projects["checkout-api"]
    dsn = dsn_for(keys, host=live_server.url.removeprefix("http://"))
    recorder = RecordingTransport(dsn)
    with sdk_scope(recorder, environment="production", release="checkout-api@2.0.0") as scope:
        scope.set_tag("customer_tier", "gold")
        sentry_sdk.add_breadcrumb(category="db", message="SELECT 1")
        capture_raised(lambda: {}["missing-sku"])
    (envelope,) = recorder.envelopes
    path = tmp_path / "event.envelope"
    path.write_bytes(envelope)
    sent_id = json.loads(envelope.split(b"\n", 1)[0])["event_id"]

    out = cli.run("send-envelope", str(path), auth=False, env=cli.env(SENTRY_DSN=dsn)).stdout
    assert "dispatched" in out

    row = store.query_one("SELECT group_id FROM events WHERE event_id = ?", (sent_id,))
    assert row is not None
    assert row["group_id"] is not None
    issue = (await http.get(f"/api/0/organizations/acme/issues/{row['group_id']}/")).json()
    assert issue["title"].startswith("KeyError")
    assert issue["project"]["slug"] == "checkout-api"
    latest = await http.get(f"/api/0/organizations/acme/issues/{row['group_id']}/events/latest/")
    assert latest.json()["eventID"] == sent_id


def test_resolve_in_next_release(cli: SentryCli, store: Store, world: World) -> None:
    _make_issues(store, world, 2)
    first, second = sorted(_groups(store), key=int)
    out = cli.run("issues", "resolve", "-o", "acme", "-p", "checkout-api", "-n", "-i", first).stdout
    assert "resolvedInNextRelease" in out
    assert _groups(store) == {first: "resolved", second: "unresolved"}
    details = store.query_one("SELECT status_details FROM groups WHERE id = ?", (int(first),))
    assert json.loads(details["status_details"]).get("inNextRelease") is True


@pytest.fixture
def demo_server_process(tmp_path: Path):
    """`dexter demo-server` as users start it (seeded, in-memory), with its first stdout line."""
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(repo), PYTHONPATH]))}
    proc = subprocess.Popen(
        [sys.executable, "-m", "dexter_tui.cli", "demo-server", "--db", ":memory:", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    try:
        assert proc.stdout is not None
        ready, _, _ = select.select([proc.stdout], [], [], 120)  # seeding takes ~10 s
        assert ready, "dexter demo-server did not print its first line within 120 s"
        first_line = proc.stdout.readline()  # printed once the server listens
        assert first_line, "dexter demo-server printed nothing"
        yield json.loads(first_line)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_against_dexter_demo_server(
    cli_binary: str, demo_server_process: dict, tmp_path: Path
) -> None:
    """The seeded `dexter demo-server` subprocess, driven only through sentry-cli and its API."""
    info = demo_server_process
    home = tmp_path / "home"
    home.mkdir()
    cli = SentryCli(cli_binary, info["url"], info["token"], home)
    org = info["org"]
    assert {r["Slug"] for r in parse_table(cli.run("projects", "list", "-o", org).stdout)} == set(
        info["projects"]
    )
    total = 0
    for project in info["projects"]:
        rows = parse_table(cli.run("issues", "list", "-o", org, "-p", project).stdout)
        assert rows, f"no issues in {project}"
        assert {r["Status"] for r in rows} <= {"unresolved", "resolved", "ignored"}
        total += len(rows)
    assert total >= 60  # the seed scenario's issues

    project = info["projects"][0]
    env = cli.env(SENTRY_DSN=info["dsn"][project])
    out = cli.run("send-event", "-m", "sentry-cli smoke event", "--no-environ", auth=False, env=env)
    event_id = uuid.UUID(re.search(r"Event id: (\S+)", out.stdout).group(1)).hex
    headers = {"Authorization": f"Bearer {info['token']}"}
    found = httpx.get(
        f"{info['url']}/api/0/organizations/{org}/eventids/{event_id}/", headers=headers
    )
    assert found.status_code == 200
    assert found.json()["projectSlug"] == project

    rows = parse_table(
        cli.run("issues", "list", "-o", org, "-p", project, "--query", "is:unresolved").stdout
    )
    issue = next(r for r in rows if r["Title"] == "sentry-cli smoke event")
    cli.run("issues", "resolve", "-o", org, "-p", project, "-i", issue["Issue ID"])
    detail = httpx.get(
        f"{info['url']}/api/0/organizations/{org}/issues/{issue['Issue ID']}/", headers=headers
    )
    assert detail.json()["status"] == "resolved"


async def test_failed_bulk_update_is_reported_and_changes_nothing(
    cli: SentryCli, store: Store, world: World, http: httpx.AsyncClient
) -> None:
    """A bulk PUT the server fails (500, all-or-nothing) makes sentry-cli exit non-zero."""
    _make_issues(store, world, 2)
    first, second = sorted(_groups(store), key=int)
    fault = await http.post("/api/0/_demo/faults/", json={"bulk_fail_ids": [second]})
    assert fault.status_code < 300
    base = ["-o", "acme", "-p", "checkout-api"]
    result = cli.run("issues", "resolve", *base, "-i", first, "-i", second, check=False)
    assert result.returncode != 0
    assert "500" in result.stderr or "Internal Error" in result.stderr
    assert _groups(store) == {first: "unresolved", second: "unresolved"}
    cli.run("issues", "resolve", *base, "-i", first)  # the other id alone goes through
    assert _groups(store) == {first: "resolved", second: "unresolved"}


# -- release life cycle and status-filtered bulk updates (issue 13) ------------------------------


def _release_status(store: Store, version: str) -> str:
    return store.query_one("SELECT status FROM releases WHERE version = ?", (version,))["status"]


async def test_archive_and_restore_a_release(
    cli: SentryCli, store: Store, http: httpx.AsyncClient
) -> None:
    cli.run("releases", "new", "-o", "acme", "-p", "checkout-api", "checkout-api@3.0.0")
    cli.run("releases", "new", "-o", "acme", "-p", "checkout-api", "checkout-api@3.1.0")

    out = cli.run("releases", "archive", "-o", "acme", "checkout-api@3.0.0").stdout
    assert "Archived release checkout-api@3.0.0" in out
    assert _release_status(store, "checkout-api@3.0.0") == "archived"
    assert _release_status(store, "checkout-api@3.1.0") == "open"
    listed = {r["Version"] for r in parse_table(cli.run("releases", "list", "-o", "acme").stdout)}
    assert listed == {"checkout-api@3.1.0"}  # archived releases leave the default list
    archived = (await http.get("/api/0/organizations/acme/releases/?status=archived")).json()
    assert [r["version"] for r in archived] == ["checkout-api@3.0.0"]

    cli.run("releases", "restore", "-o", "acme", "checkout-api@3.0.0")
    assert _release_status(store, "checkout-api@3.0.0") == "open"
    listed = {r["Version"] for r in parse_table(cli.run("releases", "list", "-o", "acme").stdout)}
    assert listed == {"checkout-api@3.0.0", "checkout-api@3.1.0"}
    detail = (await http.get("/api/0/organizations/acme/releases/checkout-api@3.0.0/")).json()
    assert [p["slug"] for p in detail["projects"]] == ["checkout-api"]  # projects kept


def _git(repo: Path, *args: str) -> str:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(repo),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Ana Oncall",
        "GIT_AUTHOR_EMAIL": "ana@acme.test",
        "GIT_COMMITTER_NAME": "Ana Oncall",
        "GIT_COMMITTER_EMAIL": "ana@acme.test",
    }
    return subprocess.run(
        ["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True
    ).stdout.strip()


@pytest.fixture
def git_checkout(tmp_path: Path) -> tuple[Path, list[str]]:
    """A throwaway git repository with three commits and a GitHub-style remote; its SHAs
    newest first."""
    if shutil.which("git") is None:
        pytest.skip("git not installed")
    repo = tmp_path / "checkout-api"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "remote", "add", "origin", "git@github.com:acme/checkout-api.git")
    for n, message in enumerate(["feat: basket totals", "fix: empty basket", "fix: retry charge"]):
        (repo / "basket.py").write_text(f"VERSION = {n}\n")
        _git(repo, "add", "basket.py")
        _git(repo, "commit", "-q", "-m", message)
    shas = _git(repo, "log", "--format=%H").splitlines()
    return repo, shas


async def test_set_commits_from_a_local_checkout(
    cli: SentryCli, store: Store, http: httpx.AsyncClient, git_checkout: tuple[Path, list[str]]
) -> None:
    repo, shas = git_checkout
    version = "checkout-api@4.0.0"
    cli.run("releases", "new", "-o", "acme", "-p", "checkout-api", version)
    out = cli.run("releases", "set-commits", "-o", "acme", "--local", version, cwd=repo).stdout
    assert f"Set commits for release {version}" in out

    stored = store.query(
        "SELECT c.key, c.message, r.name FROM release_commits rc"
        " JOIN commits c ON c.id = rc.commit_id JOIN repositories r ON r.id = c.repository_id"
        " JOIN releases rl ON rl.id = rc.release_id WHERE rl.version = ? ORDER BY rc.position",
        (version,),
    )
    assert [r["key"] for r in stored] == shas
    # the repository is created on first use, under the name sentry-cli derives from the checkout
    repos = (await http.get("/api/0/organizations/acme/repos/")).json()
    assert [r["name"] for r in repos] == [stored[0]["name"]]
    repo_name = repos[0]["name"]
    assert stored[0]["message"].startswith("fix: retry charge")

    commits = (await http.get(f"/api/0/organizations/acme/releases/{version}/commits/")).json()
    assert [c["id"] for c in commits] == shas
    assert commits[0]["author"] == {"name": "Ana Oncall", "email": "ana@acme.test"}
    release = (await http.get(f"/api/0/organizations/acme/releases/{version}/")).json()
    assert release["commitCount"] == 3
    assert release["lastCommit"]["id"] == shas[0]

    # the next release names its head explicitly, in the repository Sentry now knows
    nxt = "checkout-api@4.1.0"
    cli.run("releases", "new", "-o", "acme", "-p", "checkout-api", nxt)
    head = "9" * 40
    out = cli.run(
        "releases",
        "set-commits",
        "-o",
        "acme",
        nxt,
        "--commit",
        f"{repo_name}@{shas[0]}..{head}",
    ).stdout
    assert repo_name in out
    commits = (await http.get(f"/api/0/organizations/acme/releases/{nxt}/commits/")).json()
    assert [c["id"] for c in commits] == [head]
    assert (await http.get(f"/api/0/organizations/acme/releases/{nxt}/")).json()["commitCount"] == 1
    # the first release keeps its own commits
    assert (await http.get(f"/api/0/organizations/acme/releases/{version}/")).json()[
        "commitCount"
    ] == 3

    unknown = cli.run(
        "releases", "set-commits", "-o", "acme", nxt, "--commit", "acme/nope@abc", check=False
    )
    assert unknown.returncode != 0
    assert "Unknown repo" in unknown.stderr


def test_resolve_and_unresolve_by_status(cli: SentryCli, store: Store, world: World) -> None:
    """`issues resolve -s muted` resolves the muted issues, `unresolve -s resolved` the resolved."""
    _make_issues(store, world, 4)
    a, b, c, d = sorted(_groups(store), key=int)
    base = ["-o", "acme", "-p", "checkout-api"]
    cli.run("issues", "mute", *base, "-i", a, "-i", b)
    assert _groups(store) == {a: "ignored", b: "ignored", c: "unresolved", d: "unresolved"}

    cli.run("issues", "resolve", *base, "-s", "muted")
    assert _groups(store) == {a: "resolved", b: "resolved", c: "unresolved", d: "unresolved"}

    cli.run("issues", "resolve", *base, "-i", c)
    cli.run("issues", "unresolve", *base, "-s", "resolved")
    assert _groups(store) == {a: "unresolved", b: "unresolved", c: "unresolved", d: "unresolved"}

    cli.run("issues", "mute", *base, "-i", d)
    cli.run("issues", "unresolve", *base, "-s", "muted")
    assert _groups(store) == {a: "unresolved", b: "unresolved", c: "unresolved", d: "unresolved"}
