"""`dexter open SHORTID|ID|URL`: start the TUI on one issue (its event detail).

The issue is fetched first (so a typo fails here, with exit status 4, before the screen is taken
over); then the TUI starts as `dexter` does and opens it through `DexterApp.open_issue` once the
issue list is up — `q` goes back to the list. With Sentry unavailable (down, 5xx, 429) an issue
seen before opens from the offline cache, and the TUI shows that it is offline.
"""

from __future__ import annotations

import argparse
import inspect
from pathlib import Path
from typing import Any

from dexter_tui.commands.session import (
    EXIT_CODES_HELP,
    EXIT_UNAVAILABLE,
    CommandError,
    exit_code_for,
    load,
    make_client,
    plain,
    run_command,
    say,
)
from dexter_tui.config import add_connection_arguments

DESCRIPTION = "Open the TUI on one issue."
EPILOG = f"""\
examples:
  dexter open CHECKOUT-API-1F
  dexter open https://acme.sentry.io/issues/123456789/
  dexter open 123456789 --org acme

{EXIT_CODES_HELP}
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_connection_arguments(parser)
    parser.add_argument("issue", metavar="SHORTID|ID|URL")


def run(args: argparse.Namespace) -> int:
    from dexter_tui.commands.issue_lookup import resolve_issue_id
    from dexter_tui.sentry.errors import SentryError

    found: dict[str, Any] = {}

    async def fetch() -> int:
        settings = load(args)
        found["settings"] = settings
        try:
            async with make_client(settings) as client:
                issue_id = await resolve_issue_id(client, settings.org, args.issue)
                found["issue"] = await client.get_issue(settings.org, issue_id)
        except SentryError as error:
            if exit_code_for(error) != EXIT_UNAVAILABLE:
                raise
            found["issue"] = _cached_issue(settings, args.issue, error)
        return 0

    code = run_command(fetch)
    if code:
        return code
    return start_tui_on(found["settings"], found["issue"])


def _cached_issue(settings: Any, ref: str, error: BaseException) -> Any:
    """Sentry unavailable: the issue from the offline cache (the TUI then shows it offline)."""
    from dexter_tui.commands.issue_lookup import issue_ref, open_cache, since, try_cache

    cache = open_cache(settings)
    cached = try_cache(cache.issue, issue_ref(ref)) if cache is not None else None
    if cached is None:
        raise CommandError(
            f"{plain(str(error))} — and {ref} is not in the offline cache", EXIT_UNAVAILABLE
        )
    say(
        f"dexter: Sentry is unavailable ({plain(str(error))}); opening {cached.value.short_id} "
        f"from the offline cache ({since(cached.fetched_at)})"
    )
    return cached.value


def build_app_on(settings: Any, issue: Any, **context_kw: Any) -> Any:
    """The TUI as `dexter` builds it, opening `issue` once mounted."""
    from dexter_tui.tui import offline
    from dexter_tui.tui.app import DexterApp
    from dexter_tui.tui.factory import build_context, checked_keymap, default_action_log_path

    class OpenOnIssue(DexterApp):
        # Textual resolves a relative CSS_PATH next to the subclass's module: point at the app's
        CSS_PATH = str(Path(inspect.getfile(DexterApp)).with_name("dexter.tcss"))

        def on_mount(self) -> None:
            # Textual runs DexterApp.on_mount too (it pushes the list); open the issue after it
            self.call_after_refresh(self.open_issue, issue)

    context_kw.setdefault("action_log_path", default_action_log_path())
    ctx = build_context(settings, **context_kw)
    offline.enable(ctx)  # the offline cache, as `dexter` uses it
    keymap = checked_keymap(settings)
    app = OpenOnIssue(ctx)
    if keymap:
        app.set_keymap(keymap)
    return app


def start_tui_on(settings: Any, issue: Any) -> int:
    from dexter_tui.commands.crash import run_app
    from dexter_tui.config import EXIT_CONFIG, ConfigError

    try:
        app = build_app_on(settings, issue)
    except ConfigError as error:
        print(f"dexter: {error}")
        return EXIT_CONFIG
    return run_app(app)
