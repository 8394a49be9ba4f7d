"""`dexter` with nothing configured explains what to do instead of crashing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dexter_tui.cli import main, parse_args


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


# -- global options before or after the subcommand (issue 18, item 6) ------------------------------


#: an org token as the environment would hold it (prefix built here so scanners see no token)
ENV_TOKEN = "sntry" + "s_" + "from_the_environment_42"


def test_read_only_before_demo_reaches_the_demo() -> None:
    """`dexter --read-only demo` performed writes: the flag was dropped by the subparser."""
    args = parse_args(["--read-only", "demo"])
    assert args.read_only is True
    assert parse_args(["demo", "--read-only"]).read_only is True


def test_url_before_doctor_is_the_url_doctor_uses() -> None:
    """`dexter --url X doctor` sent the token to sentry.io instead of X."""
    args = parse_args(["--url", "https://sentry.internal.example", "--org", "acme", "doctor"])
    assert args.url == "https://sentry.internal.example"
    assert args.org == "acme"
    after = parse_args(["doctor", "--url", "https://sentry.internal.example"])
    assert after.url == "https://sentry.internal.example"


def test_options_before_nested_subcommands_and_projects_add_up() -> None:
    args = parse_args(["--profile", "work", "--project", "a", "config", "show", "--project", "b"])
    assert args.profile == "work"
    assert args.project == ["a", "b"]
    args = parse_args(["--url", "http://127.0.0.1:1", "issues", "list", "--json"])
    assert args.url == "http://127.0.0.1:1"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--token", "x", "demo-server"], "--token does not apply to `dexter demo-server`"),
        (["--read-only", "deadlock", "parse", "-"], "--read-only does not apply"),
        (["--url", "http://a.example", "demo"], "--url does not apply to `dexter demo`"),
        (["demo", "--org", "other"], "--org does not apply to `dexter demo`"),
        (["--org", "a", "config", "path"], "--org does not apply"),
        (
            ["--url", "http://a.example", "doctor", "--url", "http://b.example"],
            "given before and after",
        ),
    ],
)
def test_options_that_would_be_dropped_are_refused(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        parse_args(argv)
    assert stop.value.code == 2
    assert message in capsys.readouterr().err


def test_doctor_uses_the_url_given_before_it_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in list(os.environ):
        if name.startswith(("SENTRY_", "DEXTER_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    code = main(["--url", "http://user:pw@127.0.0.1:9", "--token", "abcdef123456", "doctor"])
    out = capsys.readouterr().out
    assert code == 1
    assert "url http://********@127.0.0.1:9 (from command-line flag --url)" in out
    assert "(from command-line flag --token)" in out
    assert "abcdef123456" not in out
    assert "pw@" not in out


# -- a crash never exits 0 -------------------------------------------------------------------------


def test_an_unexpected_error_is_logged_redacted_and_exits_non_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from dexter_tui.commands import crash, doctor

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("SENTRY_AUTH_TOKEN", ENV_TOKEN)

    def boom(args):
        raise RuntimeError(
            "kaput at https://admin:hunter2@sentry.example/ with Bearer abc.def.ghi "
            f"and {ENV_TOKEN} \x1b]52;c;eA==\x07"
        )

    monkeypatch.setattr(doctor, "run", boom)
    code = main(["doctor", "--token", "flag-secret-99", "--url", "http://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code == crash.EXIT_CRASH != 0
    assert "unexpected error: RuntimeError" in err
    logs = list((tmp_path / "state" / "dexter-tui").glob("crash-*.log"))
    assert len(logs) == 1
    assert str(logs[0]) in err
    assert oct(logs[0].stat().st_mode & 0o777) == "0o600"
    text = logs[0].read_text()
    assert "Traceback" in text
    assert "RuntimeError: kaput" in text
    for secret in ("hunter2", "abc.def.ghi", "from_the_environment_42", "flag-secret-99"):
        assert secret not in text
        assert secret not in err
    assert "\x1b" not in err


def test_a_crash_inside_the_tui_is_not_exit_0(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from dexter_tui.commands.crash import EXIT_CRASH, run_app

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))

    class CrashedApp:
        """What Textual leaves behind after an unhandled exception: return code 1, the error."""

        return_code = 1
        _exception = ValueError("markup error in [/]x")

        def run(self):
            return None

    assert run_app(CrashedApp(), argv=[]) == EXIT_CRASH
    assert "crash-" in capsys.readouterr().err

    class QuitApp:
        return_code = 0
        _exception = None

        def run(self):
            return 0

    assert run_app(QuitApp(), argv=[]) == 0


def test_an_issue_url_alone_means_open() -> None:
    url = "https://acme.sentry.io/issues/123456/?project=1"
    args = parse_args(["--org", "acme", url])
    assert args.command == "open"
    assert args.issue == url
    assert args.org == "acme"
    assert parse_args(["issues", "show", url]).command == "issues"


def test_shell_completion_lists_commands_and_verbs(tmp_path: Path) -> None:
    pytest.importorskip("argcomplete")
    out = tmp_path / "completions"

    def complete(line: str) -> list[str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SENTRY_", "DEXTER_"))}
        env |= {
            "_ARGCOMPLETE": "1",
            "_ARGCOMPLETE_IFS": "\n",
            "COMP_LINE": line,
            "COMP_POINT": str(len(line)),
            "_ARGCOMPLETE_STDOUT_FILENAME": str(out),
        }
        subprocess.run([sys.executable, "-m", "dexter_tui.cli"], env=env, timeout=60, check=False)
        return out.read_text().split()

    assert {"issues", "events", "cache", "open", "doctor"} <= set(complete("dexter "))
    assert set(complete("dexter issues re")) == {"resolve"}
    assert {"unresolve", "unassign"} <= set(complete("dexter issues un"))
    assert "--dry-run" in complete("dexter issues resolve --dr")


@pytest.mark.parametrize(
    "argv",
    [
        ["issues"],
        ["issues", "list"],
        ["issues", "show"],
        ["issues", "resolve"],
        ["issues", "ignore"],
        ["issues", "assign"],
        ["issues", "delete"],
        ["events", "show"],
        ["cache", "info"],
        ["cache", "clear"],
        ["open"],
    ],
)
def test_every_scripting_command_has_help_with_examples(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stop:
        parse_args([*argv, "--help"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert "examples:" in out
    assert "  dexter " in out


def test_token_command_not_run_is_said_so(tmp_path: Path, monkeypatch, capsys) -> None:
    from dexter_tui.commands.session import describe_connection
    from dexter_tui.config import load_settings

    monkeypatch.setenv("HOME", str(tmp_path))
    env = {"DEXTER_TOKEN_COMMAND": "pass show sentry", "SENTRY_ORG": "acme"}
    settings = load_settings(None, env=env, run_token_command=False)
    line = describe_connection(settings)
    assert "token_command from environment variable DEXTER_TOKEN_COMMAND (not run" in line
