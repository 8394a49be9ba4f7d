"""`dexter doctor`: check the connection to Sentry step by step, with a next step for each failure.

Probes only read endpoints, plus one write probe that cannot change anything (a bulk PUT naming an
issue id that does not exist). Never prints the token. Exit 0 when every check passes, 1 when one
fails, 2 on a configuration error.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import Any

from dexter_tui.config import (
    EXIT_CONFIG,
    ConfigError,
    Settings,
    add_connection_arguments,
    file_mode,
    load_settings,
    sentryclirc_path,
)

PASS, FAIL, WARN, INFO = "pass", "fail", "warn", "info"
#: an issue id no Sentry assigns: the write probe matches nothing and changes nothing
PROBE_ISSUE_ID = "0"


@dataclass
class Check:
    name: str
    status: str  # pass | fail | warn | info
    result: str
    next_step: str = ""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_connection_arguments(parser)


def run(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(args)
    except ConfigError as exc:
        print(f"dexter: configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    import asyncio  # deferred: `dexter` builds every subcommand's parser at start

    from dexter_tui.commands.session import keep_secret, plain, scrub

    keep_secret(settings)
    checks = asyncio.run(run_checks(settings))
    # results quote the server's own messages: shown literally, never as escape sequences
    print("\n".join(plain(line) for line in scrub(render(checks)).splitlines()))
    return 1 if any(c.status == FAIL for c in checks) else 0


def _glyphs() -> dict[str, str]:
    fancy = {PASS: "✓", FAIL: "✗", WARN: "!", INFO: "·", "next": "→"}
    try:
        "".join(fancy.values()).encode(sys.stdout.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return {PASS: "OK", FAIL: "FAIL", WARN: "WARN", INFO: "-", "next": "->"}
    return fancy


def render(checks: list[Check]) -> str:
    glyph = _glyphs()
    name_w = max(len(c.name) for c in checks)
    glyph_w = max(len(glyph[s]) for s in (PASS, FAIL, WARN, INFO))
    result_w = min(60, max(len(c.result) for c in checks))
    lines = []
    for c in checks:
        line = f"{glyph[c.status]:<{glyph_w}} {c.name:<{name_w}}  {c.result:<{result_w}}"
        if c.next_step:
            line += f"  {glyph['next']} {c.next_step}"
        lines.append(line.rstrip())
    failed = sum(c.status == FAIL for c in checks)
    lines.append("")
    lines.append("all checks passed" if not failed else f"{failed} check(s) failed")
    return "\n".join(lines)


async def run_checks(settings: Settings, **client_kw: Any) -> list[Check]:
    """Every check in order; stops early when a later check cannot mean anything."""
    from dexter_tui.commands.session import redact_url, token_kind
    from dexter_tui.sentry.client import SentryClient
    from dexter_tui.sentry.errors import (
        AuthError,
        NetworkError,
        NotFound,
        ScopeError,
        SentryError,
    )

    checks: list[Check] = [_file_check(settings)]
    rc_check = _sentryclirc_check(settings)
    if rc_check is not None:
        checks.append(rc_check)
    source = settings.sources.get("url", "default")
    checks.append(Check("config", PASS, f"url {redact_url(settings.url)} (from {source})"))
    if settings.token is None:
        checks.append(
            Check(
                "token",
                FAIL,
                "no token configured",
                "set SENTRY_AUTH_TOKEN, or token/token_command in `dexter config path`",
            )
        )
        return checks
    checks.append(
        Check(
            "token",
            PASS,
            f"{token_kind(settings)} (from {settings.sources.get('token')})",
        )
    )

    client_kw.setdefault("max_retries", 1)
    client_kw.setdefault("max_rate_limit_wait", 10.0)
    client = SentryClient.from_settings(settings, **client_kw)
    client.read_only = False  # only the harmless probe below writes; it is skipped if read-only
    async with client:
        # 1. reachable (any HTTP answer counts, 401 included)
        shown_url = redact_url(settings.url)
        tls = " (TLS verified)" if settings.url.startswith("https://") else " (plain HTTP)"
        granted: list[str] | None = None
        try:
            info = await client.server_info()
            version = info.version
            auth = info.raw.get("auth")
            if isinstance(auth, dict) and isinstance(auth.get("scopes"), list):
                granted = [str(x) for x in auth["scopes"]]
            checks.append(Check("reachable", PASS, f"{shown_url} answers{tls}"))
        except NetworkError as exc:
            checks.append(Check("reachable", FAIL, exc.message, "check url, network, ca_bundle"))
            return checks
        except SentryError:
            version = None
            checks.append(Check("reachable", PASS, f"{shown_url} answers{tls}"))

        # 2. token accepted
        try:
            orgs = await client.list_organizations(max_pages=1)
            checks.append(Check("token accepted", PASS, f"sees {len(orgs)} organization(s)"))
        except AuthError:
            checks.append(
                Check(
                    "token accepted",
                    FAIL,
                    "Sentry rejected the token (invalid, expired or revoked)",
                    "create a new token (Settings > Auth Tokens) and set SENTRY_AUTH_TOKEN",
                )
            )
            return checks
        except ScopeError:
            orgs = []
            checks.append(Check("token accepted", PASS, "accepted (cannot list organizations)"))
        except SentryError as exc:
            checks.append(Check("token accepted", FAIL, exc.message, "see the message"))
            return checks

        # 3. organization
        org = settings.org
        if not org:
            slugs = ", ".join(o.slug for o in orgs[:5]) or "none visible"
            checks.append(
                Check(
                    "organization", FAIL, "no org configured", f"set SENTRY_ORG (one of: {slugs})"
                )
            )
            return checks
        try:
            organization = await client.get_organization(org)
            checks.append(Check("organization", PASS, f"{org} ({organization.name})"))
        except NotFound:
            slugs = ", ".join(o.slug for o in orgs[:5]) or "none visible"
            checks.append(
                Check("organization", FAIL, f"{org} not found", f"set org to one of: {slugs}")
            )
            return checks
        except SentryError as exc:
            checks.append(Check("organization", FAIL, exc.message, "check org and token scopes"))
            return checks
        region = organization.links.region_url
        checks.append(
            Check("region", PASS if region else INFO, region or "no regionUrl (self-hosted?)")
        )

        # 4. projects
        try:
            projects = await client.list_projects(org, max_pages=2)
            visible = {p.slug for p in projects}
            missing = [p for p in settings.project if p not in visible]
            if missing:
                checks.append(
                    Check(
                        "projects",
                        FAIL,
                        f"not found: {', '.join(missing)}",
                        f"use some of: {', '.join(sorted(visible)[:6]) or 'none visible'}",
                    )
                )
            else:
                chosen = ", ".join(settings.project) if settings.project else "all"
                checks.append(Check("projects", PASS, f"{chosen} ({len(visible)} visible)"))
        except SentryError as exc:
            projects = []
            checks.append(Check("projects", FAIL, exc.message, "check project:read scope"))

        # 5. scopes, by probing
        first_project = (
            settings.project[0] if settings.project else (projects[0].slug if projects else None)
        )
        probes: list[tuple[str, Any]] = [
            ("org:read", lambda: client.get_organization(org)),
            ("project:read", lambda: client.list_projects(org, max_pages=1)),
            ("team:read", lambda: client.list_teams(org, max_pages=1)),
            ("member:read", lambda: client.list_members(org, max_pages=1)),
            ("event:read", lambda: client.list_issues(org, limit=1, group_stats_period="")),
        ]
        if first_project:
            probes.append(("alerts:read", lambda: client.list_alert_rules(org, first_project)))
        for scope, probe in probes:
            checks.append(await _probe(scope, probe, ScopeError, SentryError))
        if settings.read_only:
            checks.append(Check("scope event:write", INFO, "not probed: read-only mode"))
        else:
            checks.append(
                await _probe(
                    "event:write",
                    lambda: client.bulk_update_issues(org, [PROBE_ISSUE_ID], {"hasSeen": False}),
                    ScopeError,
                    SentryError,
                    bulk=True,
                )
            )
        if granted is not None:
            checks.append(Check("token scopes", INFO, " ".join(sorted(granted)) or "(none)"))
            if "event:admin" in granted:
                checks.append(Check("scope event:admin", PASS, "granted (delete allowed)"))
            else:
                checks.append(Check("scope event:admin", INFO, "not granted (delete disabled)"))
        else:
            checks.append(Check("scope event:admin", INFO, "not probed (only a delete could tell)"))

        # 6. rate limits and version
        latest = client.rate_limits.latest
        if latest is None or not latest.known:
            checks.append(Check("rate limit", PASS, "no rate-limit headers (limiter off)"))
        elif latest.remaining == 0:
            checks.append(
                Check("rate limit", FAIL, f"0 of {latest.limit} left", "wait for the window reset")
            )
        else:
            checks.append(
                Check("rate limit", PASS, f"{latest.remaining} of {latest.limit} left in window")
            )
        checks.append(Check("server version", INFO, version or "not exposed"))
    return checks


async def _probe(
    scope: str,
    call: Any,
    scope_error: type[Exception],
    sentry_error: type[Exception],
    *,
    bulk: bool = False,
) -> Check:
    name = f"scope {scope}"
    try:
        result = await call()
    except scope_error:
        return Check(name, FAIL, "refused (403)", f"add the {scope} scope to the token")
    except sentry_error as exc:
        return Check(name, WARN, f"could not tell: {exc}", "")
    if bulk:
        # the probe id matches nothing: "no issue matched" means the write was allowed
        failures = list(result.failed.values())
        if failures and isinstance(failures[0], scope_error):
            return Check(name, FAIL, "refused (403)", f"add the {scope} scope to the token")
        if failures and getattr(failures[0], "status", None) not in (204, 404, None):
            return Check(name, WARN, f"could not tell: {failures[0]}", "")
    return Check(name, PASS, "works")


def _file_check(settings: Settings) -> Check:
    path = settings.config_path
    mode = file_mode(path) if path else None
    if mode is None:
        return Check("config file", INFO, f"{path} (none; using env/flags/.sentryclirc)")
    if mode & 0o077:
        token_in_file = str(path) in settings.sources.get("token", "")
        return Check(
            "config file",
            FAIL if token_in_file else WARN,
            f"{path} is mode {mode:04o}" + (" and holds the token" if token_in_file else ""),
            f"chmod 600 {path}",
        )
    return Check("config file", PASS, f"{path} (mode {mode:04o})")


def _sentryclirc_check(settings: Settings) -> Check | None:
    """sentry-cli's file holds a token too: warn when others can read it."""
    rc = sentryclirc_path()
    mode = file_mode(rc)
    if mode is None:
        return None
    try:
        holds_token = "token" in rc.read_text("utf-8", errors="replace").lower()
    except OSError:
        holds_token = False
    if mode & 0o077 and holds_token:
        in_use = str(rc) in settings.sources.get("token", "")
        return Check(
            "sentry-cli file",
            FAIL if in_use else WARN,
            f"{rc} is mode {mode:04o} and holds a token" + (" (the one in use)" if in_use else ""),
            f"chmod 600 {rc}",
        )
    return Check("sentry-cli file", PASS, f"{rc} (mode {mode:04o})")
