"""`dexter` with nothing configured explains what to do instead of crashing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _run(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SENTRY_", "DEXTER_")) and k not in ("XDG_CONFIG_HOME",)
    }
    env |= {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}
    return subprocess.run(
        [sys.executable, "-m", "dexter_tui.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )


def test_no_configuration_explains_setup_and_the_demo(tmp_path: Path) -> None:
    result = _run(home=tmp_path)
    assert result.returncode == 2
    assert "SENTRY_AUTH_TOKEN" in result.stderr
    assert "dexter demo" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_config_file_names_file_and_key(tmp_path: Path) -> None:
    config = tmp_path / ".config" / "dexter-tui" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('org = "acme"\ntoken = "x"\npoll_interval = "often"\n')
    config.chmod(0o600)
    result = _run(home=tmp_path)
    assert result.returncode == 2
    assert "config.toml" in result.stderr
    assert "poll_interval" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_keymap_is_refused_before_the_tui_starts(tmp_path: Path) -> None:
    config = tmp_path / ".config" / "dexter-tui" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(
        'url = "http://127.0.0.1:9"\norg = "acme"\ntoken = "x"\n'
        '[keymap]\n"issues.resolve" = "ctrl+a"\n'
    )
    config.chmod(0o600)
    result = _run(home=tmp_path)
    assert result.returncode == 2
    assert "'issues.resolve' = 'ctrl+a'" in result.stderr
    assert "reserved" in result.stderr
