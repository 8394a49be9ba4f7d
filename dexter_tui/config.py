"""Settings: where dexter finds its Sentry URL, token, org and preferences.

Sources, lowest to highest precedence (a higher source overrides a lower one key by key):

1. built-in defaults (each written once, on its `Settings` field, with its checker, environment
   variables and description; `SPECS` and the template are read off the fields);
2. sentry-cli's `~/.sentryclirc` (`[auth] token`, `[defaults] url/org/project`), so existing
   sentry-cli users start with zero setup;
3. the TOML file (`config.toml` in the platformdirs user config dir, or `--config` /
   `DEXTER_CONFIG`): top-level keys, then the selected `[profiles.<name>]` table over them;
4. environment: `SENTRY_URL`, `SENTRY_AUTH_TOKEN`, `SENTRY_ORG`, `SENTRY_PROJECT` (as sentry-cli)
   and `DEXTER_<KEY>` for every setting (e.g. `DEXTER_POLL_INTERVAL`);
5. command-line flags (`--url`, `--token`, `--org`, `--project`, `--read-only`).

`token` and `token_command` compete as one value: whichever comes from the higher source wins.
The command runs only when its token is needed and its output is never logged.

Every mistake becomes a `ConfigError` naming the source (file and key, or variable, or flag) and
what was expected; the CLI prints it and exits with status 2. This module stays import-light
(no pydantic, no httpx): `dexter` builds every subcommand's parser at start.
"""

from __future__ import annotations

import argparse
import configparser
import os
import re
import shlex
import stat
import subprocess
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import MISSING, Field, dataclass, field, fields
from pathlib import Path
from typing import Any

from dexter_tui.choices import (
    CONFIRM_POLICIES,
    DEFAULT_PERIOD,
    DEFAULT_QUERY,
    DEFAULT_SORT,
    SENTRY_ONLY_SORTS,
    STACK_ORDERS,
)
from dexter_tui.choices import SORTS as LIST_SORTS

APP_NAME = "dexter-tui"
CONFIG_FILENAME = "config.toml"
DEFAULT_URL = "https://sentry.io"
#: exit status for configuration mistakes (argparse uses 2 for usage errors too)
EXIT_CONFIG = 2

#: every sort `default_sort` accepts: the list's own, then the rest Sentry knows
SORTS = (*LIST_SORTS, *SENTRY_ONLY_SORTS)
_PERIOD_RE = re.compile(r"^\d+[smhdw]$")


class ConfigError(Exception):
    """A configuration mistake a person can fix: names where it is and what is expected."""

    exit_code = EXIT_CONFIG


class Secret:
    """A string that never shows itself in `repr`, `str`, logs or tracebacks."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')" if self._value else "Secret('')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


# -- setting specifications ------------------------------------------------------------------------


def _as_str(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("a string")
    return value


def _as_url(value: Any) -> str:
    text = _as_str(value).strip().rstrip("/")
    if not re.match(r"^https?://[^/\s]+", text):
        raise ValueError("an http(s) URL such as https://sentry.io")
    if text.endswith("/api/0"):
        text = text.removesuffix("/api/0")
    return text


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("1", "true", "yes", "on"):
            return True
        if low in ("0", "false", "no", "off", ""):
            return False
    raise ValueError("true or false")


def _number(value: Any, kind: type, low: float, high: float) -> Any:
    if isinstance(value, bool):
        raise ValueError(f"a number from {low:g} to {high:g}")
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise ValueError(f"a number from {low:g} to {high:g}") from None
    if kind is int and isinstance(value, float) and value != number:
        raise ValueError(f"a whole number from {low:g} to {high:g}")
    if not low <= number <= high:
        raise ValueError(f"a number from {low:g} to {high:g}")
    return number


def _float_in(low: float, high: float) -> Callable[[Any], float]:
    return lambda v: float(_number(v, float, low, high))


def _int_in(low: int, high: int) -> Callable[[Any], int]:
    return lambda v: int(_number(v, int, low, high))


def _choice(options: tuple[str, ...]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in options:
            raise ValueError("one of " + ", ".join(repr(o) for o in options))
        return value

    return check


def _period(value: Any) -> str:
    text = _as_str(value)
    if not _PERIOD_RE.match(text):
        raise ValueError("a period like 1h, 24h, 14d or 2w")
    return text


def _str_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return [p for p in re.split(r"[,\s]+", value) if p]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ValueError("a string or a list of strings")


def _optional_str(value: Any) -> str | None:
    text = _as_str(value).strip()
    return text or None


def _checked_keymap(settings: Settings) -> dict[str, str]:
    """The keymap checked against the app's binding ids as the config loads (ConfigError if not).

    Checked here, not when the TUI is built, so every command refuses a bad keymap at once
    (`config show` too, `demo` before seeding). The ids are declared on the TUI's classes, so
    they are imported only when a keymap is set (the headless layers never load Textual).
    """
    if not settings.keymap:
        return settings.keymap
    from dexter_tui.tui.factory import checked_keymap  # lazy: the TUI, only for a keymap

    return checked_keymap(settings)


def _secret(value: Any) -> Secret:
    text = _as_str(value).strip()
    if not text:
        raise ValueError("a non-empty token")
    return Secret(text)


def _path(value: Any) -> Path:
    text = _as_str(value).strip()
    path = Path(text).expanduser()
    if not path.is_file():
        raise ValueError("the path of an existing PEM file")
    return path


def _keymap(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValueError('a table of binding id = "keys", e.g. resolve = "x,ctrl+r"')
    return dict(value)


@dataclass(frozen=True)
class Spec:
    """One setting: its default, how to check a raw value, and its environment variables."""

    default: Any
    parse: Callable[[Any], Any]
    env: tuple[str, ...]
    help: str


_SPEC = "dexter_tui.config.spec"


def setting(
    parse: Callable[[Any], Any], env: tuple[str, ...] = (), help: str = ""
) -> dict[str, Any]:
    """The `field(metadata=...)` of a setting: with the field's default, the one place its
    checker, environment variables and description are written (`SPECS` is read off the fields)."""
    return {_SPEC: (parse, env, help)}


@dataclass
class Settings:
    """The effective settings and, per key, the source that gave its value."""

    url: str = field(
        default=DEFAULT_URL,
        metadata=setting(_as_url, ("SENTRY_URL", "DEXTER_URL"), "Sentry base URL"),
    )
    token: Secret | None = field(
        default=None, metadata=setting(_secret, ("SENTRY_AUTH_TOKEN", "DEXTER_TOKEN"), "auth token")
    )
    token_command: str | None = field(
        default=None,
        metadata=setting(
            _optional_str, ("DEXTER_TOKEN_COMMAND",), "command whose output is the token"
        ),
    )
    org: str | None = field(
        default=None,
        metadata=setting(_optional_str, ("SENTRY_ORG", "DEXTER_ORG"), "organization slug"),
    )
    project: list[str] = field(
        default_factory=list,
        metadata=setting(
            _str_list, ("SENTRY_PROJECT", "DEXTER_PROJECT"), "project slug(s) to show"
        ),
    )
    read_only: bool = field(
        default=False, metadata=setting(_as_bool, ("DEXTER_READ_ONLY",), "refuse every change")
    )
    bell: bool = field(
        default=False,
        metadata=setting(_as_bool, ("DEXTER_BELL",), "ring the terminal bell on new issues"),
    )
    poll_interval: float = field(
        default=30.0,
        metadata=setting(
            _float_in(5, 3600), ("DEXTER_POLL_INTERVAL",), "seconds between refreshes"
        ),
    )
    default_query: str = field(
        default=DEFAULT_QUERY,
        metadata=setting(_as_str, ("DEXTER_DEFAULT_QUERY",), "issue search at start"),
    )
    default_sort: str = field(
        default=DEFAULT_SORT,
        metadata=setting(_choice(SORTS), ("DEXTER_DEFAULT_SORT",), "issue sort"),
    )
    default_period: str = field(
        default=DEFAULT_PERIOD,
        metadata=setting(_period, ("DEXTER_DEFAULT_PERIOD",), "stats period"),
    )
    default_environment: list[str] = field(
        default_factory=list,
        metadata=setting(_str_list, ("DEXTER_DEFAULT_ENVIRONMENT",), "environment filter"),
    )
    confirm: str = field(
        default="bulk",
        metadata=setting(
            _choice(CONFIRM_POLICIES), ("DEXTER_CONFIRM",), "when to ask before acting"
        ),
    )
    theme: str = field(
        default="textual-dark", metadata=setting(_as_str, ("DEXTER_THEME",), "Textual theme name")
    )
    mask_pii: bool = field(
        default=False,
        metadata=setting(_as_bool, ("DEXTER_MASK_PII",), "event detail masks PII at start"),
    )
    stack_order: str = field(
        default=STACK_ORDERS[0],
        metadata=setting(
            _choice(STACK_ORDERS),
            ("DEXTER_STACK_ORDER",),
            "frames: oldest-first (Python) or newest-first",
        ),
    )
    keymap: dict[str, str] = field(
        default_factory=dict, metadata=setting(_keymap, (), "binding id -> keys")
    )
    ca_bundle: Path | None = field(
        default=None, metadata=setting(_path, ("DEXTER_CA_BUNDLE",), "extra CA bundle (PEM)")
    )
    timeout: float = field(
        default=30.0, metadata=setting(_float_in(1, 600), ("DEXTER_TIMEOUT",), "HTTP timeout (s)")
    )
    connect_timeout: float = field(
        default=10.0,
        metadata=setting(
            _float_in(1, 120), ("DEXTER_CONNECT_TIMEOUT",), "HTTP connect timeout (s)"
        ),
    )
    max_concurrency: int = field(
        default=4,
        metadata=setting(_int_in(1, 16), ("DEXTER_MAX_CONCURRENCY",), "requests in flight at most"),
    )
    profile: str | None = None
    config_path: Path | None = None
    sources: dict[str, str] = field(default_factory=dict)

    def token_value(self) -> str | None:
        """The token as plain text, for the HTTP client only."""
        return self.token.get_secret_value() if self.token else None

    def as_display(self) -> list[tuple[str, str, str]]:
        """(key, value, source) rows for `dexter config show`; the token is redacted."""
        rows = []
        for key in SPECS:
            value = getattr(self, key)
            if key == "token":
                shown = _redact(value.get_secret_value()) if value else "(not set)"
            elif value is None or value == [] or value == {}:
                shown = "(not set)"
            elif isinstance(value, list):
                shown = ", ".join(value)
            elif isinstance(value, dict):
                shown = ", ".join(f"{k}={v}" for k, v in sorted(value.items()))
            else:
                shown = str(value)
            rows.append((key, shown, self.sources.get(key, "default")))
        return rows


def _spec_of(f: Field[Any]) -> Spec:
    parse, env, help_text = f.metadata[_SPEC]
    default = f.default if f.default_factory is MISSING else f.default_factory()
    return Spec(default, parse, env, help_text)


#: every setting, in `Settings` field order (the order `config show` and error messages use)
SPECS: dict[str, Spec] = {f.name: _spec_of(f) for f in fields(Settings) if _SPEC in f.metadata}
#: keys allowed at the top of config.toml besides the settings
FILE_ONLY_KEYS = ("default_profile", "profiles")


def _redact(token: str) -> str:
    """Show only the kind of token (its prefix), never its secret part."""
    kind = token.split("_", 1)[0] + "_" if re.match(r"^sntry[us]_", token) else ""
    return f"{kind}********"


# -- locating files --------------------------------------------------------------------------------


def default_config_path() -> Path:
    """`config.toml` in the platformdirs user config dir (XDG on Linux)."""
    import platformdirs

    return platformdirs.user_config_path(APP_NAME) / CONFIG_FILENAME


def config_path(
    explicit: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
) -> Path:
    """The config file in use: `--config`, else `DEXTER_CONFIG`, else the default location."""
    env = os.environ if env is None else env
    if explicit:
        return Path(explicit).expanduser()
    if env.get("DEXTER_CONFIG"):
        return Path(env["DEXTER_CONFIG"]).expanduser()
    return default_config_path()


def sentryclirc_path(env: Mapping[str, str] | None = None) -> Path:
    """sentry-cli's per-user file: `~/.sentryclirc`."""
    env = os.environ if env is None else env
    home = env.get("HOME") or str(Path.home())
    return Path(home) / ".sentryclirc"


# -- reading sources -------------------------------------------------------------------------------


@dataclass
class _Layer:
    """Raw values from one source, each with a human description of where it came from."""

    rank: int
    values: dict[str, Any] = field(default_factory=dict)
    where: dict[str, str] = field(default_factory=dict)


def _read_sentryclirc(path: Path) -> _Layer:
    layer = _Layer(rank=1)
    if not path.is_file():
        return layer
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(f"{path}: not a valid INI file ({first})") from None
    picks = {
        ("auth", "token"): "token",
        ("defaults", "url"): "url",
        ("defaults", "org"): "org",
        ("defaults", "project"): "project",
    }
    for (section, option), key in picks.items():
        if parser.has_option(section, option):
            raw = parser.get(section, option).strip()
            if raw:
                layer.values[key] = raw
                layer.where[key] = f"{path} [{section}] {option}"
    return layer


def _read_toml(
    path: Path, profile: str | None, profile_where: str
) -> tuple[_Layer, _Layer, str | None]:
    """The file's top-level settings and the selected profile's; (top, profile, profile name)."""
    top, chosen_layer = _Layer(rank=2), _Layer(rank=3)
    if not path.exists():
        if profile:
            raise ConfigError(
                f"profile {profile!r} ({profile_where}) needs a config file, but {path} does not "
                "exist; create it with `dexter config init`"
            )
        return top, chosen_layer, None
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None

    def take(table: dict[str, Any], prefix: str, layer: _Layer) -> None:
        for key, value in table.items():
            if key in FILE_ONLY_KEYS and not prefix:
                continue
            if key not in SPECS:
                raise ConfigError(
                    f"{path}: unknown key `{prefix}{key}`; expected one of: "
                    + ", ".join(SPECS)
                    + ("" if prefix else ", default_profile, [profiles.<name>]")
                )
            layer.values[key] = value
            layer.where[key] = f"{path}: {prefix}{key}"

    take(data, "", top)
    profiles = data.get("profiles", {})
    if not isinstance(profiles, dict) or not all(isinstance(p, dict) for p in profiles.values()):
        raise ConfigError(f"{path}: `profiles` must hold tables like [profiles.work]")
    for name, table in profiles.items():
        unknown = [key for key in table if key not in SPECS]
        if unknown:
            raise ConfigError(
                f"{path}: unknown key `profiles.{name}.{unknown[0]}`; expected one of: "
                + ", ".join(SPECS)
            )
    chosen = profile
    if chosen is None and "default_profile" in data:
        chosen = data["default_profile"]
        if not isinstance(chosen, str):
            raise ConfigError(f"{path}: key `default_profile`: expected a profile name (a string)")
        profile_where = f"{path}: default_profile"
    if chosen is not None:
        if chosen not in profiles:
            known = ", ".join(sorted(profiles)) or "none defined"
            raise ConfigError(
                f"{path}: no [profiles.{chosen}] table (profile selected by {profile_where}); "
                f"known profiles: {known}"
            )
        take(profiles[chosen], f"profiles.{chosen}.", chosen_layer)
    return top, chosen_layer, chosen


def _read_env(env: Mapping[str, str]) -> _Layer:
    layer = _Layer(rank=4)
    for key, spec in SPECS.items():
        names = spec.env or ()
        # DEXTER_<KEY> works for every setting that makes sense as text
        generic = f"DEXTER_{key.upper()}"
        if key != "keymap" and generic not in names:
            names = (*names, generic)
        # the later name wins: DEXTER_* over SENTRY_*
        for name in names:
            if env.get(name, "") != "":
                layer.values[key] = env[name]
                layer.where[key] = f"environment variable {name}"
    return layer


def _read_flags(args: argparse.Namespace | None) -> _Layer:
    layer = _Layer(rank=5)
    if args is None:
        return layer
    flags = {
        "url": "--url",
        "token": "--token",
        "org": "--org",
        "project": "--project",
        "read_only": "--read-only",
    }
    for key, flag in flags.items():
        value = getattr(args, key, None)
        if value is None or value == []:
            continue
        layer.values[key] = value
        layer.where[key] = f"command-line flag {flag}"
    return layer


def load_settings(
    args: argparse.Namespace | None = None,
    *,
    env: Mapping[str, str] | None = None,
    run_token_command: bool = True,
) -> Settings:
    """Merge every source into `Settings`; raise `ConfigError` on any mistake.

    `run_token_command=False` leaves a `token_command` unrun (`dexter config show` uses it).
    """
    env = os.environ if env is None else env
    path = config_path(getattr(args, "config", None), env)
    profile = getattr(args, "profile", None)
    profile_where = "--profile"
    if not profile and env.get("DEXTER_PROFILE"):
        profile, profile_where = env["DEXTER_PROFILE"], "environment variable DEXTER_PROFILE"

    rc = _read_sentryclirc(sentryclirc_path(env))
    top, profile_layer, chosen = _read_toml(path, profile or None, profile_where)
    layers = [rc, top, profile_layer, _read_env(env), _read_flags(args)]

    settings = Settings(profile=chosen, config_path=path)
    for key, spec in SPECS.items():
        value, where = getattr(settings, key), "default"
        for layer in layers:
            if key in layer.values:
                raw, where = layer.values[key], layer.where[key]
                try:
                    value = spec.parse(raw)
                except ValueError as exc:
                    shown = "(hidden)" if key == "token" else repr(raw)
                    raise ConfigError(f"{where}: `{key}` = {shown}: expected {exc}") from None
        setattr(settings, key, value)
        settings.sources[key] = where

    _resolve_token_source(settings, layers)
    settings.keymap = _checked_keymap(settings)
    if run_token_command and settings.token is None and settings.token_command:
        settings.token = token_from_command(
            settings.token_command, settings.sources["token_command"]
        )
        settings.sources["token"] = f"output of token_command ({settings.sources['token_command']})"
    return settings


def _resolve_token_source(settings: Settings, layers: list[_Layer]) -> None:
    """`token` and `token_command` compete: the one from the higher source wins."""

    def rank(key: str) -> int:
        return max((layer.rank for layer in layers if key in layer.values), default=-1)

    token_rank, command_rank = rank("token"), rank("token_command")
    if token_rank == command_rank and token_rank >= 0:
        where = settings.sources["token_command"]
        raise ConfigError(f"{where}: set either `token` or `token_command` in one place, not both")
    if command_rank > token_rank:
        settings.token = None
    elif token_rank >= 0:
        settings.token_command = None
        settings.sources["token_command"] = "default"  # noqa: S105 - a source label


def token_from_command(command: str, where: str, timeout: float = 30.0) -> Secret:
    """Run `token_command` (no shell) and return its first output line as the token."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ConfigError(f"{where}: `token_command` is not a valid command line: {exc}") from None
    if not argv:
        raise ConfigError(f"{where}: `token_command` is empty")
    try:
        done = subprocess.run(  # noqa: S603 - the user's own configured command, without a shell
            argv, capture_output=True, text=True, timeout=timeout, check=False
        )
    except FileNotFoundError:
        raise ConfigError(f"{where}: token_command program {argv[0]!r} was not found") from None
    except subprocess.TimeoutExpired:
        raise ConfigError(f"{where}: token_command did not finish within {timeout:g} s") from None
    except OSError as exc:
        raise ConfigError(f"{where}: token_command could not run: {exc.strerror}") from None
    if done.returncode != 0:
        raise ConfigError(
            f"{where}: token_command exited with status {done.returncode}; expected status 0 and "
            "the token on the first line of its output"
        )
    lines = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    if not lines:
        raise ConfigError(f"{where}: token_command printed nothing; expected the token")
    return Secret(lines[0])


# -- command-line flags shared by every subcommand that talks to Sentry ----------------------------


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    """Add `--config --profile --url --token --org --project --read-only` to a subcommand."""
    group = parser.add_argument_group("connection")
    group.add_argument(
        "--config", metavar="PATH", help="config file (default: see `dexter config path`)"
    )
    group.add_argument("--profile", metavar="NAME", help="use [profiles.NAME] of the config file")
    group.add_argument("--url", metavar="URL", help=f"Sentry URL (default {DEFAULT_URL})")
    group.add_argument(
        "--token",
        metavar="TOKEN",
        help="auth token (prefer SENTRY_AUTH_TOKEN or token_command: flags show up in `ps`)",
    )
    group.add_argument("--org", metavar="SLUG", help="organization slug")
    group.add_argument(
        "--project", metavar="SLUG", action="append", help="project slug (repeatable)"
    )
    group.add_argument(
        "--read-only", action="store_true", default=None, help="never change anything in Sentry"
    )


# -- writing the file ------------------------------------------------------------------------------


def _toml(value: Any) -> str:
    """A default as TOML source (`30.0` -> `30`), for the template."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)


def _default(key: str, comment: str = "") -> str:
    """The template's commented-out line of `key` showing its default, comment at column 40."""
    line = f"# {key} = {_toml(SPECS[key].default)}"
    return f"{line:<39}# {comment}" if comment else line


TEMPLATE = f"""\
# dexter-tui configuration.
# Precedence (low -> high): defaults < ~/.sentryclirc < this file (top level, then the selected
# profile) < environment (SENTRY_URL, SENTRY_AUTH_TOKEN, SENTRY_ORG, SENTRY_PROJECT, DEXTER_*)
# < command-line flags. `dexter config show` prints the effective values and their sources.

{_default("url", 'self-hosted: "https://sentry.example.com"')}
# org = "my-org"
# project = ["backend", "web"]         # empty = every project you can see
# token_command = "pass show sentry/token"   # or: token = "..." (keep this file 0600)
{_default("read_only")}
{_default("bell", "ring the terminal bell when new or regressed issues arrive")}

{_default("poll_interval", "seconds between refreshes of the issue list (5..3600)")}
{_default("default_query")}
{_default("default_sort", "date | new | freq | user | priority (dexter's score)")}
{_default("default_period")}
# default_environment = ["production"]
{_default("confirm", "always | bulk | never: when to ask before acting")}
{_default("theme")}
{_default("mask_pii", "event detail: mask emails, IPs, cards, tokens (m toggles)")}
{_default("stack_order", "oldest-first (as Python prints) | newest-first")}
# ca_bundle = "/etc/ssl/my-company-ca.pem"
{_default("timeout", "seconds")}
{_default("connect_timeout")}
{_default("max_concurrency", "requests in flight at most (1..16)")}

# default_profile = "work"

# [keymap]                             # binding id = "keys"; `?` in the app lists the ids
# "issue.resolve" = "x,ctrl+r"

# [profiles.work]
# url = "https://sentry.example.com"
# org = "acme"
# token_command = "pass show sentry/work"
"""


def write_template(path: Path, *, force: bool = False) -> Path:
    """Write the commented template with mode 0600; refuse to overwrite unless `force`."""
    if path.exists() and not force:
        raise ConfigError(f"{path} already exists; pass --force to overwrite it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(TEMPLATE)
        os.chmod(path, 0o600)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot write: {exc.strerror}") from None
    return path


def file_mode(path: Path) -> int | None:
    """Permission bits of `path`, or None when it does not exist."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return None
