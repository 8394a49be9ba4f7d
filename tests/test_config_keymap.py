"""`[keymap]` is checked as the config loads, for every command (issue 15, item 11).

The template taught `resolve = "x"` (not an id: exit 2 when the TUI started), `config show`
accepted it, `dexter demo` refused it only after seeding, and the message said `keymap: keymap:`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dexter_tui.config import TEMPLATE, ConfigError, load_settings
from dexter_tui.tui.factory import checked_keymap

BAD = 'url = "http://127.0.0.1:9"\norg = "acme"\ntoken = "x"\n[keymap]\nresolve = "x"\n'


def _home(tmp_path: Path, config: str) -> Path:
    path = tmp_path / ".config" / "dexter-tui" / "config.toml"
    path.parent.mkdir(parents=True)
    path.write_text(config, "utf-8")
    path.chmod(0o600)
    return path


def _run(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SENTRY_", "DEXTER_"))}
    env |= {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}
    return subprocess.run(
        [sys.executable, "-m", "dexter_tui.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_the_templates_keymap_example_is_a_valid_keymap(tmp_path: Path) -> None:
    lines = TEMPLATE.splitlines()
    start = lines.index(next(line for line in lines if line.startswith("# [keymap]")))
    example = ["[keymap]"]
    for line in lines[start + 1 :]:
        if not line.startswith("# ") or line.startswith("# ["):
            break
        example.append(line[2:])
    path = _home(tmp_path, 'org = "acme"\n' + "\n".join(example) + "\n")
    settings = load_settings(
        env={"DEXTER_CONFIG": str(path), "HOME": str(tmp_path)},
        run_token_command=False,
    )
    assert settings.keymap
    assert checked_keymap(settings) == settings.keymap
    assert all(binding_id.startswith("issue.") for binding_id in settings.keymap)


def test_an_unknown_binding_id_is_refused_when_the_config_loads(tmp_path: Path) -> None:
    path = _home(tmp_path, BAD)
    with pytest.raises(ConfigError) as caught:
        load_settings(
            env={"DEXTER_CONFIG": str(path), "HOME": str(tmp_path)},
            run_token_command=False,
        )
    message = str(caught.value)
    assert message.startswith(f"{path}: keymap: unknown binding id 'resolve'")
    assert "issue.resolve" in message  # the hint names the id that exists
    assert message.count("keymap:") == 1


def test_config_show_refuses_an_unknown_binding_id(tmp_path: Path) -> None:
    _home(tmp_path, BAD)
    result = _run("config", "show", home=tmp_path)
    assert result.returncode == 2
    assert "unknown binding id 'resolve'" in result.stderr
    assert "keymap: keymap:" not in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_refuses_a_bad_keymap_before_seeding(tmp_path: Path) -> None:
    _home(tmp_path, BAD)
    result = _run("demo", home=tmp_path)
    assert result.returncode == 2
    assert "unknown binding id 'resolve'" in result.stderr
    assert "seeding" not in result.stdout  # refused at once, not after ~3 s of seeding
    assert not re.search(r"keymap: keymap:", result.stderr)
