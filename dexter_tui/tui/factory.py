"""The one place that assembles the app, for the CLI, `dexter demo`, screenshots and tests."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from dexter_tui.config import APP_NAME, ConfigError, Settings
from dexter_tui.sentry.client import SentryClient
from dexter_tui.services import recent_searches
from dexter_tui.services.action_log import ActionLog
from dexter_tui.tui.app import DexterApp
from dexter_tui.tui.context import TuiContext
from dexter_tui.tui.keymap import (
    LEGACY_IDS,
    KeymapError,
    declared_bindings,
    split_keymap,
    validate_keymap,
)


def binding_owners() -> list[type]:
    """Every class whose BINDINGS users may remap by id. Importing them all (every screen, the
    deadlock analyzer, Discover…) costs more than starting the app does, so it happens only when
    a keymap is to be checked, not on every start."""
    from dexter_tui.tui.dialogs import (
        action_log,
        assign_picker,
        command_line,
        confirm,
        error_modal,
        export_dialog,
        help,
        ignore_menu,
        pick,
    )
    from dexter_tui.tui.dialogs.comment_editor import CommentEditor
    from dexter_tui.tui.dialogs.event_list import EventListDialog
    from dexter_tui.tui.dialogs.save_view import SaveViewDialog
    from dexter_tui.tui.screens.alerts import AlertsScreen
    from dexter_tui.tui.screens.analytics import AnalyticsScreen
    from dexter_tui.tui.screens.deadlock_report import DeadlockReportScreen
    from dexter_tui.tui.screens.deadlocks import DeadlocksScreen
    from dexter_tui.tui.screens.discover import DiscoverScreen
    from dexter_tui.tui.screens.event_detail import EventDetailScreen
    from dexter_tui.tui.screens.issues import IssuesScreen
    from dexter_tui.tui.screens.releases import ReleaseDetailScreen, ReleasesScreen
    from dexter_tui.tui.widgets.event_breadcrumbs import BreadcrumbsPane
    from dexter_tui.tui.widgets.event_comments import CommentsPane
    from dexter_tui.tui.widgets.event_raw import RawJsonView, RawPane
    from dexter_tui.tui.widgets.event_stack import StackPane
    from dexter_tui.tui.widgets.fast_table import FastTable

    return [
        DexterApp,
        IssuesScreen,
        FastTable,
        confirm.ConfirmDialog,
        ignore_menu.IgnoreMenu,
        assign_picker.AssignPicker,
        help.HelpScreen,
        action_log.ActionLogScreen,
        error_modal.ErrorModal,
        command_line.CommandLine,
        pick.PickDialog,
        export_dialog.ExportDialog,
        # event detail (issue 5)
        EventDetailScreen,
        StackPane,
        BreadcrumbsPane,
        CommentsPane,
        RawPane,
        RawJsonView,
        CommentEditor,
        EventListDialog,
        # analytics and releases (issue 7)
        AnalyticsScreen,
        ReleasesScreen,
        ReleaseDetailScreen,
        # deadlocks view (issue 6)
        DeadlocksScreen,
        DeadlockReportScreen,
        # alerts, discover, saved views (issue 8)
        AlertsScreen,
        DiscoverScreen,
        SaveViewDialog,
    ]


def __getattr__(name: str) -> object:
    """`BINDING_OWNERS` (the list `binding_owners()` returns), built on first use."""
    if name == "BINDING_OWNERS":
        return binding_owners()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def default_action_log_path(name: str = "actions.jsonl") -> Path:
    import platformdirs

    return platformdirs.user_state_path(APP_NAME) / name


def checked_keymap(settings: Settings) -> dict[str, str]:
    """The config's keymap, validated against the app's binding ids (ConfigError if wrong)."""
    try:
        if not settings.keymap:
            return {}  # nothing to check: the screens are not imported for it
        return validate_keymap(settings.keymap, declared_bindings(binding_owners()), LEGACY_IDS)
    except KeymapError as error:
        where = settings.sources.get("keymap", "config")
        raise ConfigError(f"{where}: {error}") from None


def _recent_searches_path(action_log_path: Path | None) -> Path | None:
    """The data dir's file; beside the action log when that lives elsewhere (tests); none (this
    session only) when the action log is not kept either."""
    if action_log_path is None:
        return None
    if action_log_path.parent == default_action_log_path().parent:
        return recent_searches.default_path()
    return action_log_path.parent / recent_searches.FILENAME


def build_context(
    settings: Settings,
    *,
    clock: Callable[[], float] = time.time,
    note: str = "",
    action_log_path: Path | None = None,
    client: SentryClient | None = None,
) -> TuiContext:
    if not settings.org:
        raise ConfigError("no organization: set SENTRY_ORG, `org` in the config file, or --org")
    return TuiContext(
        settings=settings,
        client=client or SentryClient.from_settings(settings),
        org=settings.org,
        action_log=ActionLog(action_log_path, clock=clock),
        clock=clock,
        note=note,
        bell=settings.bell,
        recent_searches_path=_recent_searches_path(action_log_path),
    )


def build_app(ctx: TuiContext) -> DexterApp:
    keymap, ctx.screen_keymaps = split_keymap(checked_keymap(ctx.settings), LEGACY_IDS)
    app = DexterApp(ctx)
    if keymap:
        app.set_keymap(keymap)
    return app
