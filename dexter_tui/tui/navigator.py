"""The app's side of the navigation history: which place is on screen, recording jumps,
showing a recorded place again, and the breadcrumb.

Why a module of its own: the app shell keeps only the hooks (a jump is about to happen, go back,
go forward); what a place is for each screen and how it is rebuilt lives here, beside the
`History` model of `navigation.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.app import App
from textual.screen import ModalScreen, Screen

from dexter_tui.tui.navigation import History, Place
from dexter_tui.tui.screens.issues import IssuesScreen
from dexter_tui.tui.widgets.breadcrumb import Breadcrumb

NAVIGATION_HELP = (
    "Every jump is a step: opening an issue, tag → search, a new search or quick filter, a view\n"
    "switch, a saved view, :query/:filter/:project, a deadlock pattern → its report. esc on the\n"
    "list: first drops the typing (or its filter), then clears the marks, then goes back. q goes\n"
    "back too (at the first place: quit?). ctrl+o or backspace: back · ctrl+n: forward (ctrl+i\n"
    "is tab in a terminal). The breadcrumb line above the footer shows the places behind this one."
)

#: commands that take you somewhere (a history step); `:period`, `:sort`, `:env` adjust the
#: list in place like `t` and `s`
JUMP_COMMANDS = frozenset({"query", "search", "filter", "project", "projects", "view"})


class Navigator:
    """Records and restores places for `app` (the issue list is `app.issues_screen`; the other
    views are installed screens named in `views`)."""

    def __init__(self, app: App[Any], views: Sequence[str]) -> None:
        self.app = app
        self.views = tuple(views)
        self.history = History()
        self._jump_from: Place | None = None  # the place a jump in progress left

    @property
    def issues_screen(self) -> IssuesScreen:
        return self.app.issues_screen  # type: ignore[attr-defined,no-any-return]

    def view_name(self, screen: Screen[Any] | None) -> str | None:
        if screen is self.issues_screen:
            return "issues"
        app = self.app
        for name in self.views:
            if app.is_screen_installed(name) and app.get_screen(name) is screen:
                return name
        return None

    def here(self) -> Place:
        """Where the person is now (the topmost screen that is not a dialog)."""
        screens = [s for s in self.app.screen_stack[1:] if not isinstance(s, ModalScreen)]
        if not screens:
            return Place("issues", "issues")
        top = screens[-1]
        below = screens[-2] if len(screens) > 1 else None
        if top is self.issues_screen:
            return self.issues_screen.place()
        over = self.view_name(below) or "issues"
        place_of = getattr(top, "place", None)
        if callable(place_of):  # the event detail, the deadlocks view and its reports
            place: Place = place_of(over=over)
            return place
        name = self.view_name(top)
        if name is not None:
            return Place(name, name, {"key": name})
        kind = type(top).__name__.removesuffix("Screen").lower()  # a screen pushed by a view
        return Place(over, f"{over} › {kind}", {"key": over})

    def note_jump(self) -> None:
        """The person may be leaving this place: once the jump is done, it becomes a step back
        if they are somewhere else (one step per turn: a saved view applied from the event
        detail is one step, not three; a command that changes nothing is none)."""
        if self._jump_from is not None:
            return
        self._jump_from = self.here()
        self.app.call_after_refresh(self._jump_done)

    def _jump_done(self) -> None:
        left, self._jump_from = self._jump_from, None
        if left is not None and not left.same_spot(self.here()):
            self.history.jump(left)
        self.show_trail()

    def jumped(self, place: Place) -> None:
        """A screen left `place` by itself (a new search)."""
        self.history.jump(place)
        self.app.call_after_refresh(self.show_trail)

    def back(self) -> bool:
        target = self.history.back(self.here())
        if target is not None:
            self.restore(target)
        return target is not None

    def forward(self) -> bool:
        target = self.history.forward(self.here())
        if target is not None:
            self.restore(target)
        return target is not None

    def restore(self, place: Place) -> None:
        """Show `place` again as it was (not a new step)."""
        app = self.app
        state = place.state
        if self._pop_back_to(place):
            app.call_after_refresh(self.show_trail)
            return
        if place.view == "event":
            app.show_view(str(state.get("over") or "issues"))  # type: ignore[attr-defined]
            issue = app.ctx.issues.newest(state["issue"])  # type: ignore[attr-defined]
            from dexter_tui.tui.screens.event_detail import EventDetailScreen

            app.push_screen(EventDetailScreen.at_place(app.ctx, issue, state))  # type: ignore[attr-defined]
        elif place.view == "deadlock_report":
            from dexter_tui.tui.screens.deadlock_report import DeadlockReportScreen  # pglast

            app.show_view(str(state.get("over") or "issues"))  # type: ignore[attr-defined]
            app.push_screen(DeadlockReportScreen.at_place(app.ctx, state))  # type: ignore[attr-defined]
        else:
            app.show_view(place.view)  # type: ignore[attr-defined]
            if place.view == "issues":
                self.issues_screen.restore_place(dict(state))
            elif place.view in self.views and app.is_screen_installed(place.view):
                view = app.get_screen(place.view)
                restore_place = getattr(view, "restore_place", None)
                if callable(restore_place):  # the deadlocks view: its pattern row
                    restore_place(dict(state))
        app.call_after_refresh(self.show_trail)

    def _pop_back_to(self, place: Place) -> bool:
        """When `place` is the screen right under this one (a report over the event or the
        pattern it came from), close this one: the screen under it stays exactly as it was."""
        screens = [s for s in self.app.screen_stack[1:] if not isinstance(s, ModalScreen)]
        if len(screens) < 2 or screens[-2] is self.issues_screen:
            return False  # the list: `restore_place` below (its query may differ)
        below, under = screens[-2], (screens[-3] if len(screens) > 2 else None)
        place_of = getattr(below, "place", None)
        if not callable(place_of):
            return False
        if not place_of(over=self.view_name(under) or "issues").same_spot(place):
            return False
        self.app.pop_screen()
        restore_place = getattr(below, "restore_place", None)
        if callable(restore_place):
            restore_place(dict(place.state))
        return True

    def show_trail(self) -> None:
        """The breadcrumb of every screen: the places behind the one on top, then it."""
        labels = self.history.trail(self.here())
        for screen in self.app.screen_stack[1:]:
            for crumb in screen.query(Breadcrumb):
                crumb.show_trail(labels)
