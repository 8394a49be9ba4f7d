"""Saved views in the app: the name dialog, the picker, and the `:save`/`:view`/`:views` commands.

Kept out of `app.py` so the app only routes the verbs here and asks for palette entries. A view is
the issue list's query + sort + period + environment (+ the projects of the moment), stored by
`services.views` in the config dir; Sentry's own saved searches, when the server has them, are
offered too (opening one applies its query); of those only the caller's own can be made
(`:save-sentry`) or deleted (`:unsave`) from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from dexter_tui.sentry.errors import SentryError
from dexter_tui.services.views import (
    SavedView,
    ViewsFileError,
    ViewStore,
    delete_from_sentry,
    save_to_sentry,
    why_not_deletable,
)
from dexter_tui.tui.dialogs.base import Dialog
from dexter_tui.tui.dialogs.pick import PickDialog
from dexter_tui.tui.safe_text import palette_text, safe_text
from dexter_tui.tui.widgets.search_input import completer_for

if TYPE_CHECKING:
    from textual.app import App

VIEW_HELP = (
    ":save NAME (save the issue view)  :view NAME  :views (pick)  :unsave NAME"
    "\n:save-sentry NAME (the search as a personal Sentry saved search; :unsave deletes it)"
)


def _sentry_searches(app: Any) -> list[SavedView]:
    """Sentry's saved searches as loaded so far by the app's one completer (its cache is the
    only one: the picker, `:view NAME`, the palette and `/` completion share one request)."""
    completer = app.ctx.search_completer
    return list(completer.sentry_searches or []) if completer is not None else []


class SaveViewDialog(Dialog[str | None]):
    """Ask for the name to save the current issue view under."""

    DEFAULT_CSS = """
    SaveViewDialog > Vertical { width: 72; max-width: 95%; }
    SaveViewDialog #error { color: $error; height: auto; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="save_view.cancel")]

    def __init__(self, summary: str, name: str = "") -> None:
        super().__init__()
        self.summary = summary
        self.initial = name

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Save the issue view as", classes="title")
            yield Static(safe_text(self.summary, "dim"))
            yield Input(self.initial, placeholder="name, e.g. prod errors", id="name")
            yield Static("", id="error")
            yield Static("enter to save (same name replaces), esc to cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    @on(Input.Submitted, "#name")
    def _submit(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        if not name:
            self.query_one("#error", Static).update("Give the view a name")
            return
        self.dismiss(name)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ViewsPicker(PickDialog):
    """The pick list, wide enough for a view's name and summary on one line."""

    DEFAULT_CSS = """
    ViewsPicker > Vertical { width: 100; max-width: 95%; }
    """


def _store() -> ViewStore:
    return ViewStore()


def current_view(app: Any, name: str) -> SavedView:
    return SavedView.from_query(name, app.list_query, tuple(app.ctx.settings.project))


def save(app: Any, name: str) -> None:
    view = current_view(app, name)
    try:
        path = _store().save(view)
    except (ViewsFileError, OSError) as error:
        app.notify(f"Could not save the view: {error}", severity="error")
        return
    app.notify(f"Saved view “{view.name}”: {view.summary()}\n(in {path.name})", title="Saved view")


def save_sentry(app: Any, name: str) -> None:
    """`:save-sentry NAME`: the list's query + sort as a personal Sentry saved search."""
    view = current_view(app, name)

    async def run() -> None:
        try:
            made = await save_to_sentry(app.ctx.client, app.ctx.org, view)
        except SentryError as error:
            app.notify(f"Sentry did not save the search: {error}", severity="error")
            return
        completer = app.ctx.search_completer
        if completer is not None and completer.sentry_searches is not None:
            completer.sentry_searches = [*completer.sentry_searches, made]
        app.notify(f"Saved to Sentry as “{made.name}”: {made.query}", title="Sentry search")

    app.run_worker(run(), group="views", exit_on_error=False)


def apply(app: Any, view: SavedView) -> None:
    """Show the issue list with this view's query, sort, period, environments and projects."""
    app.action_view("issues")
    if view.projects:
        app.switch_projects(",".join(view.projects))
    app.show_issue_query(view.apply_to(app.list_query))
    label = "Sentry search" if view.source == "sentry" else "View"
    app.notify(f"{label} “{view.name}”: {view.summary()}")


def open_named(app: Any, name: str) -> None:
    try:
        view = _store().get(name)
    except ViewsFileError as error:
        app.notify(str(error), severity="error")
        return
    if view is None:
        wanted = name.strip().casefold()
        view = next((v for v in _sentry_searches(app) if v.name.casefold() == wanted), None)
    if view is None:
        app.notify(f"No saved view named {name!r} (:views lists them)", severity="warning")
        return
    apply(app, view)


def pick(app: Any) -> None:
    """List local views and (probed once) Sentry's saved searches; open the chosen one."""

    async def run() -> None:
        completer = completer_for(app.ctx)
        remote = await completer.load_sentry_searches()
        try:
            local = _store().load()
        except ViewsFileError as error:
            app.notify(str(error), severity="error")
            local = []
        views = local + list(remote)
        labels = [
            f"{'★' if v.source == 'sentry' else ' '} {v.name:<18} {v.summary()}" for v in views
        ]
        note = completer.sentry_note
        title = "Saved views" + (f" · {note}" if note else "")
        if not views:
            app.notify(f"No saved views yet. {VIEW_HELP}\n{note}")
            return

        def chosen(index: int | None) -> None:
            if index is not None:
                apply(app, views[index])

        app.push_screen(ViewsPicker(title, labels), chosen)

    app.run_worker(run(), group="views", exclusive=True, exit_on_error=False)


def run_command(app: Any, verb: str, arg: str) -> None:
    """`:save NAME`, `:view NAME`, `:views`, `:unsave NAME`."""
    if verb == "save":
        if arg:
            save(app, arg)
        else:
            summary = current_view(app, "").summary()
            app.push_screen(SaveViewDialog(summary), lambda n: save(app, n) if n else None)
    elif verb == "save-sentry":
        if arg:
            save_sentry(app, arg)
        else:
            app.notify(":save-sentry NAME saves the search to Sentry", severity="warning")
    elif verb == "view" and arg:
        open_named(app, arg)
    elif verb in ("view", "views"):
        pick(app)
    elif verb == "unsave" and arg:
        unsave(app, arg)
    else:
        app.notify(VIEW_HELP, severity="warning")


def unsave(app: Any, name: str) -> None:
    """`:unsave NAME`: a local view first; else the caller's own Sentry saved search of that
    name (shared and built-in Sentry searches are refused with the reason)."""
    try:
        gone = _store().delete(name)
    except ViewsFileError as error:
        app.notify(str(error), severity="error")
        return
    if gone:
        app.notify(f"Deleted view {name!r}")
        return

    async def run() -> None:
        completer = completer_for(app.ctx)
        wanted = name.strip().casefold()
        found = [v for v in await completer.load_sentry_searches() if v.name.casefold() == wanted]
        if not found:
            app.notify(f"No saved view named {name!r}", severity="warning")
            return
        mine = [v for v in found if not why_not_deletable(v)]
        if not mine:
            app.notify(why_not_deletable(found[0]), severity="warning")
            return
        view = mine[0]
        try:
            await delete_from_sentry(app.ctx.client, app.ctx.org, view)
        except SentryError as error:
            app.notify(f"Sentry did not delete the search: {error}", severity="error")
            return
        if completer.sentry_searches is not None:
            completer.sentry_searches = [v for v in completer.sentry_searches if v is not view]
        app.notify(f"Deleted your Sentry search “{view.name}”: {view.query}", title="Sentry search")

    app.run_worker(run(), group="views", exit_on_error=False)


def system_commands(app: App[Any]) -> Iterable[SystemCommand]:
    """Palette entries: save, pick, and one per saved view (local and probed server ones)."""
    run = app.run_command  # type: ignore[attr-defined]
    yield SystemCommand(
        "Save issue view as…", "Name the current query, sort, period, env", lambda: run("save")
    )
    yield SystemCommand(
        "Saved views…", "Pick a saved view or Sentry saved search", lambda: run("views")
    )
    try:
        local = ViewStore().load()
    except ViewsFileError:
        local = []
    for view in local + _sentry_searches(app):
        prefix = "Sentry search" if view.source == "sentry" else "View"
        # the palette reads titles as markup: a view named "[b]x" must show as typed
        yield SystemCommand(
            f"{prefix}: {palette_text(view.name)}",
            palette_text(view.summary()),
            lambda v=view: apply(app, v),
        )
