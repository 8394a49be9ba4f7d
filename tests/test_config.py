"""Configuration: source precedence, profiles, token_command, errors (exit 2), `dexter config`."""

from __future__ import annotations

import argparse
import os
import re
import stat
import sys
import tomllib
from pathlib import Path

import pytest

from dexter_tui import choices
from dexter_tui.cli import main
from dexter_tui.config import (
    SORTS,
    SPECS,
    TEMPLATE,
    ConfigError,
    Secret,
    Settings,
    add_connection_arguments,
    load_settings,
)

#: fake token prefixes, joined at run time so secret scanners skip these fixtures
USER_TOKEN = "sntry" + "u_"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An isolated HOME and XDG config dir, and no SENTRY_*/DEXTER_* from the real environment."""
    for name in list(os.environ):
        if name.startswith(("SENTRY_", "DEXTER_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    return tmp_path


def config_file(home: Path) -> Path:
    return home / "xdg" / "dexter-tui" / "config.toml"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")
    return path


def flags(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_connection_arguments(parser)
    return parser.parse_args(list(argv))


def test_defaults_without_any_source(home: Path) -> None:
    s = load_settings(env={"HOME": str(home), "XDG_CONFIG_HOME": str(home / "xdg")})
    assert s.url == "https://sentry.io"
    assert s.token is None
    assert s.confirm == "bulk"
    assert s.max_concurrency == 4
    assert s.sources["url"] == "default"
    assert s.config_path == config_file(home)


def test_precedence_sentryclirc_toml_profile_env_flags(home: Path) -> None:
    write(
        home / ".sentryclirc",
        f"[auth]\ntoken = {USER_TOKEN}rc\n[defaults]\nurl = https://rc.example\norg = rc-org\n"
        "project = rc-proj\n",
    )
    path = write(
        config_file(home),
        'url = "https://toml.example"\norg = "toml-org"\npoll_interval = 10\n'
        '[profiles.work]\norg = "work-org"\n',
    )
    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / "xdg")}

    s = load_settings(env=env)
    assert (s.url, s.org, s.project) == ("https://toml.example", "toml-org", ["rc-proj"])
    assert s.token == Secret(f"{USER_TOKEN}rc")
    assert s.sources["token"].endswith(".sentryclirc [auth] token")
    assert s.sources["url"] == f"{path}: url"

    s = load_settings(flags("--profile", "work"), env=env)
    assert s.org == "work-org"
    assert s.profile == "work"
    assert s.sources["org"] == f"{path}: profiles.work.org"

    env2 = {
        **env,
        "SENTRY_ORG": "env-org",
        "SENTRY_AUTH_TOKEN": f"{USER_TOKEN}env",
        "DEXTER_POLL_INTERVAL": "7",
    }
    s = load_settings(flags("--profile", "work"), env=env2)
    assert s.org == "env-org"
    assert s.poll_interval == 7.0
    assert s.token_value() == f"{USER_TOKEN}env"
    assert s.sources["org"] == "environment variable SENTRY_ORG"

    s = load_settings(
        flags(
            "--profile",
            "work",
            "--org",
            "flag-org",
            "--project",
            "a",
            "--project",
            "b",
            "--read-only",
        ),
        env=env2,
    )
    assert s.org == "flag-org"
    assert s.project == ["a", "b"]
    assert s.read_only is True
    assert s.sources["read_only"] == "command-line flag --read-only"


def test_default_profile_and_env_profile(home: Path) -> None:
    write(
        config_file(home),
        'default_profile = "a"\n[profiles.a]\norg = "org-a"\n[profiles.b]\norg = "org-b"\n',
    )
    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / "xdg")}
    assert load_settings(env=env).org == "org-a"
    assert load_settings(env={**env, "DEXTER_PROFILE": "b"}).org == "org-b"
    assert load_settings(flags("--profile", "b"), env={**env, "DEXTER_PROFILE": "a"}).org == "org-b"


def test_unknown_profile_names_file_and_known_profiles(home: Path) -> None:
    path = write(config_file(home), '[profiles.work]\norg = "x"\n')
    with pytest.raises(ConfigError) as err:
        load_settings(flags("--profile", "home"), env={"XDG_CONFIG_HOME": str(home / "xdg")})
    assert str(path) in str(err.value)
    assert "home" in str(err.value)
    assert "work" in str(err.value)


@pytest.mark.parametrize(
    ("text", "expect"),
    [
        ("url = [", "not valid TOML"),
        ('colour = "red"\n', "unknown key `colour`"),
        ("[profiles.w]\nbogus = 1\n", "unknown key `profiles.w.bogus`"),
        ('confirm = "sometimes"\n', "`confirm` = 'sometimes': expected one of 'always', 'bulk'"),
        ("poll_interval = 1\n", "`poll_interval` = 1: expected a number from 5 to 3600"),
        ('max_concurrency = "many"\n', "`max_concurrency`"),
        ('url = "sentry.io"\n', "expected an http(s) URL"),
        ('default_period = "yesterday"\n', "expected a period like"),
        ('ca_bundle = "/nonexistent/ca.pem"\n', "expected the path of an existing PEM file"),
        ("keymap = 3\n", "binding id"),
        ('token = "a"\ntoken_command = "echo b"\n', "either `token` or `token_command`"),
    ],
)
def test_bad_file_gives_one_clear_message(home: Path, text: str, expect: str) -> None:
    path = write(config_file(home), text)
    with pytest.raises(ConfigError) as err:
        load_settings(env={"HOME": str(home), "XDG_CONFIG_HOME": str(home / "xdg")})
    message = str(err.value)
    assert str(path) in message
    assert expect in message


def test_bad_env_value_names_the_variable(home: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load_settings(env={"XDG_CONFIG_HOME": str(home / "xdg"), "DEXTER_READ_ONLY": "perhaps"})
    assert "environment variable DEXTER_READ_ONLY" in str(err.value)
    assert "true or false" in str(err.value)


def test_bad_token_value_is_not_echoed(home: Path) -> None:
    write(config_file(home), "token = 12345\n")
    with pytest.raises(ConfigError) as err:
        load_settings(env={"XDG_CONFIG_HOME": str(home / "xdg")})
    assert "12345" not in str(err.value)


def test_token_command_runs_and_higher_source_wins(home: Path) -> None:
    script = write(home / "tok.py", f"print('{USER_TOKEN}from_command')\n")
    cmd = f"{sys.executable} {script}"
    write(config_file(home), f"token_command = {cmd!r}\n")
    env = {"HOME": str(home), "XDG_CONFIG_HOME": str(home / "xdg")}
    write(home / ".sentryclirc", f"[auth]\ntoken = {USER_TOKEN}rc\n")

    s = load_settings(env=env)  # the file's command beats the lower .sentryclirc token
    assert s.token_value() == f"{USER_TOKEN}from_command"
    assert "token_command" in s.sources["token"]

    s = load_settings(env={**env, "SENTRY_AUTH_TOKEN": f"{USER_TOKEN}env"})  # env beats the file
    assert s.token_value() == f"{USER_TOKEN}env"
    assert s.token_command is None

    s = load_settings(env=env, run_token_command=False)
    assert s.token is None
    assert s.token_command == cmd


def test_token_command_failure_is_a_config_error(home: Path) -> None:
    write(config_file(home), f"token_command = '{sys.executable} -c \"import sys; sys.exit(3)\"'\n")
    with pytest.raises(ConfigError, match="exited with status 3"):
        load_settings(env={"XDG_CONFIG_HOME": str(home / "xdg")})
    write(config_file(home), 'token_command = "/nonexistent/pass show x"\n')
    with pytest.raises(ConfigError, match="was not found"):
        load_settings(env={"XDG_CONFIG_HOME": str(home / "xdg")})


def test_secret_never_shows_itself() -> None:
    secret = Secret(f"{USER_TOKEN}abcdef")
    assert "abcdef" not in repr(secret)
    assert "abcdef" not in str(secret)
    assert "abcdef" not in f"{secret}"
    assert secret.get_secret_value() == f"{USER_TOKEN}abcdef"


def test_template_parses_and_every_commented_setting_is_valid(home: Path) -> None:
    assert tomllib.loads(TEMPLATE) == {}
    ca = write(home / "ca.pem", "x")
    uncommented = "\n".join(
        line[2:] if re.match(r'^# (\[|[a-z_]+ = |"[a-z_.]+" = )', line) else line
        for line in TEMPLATE.replace("/etc/ssl/my-company-ca.pem", str(ca)).splitlines()
    )
    write(config_file(home), uncommented)
    s = load_settings(env={"XDG_CONFIG_HOME": str(home / "xdg")}, run_token_command=False)
    assert s.profile == "work"
    assert s.org == "acme"
    assert s.token_command == "pass show sentry/work"
    assert s.keymap == {"issue.resolve": "x,ctrl+r"}
    assert s.default_environment == ["production"]


def test_each_default_is_written_once_and_read_the_same_everywhere(home: Path) -> None:
    """`Settings()`, `SPECS`, a load without sources and the template agree on every default."""
    fresh, loaded = Settings(), load_settings(env={}, run_token_command=False)
    for key, spec in SPECS.items():
        assert getattr(fresh, key) == spec.default == getattr(loaded, key), key
    assert fresh.project is not Settings().project  # list defaults are not shared
    shown = {}
    for line in TEMPLATE.splitlines():
        match = re.match(r"^# ([a-z_]+) = (.*)$", line)
        if match and match.group(1) in SPECS and match.group(1) not in shown:  # top level only
            shown.update(tomllib.loads(f"{match.group(1)} = {match.group(2)}"))
    defaults_shown = {k: v for k, v in shown.items() if v == SPECS[k].default}
    # the template shows the real default of every plain setting (examples stand for the rest)
    assert set(defaults_shown) == {
        "url",
        "read_only",
        "bell",
        "poll_interval",
        "default_query",
        "default_sort",
        "default_period",
        "confirm",
        "theme",
        "mask_pii",
        "stack_order",
        "timeout",
        "connect_timeout",
        "max_concurrency",
    }
    assert (fresh.default_query, fresh.default_sort, fresh.default_period) == (
        choices.DEFAULT_QUERY,
        choices.DEFAULT_SORT,
        choices.DEFAULT_PERIOD,
    )


def test_default_sort_accepts_the_list_sorts_and_sentrys_others(home: Path) -> None:
    assert set(choices.SORTS) < set(SORTS)
    for sort in (*choices.SORTS, *choices.SENTRY_ONLY_SORTS):
        assert load_settings(env={"DEXTER_DEFAULT_SORT": sort}).default_sort == sort
    with pytest.raises(ConfigError, match="expected one of 'date', 'new'"):
        load_settings(env={"DEXTER_DEFAULT_SORT": "oldest"})


# -- the `dexter config` command ------------------------------------------------------------------


def test_config_init_writes_0600_and_refuses_overwrite(home: Path, capsys) -> None:
    assert main(["config", "init"]) == 0
    path = config_file(home)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text("utf-8") == TEMPLATE
    assert main(["config", "init"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["config", "init", "--force"]) == 0


def test_config_path_prints_the_location(home: Path, capsys) -> None:
    assert main(["config", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(config_file(home))
    assert main(["config", "path", "--config", str(home / "other.toml")]) == 0
    assert capsys.readouterr().out.strip() == str(home / "other.toml")


def test_config_show_redacts_token_and_names_sources(
    home: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(config_file(home), 'org = "acme"\n')
    monkeypatch.setenv("SENTRY_AUTH_TOKEN", f"{USER_TOKEN}supersecretvalue")
    assert main(["config", "show", "--url", "https://sentry.example.com"]) == 0
    out = capsys.readouterr().out
    assert "supersecretvalue" not in out
    assert f"{USER_TOKEN}********" in out
    assert "environment variable SENTRY_AUTH_TOKEN" in out
    assert "command-line flag --url" in out
    assert f"{config_file(home)}: org" in out


def test_config_show_bad_file_exits_2_without_traceback(home: Path, capsys) -> None:
    write(config_file(home), "confirm = 3\n")
    assert main(["config", "show"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert str(config_file(home)) in err
    assert "confirm" in err


def test_config_show_does_not_run_token_command(home: Path, capsys) -> None:
    marker = home / "ran"
    script = write(
        home / "tok.py", f"open({str(marker)!r}, 'w').write('x'); print('{USER_TOKEN}x')\n"
    )
    write(config_file(home), f"token_command = '{sys.executable} {script}'\n")
    assert main(["config", "show"]) == 0
    out = capsys.readouterr().out
    assert "(from token_command, not run here)" in out
    assert not marker.exists()


def test_dexter_config_env_points_at_another_file(home: Path, monkeypatch) -> None:
    other = write(home / "elsewhere.toml", 'org = "from-elsewhere"\n')
    monkeypatch.setenv("DEXTER_CONFIG", str(other))
    settings = load_settings()
    assert settings.org == "from-elsewhere"
    assert settings.config_path == other
