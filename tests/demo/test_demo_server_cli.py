"""`dexter demo-server` as a user runs it: a subprocess, real HTTP, the real sentry-sdk, signals."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sentry_sdk

REPO = Path(__file__).resolve().parents[2]


class DemoServer:
    """A `python -m dexter_tui.cli demo-server ...` child process and its first stdout line."""

    def __init__(self, *args: str, startup_timeout: float = 120.0):
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "dexter_tui.cli", "demo-server", *args],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        first = self._lines.get(timeout=startup_timeout)
        if first is None:
            self.proc.wait(timeout=10)
            raise AssertionError(f"demo-server exited early: {self.proc.stderr.read()}")
        self.info = json.loads(first)
        self.url: str = self.info["url"]
        self.token: str = self.info["token"]

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def rest(self) -> list[str]:
        out = []
        while True:
            try:
                line = self._lines.get_nowait()
            except queue.Empty:
                return out
            if line is None:
                return out
            out.append(line)

    def api(self) -> httpx.Client:
        return httpx.Client(
            base_url=self.url, headers={"Authorization": f"Bearer {self.token}"}, timeout=30
        )

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout=30)
        finally:
            for stream in (self.proc.stdout, self.proc.stderr):
                if stream is not None:
                    stream.close()


@pytest.fixture
def empty_server() -> Iterator[DemoServer]:
    server = DemoServer("--port", "0", "--db", ":memory:", "--no-seed")
    yield server
    if server.proc.poll() is None:
        server.stop(signal.SIGKILL)


def test_first_line_is_json_and_the_token_works(empty_server: DemoServer) -> None:
    info = empty_server.info
    assert set(info) == {"url", "token", "org", "projects", "dsn"}
    assert info["url"].startswith("http://127.0.0.1:")
    assert info["org"] == "acme"
    assert info["projects"] == ["checkout-api", "billing-worker", "notifications"]
    assert set(info["dsn"]) == set(info["projects"])
    with empty_server.api() as api:
        orgs = api.get("/api/0/organizations/")
        assert orgs.status_code == 200
        assert [o["slug"] for o in orgs.json()] == ["acme"]
    anonymous = httpx.get(f"{empty_server.url}/api/0/organizations/", timeout=30)
    assert anonymous.status_code == 401


def test_banner_tells_how_to_connect(empty_server: DemoServer) -> None:
    deadline = time.monotonic() + 30
    lines: list[str] = []
    while not any("Ctrl-C" in line for line in lines) and time.monotonic() < deadline:
        lines += empty_server.rest()
        time.sleep(0.05)
    text = "".join(lines)
    assert "sentry-cli" in text
    assert "sentry_sdk.init(dsn=" in text
    assert "read-only" in text
    assert empty_server.token not in text  # the full token is only in the JSON line


def _send_with_sdk(dsn: str) -> str:
    """Report a real exception with the real SDK and its real HTTP transport."""
    client = sentry_sdk.Client(
        dsn=dsn,
        release="cli-test@1.0.0",
        environment="ci",
        default_integrations=False,
        auto_enabling_integrations=False,
    )
    try:
        with sentry_sdk.isolation_scope() as scope:
            scope.set_client(client)
            scope.set_user({"id": "4711"})
            try:
                {"cart": {}}["cart"]["sku-1"]
            except KeyError as exc:
                event_id = scope.capture_exception(exc)
        client.flush(timeout=10)
    finally:
        client.close(timeout=10)
    assert event_id
    return event_id


def test_an_sdk_event_sent_to_the_printed_dsn_shows_up_in_the_api(
    empty_server: DemoServer,
) -> None:
    event_id = _send_with_sdk(empty_server.info["dsn"]["checkout-api"])
    with empty_server.api() as api:
        deadline = time.monotonic() + 30
        response = None
        while time.monotonic() < deadline:
            response = api.get(f"/api/0/projects/acme/checkout-api/events/{event_id}/")
            if response.status_code == 200:
                break
            time.sleep(0.1)
        assert response is not None
        assert response.status_code == 200, response.text
        event = response.json()
        assert event["eventID"] == event_id
        assert event["title"].startswith("KeyError")
        issues = api.get("/api/0/organizations/acme/issues/", params={"query": ""})
        assert issues.status_code == 200
        assert [i["id"] for i in issues.json()] == [event["groupID"]]


def test_sigterm_and_sigint_exit_cleanly() -> None:
    for sig in (signal.SIGTERM, signal.SIGINT):
        server = DemoServer("--port", "0", "--db", ":memory:", "--no-seed")
        assert server.stop(sig) == 0


def test_listens_only_on_the_requested_host(empty_server: DemoServer) -> None:
    port = int(empty_server.url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=5):
        pass
    # 127.0.0.2 is loopback too: a server bound to 0.0.0.0 would accept there
    with (
        pytest.raises(ConnectionRefusedError),
        socket.create_connection(("127.0.0.2", port), timeout=5),
    ):
        pass


def test_existing_database_is_reused_not_reseeded(tmp_path: Path) -> None:
    db = tmp_path / "demo.sqlite3"
    first = DemoServer("--port", "0", "--db", str(db), "--no-seed", "--large", "30")
    with first.api() as api:
        ids = [i["id"] for i in api.get("/api/0/organizations/acme/issues/").json()]
    assert first.stop() == 0
    assert len(ids) == 30
    second = DemoServer("--port", "0", "--db", str(db), "--large", "5")
    try:
        assert second.token == first.token
        with second.api() as api:
            again = [i["id"] for i in api.get("/api/0/organizations/acme/issues/").json()]
        assert sorted(again) == sorted(ids)  # neither seeded nor enlarged on top
    finally:
        assert second.stop() == 0


def test_seeded_server_serves_the_demo_data() -> None:
    server = DemoServer("--port", "0", "--db", ":memory:", "--seed-random", "5")
    try:
        with server.api() as api:
            total = 0
            for project in server.info["projects"]:
                response = api.get(
                    "/api/0/organizations/acme/issues/",
                    params={"project": _project_id(api, project), "query": "", "limit": 100},
                )
                assert response.status_code == 200
                total += len(response.json())
            assert total >= 60
    finally:
        assert server.stop() == 0


def _project_id(api: httpx.Client, slug: str) -> str:
    return api.get(f"/api/0/projects/acme/{slug}/").json()["id"]


NO_SEED = ("--db", ":memory:", "--no-seed")


def test_a_port_in_use_is_an_error_not_a_hang() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "dexter_tui.cli", "demo-server", "--port", str(port), *NO_SEED],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert proc.returncode == 1
    assert proc.stdout == ""  # no JSON line for a server that is not there
    assert f"127.0.0.1:{port}" in proc.stderr
