"""What every scripting command shares: settings, the "talking to" line, exit codes, prompts.

Commands load the same settings as the TUI (profiles, config file, environment, flags), build the
same `SentryClient`, and say on stderr which URL and which token source they use (never the token,
never credentials in the URL) so a self-hosted token is never sent somewhere unexpected unseen.
Stdout stays clean for JSON/CSV.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

from dexter_tui.config import APP_NAME, ConfigError, Settings, load_settings

T = TypeVar("T")

EXIT_OK = 0
EXIT_PARTIAL = 1
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_NOT_FOUND = 4
EXIT_UNAVAILABLE = 5

EXIT_CODES_HELP = (
    "exit status: 0 ok, 1 partial failure, 2 usage or configuration, 3 auth (token rejected or "
    "missing a scope), 4 not found, 5 Sentry unavailable (network, 5xx, rate limited)"
)


class CommandError(Exception):
    """A failure with a message for stderr and an exit status."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


#: strings never to print (URL credentials, the token), registered by `load()`
_NEVER_SHOWN: set[str] = set()


def url_credentials(url: str) -> str | None:
    """The `user:password` part of a URL, if any."""
    netloc = urlsplit(url).netloc
    return netloc.rsplit("@", 1)[0] if "@" in netloc else None


def scrub(text: str) -> str:
    """`text` without anything `load()` registered as secret (longest first)."""
    for secret in sorted(_NEVER_SHOWN, key=len, reverse=True):
        text = text.replace(secret, "********")
    return text


def keep_secret(settings: Settings) -> None:
    """Register the token and URL credentials of `settings` for `scrub`."""
    creds = url_credentials(settings.url)
    if creds:
        _NEVER_SHOWN.add(creds)
    token = settings.token_value()
    if token and len(token) >= 4:
        _NEVER_SHOWN.add(token)


def redact_url(url: str) -> str:
    """The URL without `user:password@` (shown as `********@`)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"********@{host}"))


def token_kind(settings: Settings) -> str:
    """The token's kind prefix and `********`: what kind of token, never its secret part."""
    return next((v for k, v, _ in settings.as_display() if k == "token"), "(not set)")


def describe_connection(settings: Settings) -> str:
    """One line: which Sentry, which org, where the token came from (redacted)."""
    url_source = settings.sources.get("url", "default")
    if settings.token is None and not settings.token_command:
        token = "no token configured"  # noqa: S105 - a message
    elif settings.token is None:
        where = settings.sources.get("token_command", "default")
        token = f"token_command from {where} (not run: not needed)"
    else:
        token = f"token {token_kind(settings)} from {settings.sources.get('token', 'default')}"
    org = settings.org or "(no org)"
    profile = f", profile {settings.profile}" if settings.profile else ""
    mode = ", read-only" if settings.read_only else ""
    return (
        f"dexter: {redact_url(settings.url)} (from {url_source}), org {org}{profile}, {token}{mode}"
    )


def say(text: str) -> None:
    """A line for people, on stderr (stdout is for data)."""
    print(scrub(text), file=sys.stderr, flush=True)


def load(args: argparse.Namespace, *, need_token: bool = True, need_org: bool = True) -> Settings:
    """Settings as the TUI loads them; CommandError(2) when URL/token/org are not usable."""
    try:
        settings = load_settings(args, run_token_command=need_token)
    except ConfigError as error:
        raise CommandError(f"configuration error: {error}", EXIT_USAGE) from None
    keep_secret(settings)
    say(describe_connection(settings))
    if need_token and not settings.token_value():
        raise CommandError(
            "no token: set SENTRY_AUTH_TOKEN, or token/token_command in the config file "
            "(`dexter config path`); `dexter doctor` checks the setup",
            EXIT_USAGE,
        )
    if need_org and not settings.org:
        raise CommandError(
            "no organization: set SENTRY_ORG, `org` in the config file, or --org", EXIT_USAGE
        )
    return settings


def exit_code_for(error: BaseException) -> int:
    """Map a client error to the documented exit status."""
    from dexter_tui.sentry import errors

    if isinstance(error, errors.AuthError | errors.ScopeError):
        return EXIT_AUTH
    if isinstance(error, errors.NotFound):
        return EXIT_NOT_FOUND
    if isinstance(error, errors.BadRequest | errors.ReadOnlyError):
        return EXIT_USAGE
    if isinstance(error, errors.RateLimited | errors.ServerError | errors.NetworkError):
        return EXIT_UNAVAILABLE
    if isinstance(error, errors.BadResponse):
        return EXIT_UNAVAILABLE
    return EXIT_PARTIAL


def plain(value: Any) -> str:
    """Untrusted text for a terminal line: control characters visible, bidi controls removed."""
    from dexter_tui.tui.safe_text import clean_str

    return clean_str(value)


def run_command(body: Callable[[], Awaitable[int]]) -> int:
    """Run an async command body; CommandError and Sentry errors become a message and a status."""
    from dexter_tui.sentry.errors import SentryError

    try:
        return asyncio.run(body())
    except CommandError as error:
        say(f"dexter: {plain(error.message)}")
        return error.code
    except SentryError as error:
        say(f"dexter: {plain(str(error))}")
        return exit_code_for(error)


def confirm(question: str, *, assume_yes: bool) -> None:
    """Ask on the terminal; without one (a script), refuse unless `--yes` was given."""
    if assume_yes:
        return
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        raise CommandError(
            f"{question} — not confirmed: there is no terminal to ask; pass --yes", EXIT_USAGE
        )
    print(f"{question} [y/N] ", end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline().strip().lower()
    if answer not in ("y", "yes"):
        raise CommandError("not confirmed; nothing was changed", EXIT_USAGE)


def state_path(name: str) -> Path:
    """A file in the state dir (the action log lives there, as for the TUI)."""
    import platformdirs

    return platformdirs.user_state_path(APP_NAME) / name


def make_client(settings: Settings, **kw: Any) -> Any:
    from dexter_tui.sentry.client import SentryClient

    return SentryClient.from_settings(settings, **kw)
