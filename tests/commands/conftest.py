"""Run `dexter` commands in-process against the seeded demo server, in an isolated home."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from dexter_tui.cli import main


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json_lines(self) -> list[dict]:
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No real config, sentry-cli file, cache or state: everything under tmp_path."""
    for name in list(os.environ):
        if name.startswith(("SENTRY_", "DEXTER_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    for kind in ("CONFIG", "CACHE", "STATE", "DATA"):
        monkeypatch.setenv(f"XDG_{kind}_HOME", str(tmp_path / kind.lower()))
    return tmp_path


@pytest.fixture
def dexter(capsys: pytest.CaptureFixture[str]):
    """`dexter(*args)` -> Result(code, stdout, stderr)."""

    def run(*args: str) -> Result:
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def sentry_env(seeded_server, seeded_world, monkeypatch: pytest.MonkeyPatch):
    """SENTRY_URL/SENTRY_AUTH_TOKEN/SENTRY_ORG pointing at the seeded demo server."""
    monkeypatch.setenv("SENTRY_URL", seeded_server.url)
    monkeypatch.setenv("SENTRY_AUTH_TOKEN", seeded_world.token)
    monkeypatch.setenv("SENTRY_ORG", seeded_world.org_slug)
    return seeded_server


@pytest.fixture
def faults(seeded_server, seeded_world):
    """POST a body to the demo server's fault API."""

    def set_faults(**body: object) -> None:
        r = httpx.post(
            f"{seeded_server.url}/api/0/_demo/faults/",
            json=body,
            headers={"Authorization": f"Bearer {seeded_world.token}"},
        )
        assert r.status_code in (200, 201, 204), r.text

    return set_faults
