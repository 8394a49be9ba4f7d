"""A Sentry search input with completion: keys, values, recent and saved searches.

Why a dropdown under the input and not Textual's `suggester` alone: a suggester shows one ghost
completion, and Sentry's search offers several (every `is:` value, a tag's values, recent
searches). The list shows up to eight; `tab` takes the highlighted one, `↑`/`↓` move in it, `esc`
closes it. With no list open, `↓` leaves the input for the rows (the filter stays) and `esc`
goes to the screen (which drops the typing). Syntax Sentry would refuse is flagged under the
input before it is sent; `enter` on a flagged query asks for a second `enter`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from dexter_tui.choices import PERIODS, SORTS
from dexter_tui.sentry.errors import SentryError
from dexter_tui.services.issues import QUICK_FILTERS
from dexter_tui.services.recent_searches import RecentSearches
from dexter_tui.services.search_completion import (
    CommandCompleter,
    Completion,
    Scope,
    SearchCompleter,
)
from dexter_tui.services.search_syntax import problems
from dexter_tui.services.views import ViewsFileError, ViewStore
from dexter_tui.tui import collector_hold
from dexter_tui.tui.context import TuiContext
from dexter_tui.tui.safe_text import safe_text

SEARCH_HELP = (
    "Typing adds to the search and filters the loaded rows at once; ↓ goes to the rows (the\n"
    "filter stays) to mark and act on them; enter sends the search to Sentry; esc drops the\n"
    "typing. Completion: tab takes the highlighted candidate, ↑/↓ move in the list (then ↓\n"
    "goes to the rows once it is closed), esc closes it. Keys, values, recent and saved\n"
    "searches (★ Sentry's own) are offered; what Sentry would refuse is flagged under the input."
)

#: wait this long after the last key before asking the server for a tag's values
DEBOUNCE = 0.25

_KIND_STYLE = {
    "key": "bold",
    "value": "",
    "recent": "italic",
    "saved": "italic",
    "sentry": "italic",
}


class SearchInput(Input):
    """The input itself; its `SearchField` parent shows the candidates and the problems."""

    BINDINGS = [
        Binding("tab", "complete", "Complete", id="search.complete"),
        Binding("down", "next", "Next / rows", id="search.next"),
        Binding("up", "previous", "Previous", show=False, id="search.previous"),
        Binding("escape", "close", "Close list", show=False, id="search.close"),
    ]

    #: called with the text as soon as it changes, in the same step as the key that changed it
    #: (before `Changed` travels up): a view that filters as you type draws its rows in the frame
    #: that shows the key, not one frame later
    on_text: Callable[[str], None] | None = None

    class Leave(Message):
        """`↓` with no candidate list: the screen moves focus to its rows."""

        def __init__(self, search_input: SearchInput) -> None:
            super().__init__()
            self.search_input = search_input

        @property
        def control(self) -> SearchInput:
            return self.search_input

    def __init__(
        self,
        value: str = "",
        *,
        completer: SearchCompleter | None = None,
        placeholder: str = "",
        remember: bool = True,
        rows_below: bool = False,
        issue_searches: bool = True,
        id: str | None = None,
    ) -> None:
        super().__init__(value, placeholder=placeholder, id=id, select_on_focus=False)
        # a steady cursor: blinking repainted the screen twice a second for as long as the search
        # kept focus (~1 % CPU idle over a 100k list, and escape sequences down an SSH link)
        self.cursor_blink = False
        self.completer = completer
        self.remember = remember  # sent searches become recent searches (the issue search)
        self.rows_below = rows_below  # ↓ with no list open posts `Leave` (the issue list)
        self.issue_searches = issue_searches  # offer Sentry's saved issue searches (not Discover)
        self._candidates: list[Completion] = []
        #: the text changed, the list and the problem line not yet (a filter's rows go first)
        self._behind = False
        self.highlighted = 0
        self._navigated = False
        self._timer: Timer | None = None
        self._flagged: str | None = None  # a flagged text enter was pressed on once
        self._focused = False

    def _watch_value(self, value: str) -> None:
        if not self.styles.auto_dimensions:
            # sized by its CSS: a new text changes only what scrolls, so no relayout of the
            # screen per key (Input sets `virtual_size`, a layout reactive)
            self.set_reactive(Input.virtual_size, Size(self.content_width, 1))
            self.refresh()
        super()._watch_value(value)
        if self.on_text is not None:
            if self.has_focus:  # typed: no collector passes in the keys' frames
                collector_hold.hold()
            self.on_text(value)

    def on_unmount(self) -> None:
        collector_hold.release(collect=False)

    # -- the list ----------------------------------------------------------------------------

    @property
    def field(self) -> SearchField | None:
        parent = self.parent
        return parent if isinstance(parent, SearchField) else None

    @property
    def candidates(self) -> list[Completion]:
        """The candidates for the text and cursor as they are now (caught up first)."""
        if self._behind:
            self._catch_up()
        return self._candidates

    def _catch_up(self) -> None:
        """Draw the candidates and the problem line for the text as it is now."""
        if not self._behind:
            return
        self._behind = False
        field = self.field
        if field is not None:
            field.show_problems(problems(self.value))
        self.refresh_candidates()

    def refresh_candidates(self) -> None:
        """Recompute the candidates for the text and cursor now (never a request)."""
        if self.completer is None or not self._focused:
            self._show([])
            return
        self._show(
            self.completer.complete(self.value, self.cursor_position, sentry=self.issue_searches)
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The completion keys are active only when they do something; in the footer they stay,
        dimmed (None) when inactive: candidates coming and going while a filter is typed change
        no key the footer shows (no recompose, no relayout of the screen per key)."""
        if action == "next":
            return True if self.candidates or self.rows_below else None
        if action in ("complete", "previous", "close"):
            return True if self.candidates else None
        return super().check_action(action, parameters)

    def _show(self, candidates: list[Completion]) -> None:
        changed = bool(candidates) != bool(self._candidates)
        self._candidates = candidates
        if changed:
            self.refresh_bindings()
        self.highlighted = 0
        self._navigated = False
        field = self.field
        if field is not None:
            field.show_candidates(candidates, 0)

    def on_focus(self) -> None:
        self._focused = True  # `has_focus` is set after this handler
        if self.on_text is not None:  # a filter is about to be typed: from its first key on
            collector_hold.hold()
        if self.completer is not None and self.completer.tag_keys is None:
            self.run_worker(self._load_keys(), group="search-keys", exit_on_error=False)
        if (
            self.issue_searches
            and self.completer is not None
            and self.completer.sentry_searches is None
        ):
            self.run_worker(self._load_sentry(), group="search-saved", exit_on_error=False)
        self.refresh_candidates()

    def on_blur(self) -> None:
        self._focused = False
        self._show([])

    async def _load_keys(self) -> None:
        if self.completer is None:
            return
        try:
            await self.completer.load_tag_keys()
        except SentryError:
            self.completer.tag_keys = []  # completion without tag keys, no toast
        self.refresh_candidates()

    async def _load_sentry(self) -> None:
        """Sentry's saved searches, once per org (a server without them offers none, quietly)."""
        if self.completer is None:
            return
        await self.completer.load_sentry_searches()
        self.refresh_candidates()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        if event.input is not self:
            return
        self._flagged = None
        self._behind = True
        if self.on_text is None:
            self._catch_up()
        else:
            # a filter typed over the rows: the key's frame shows its rows first, the list (and
            # the relayout its new size takes) follows a frame later; reading `candidates`
            # (a key for the list, a test) catches up at once
            self.call_after_refresh(self._catch_up)
        if self.completer is None:
            return
        wanted = self.completer.needs_values(self.value, self.cursor_position)
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        if wanted is not None:
            self._timer = self.set_timer(DEBOUNCE, lambda: self._fetch_now(*wanted))

    def _fetch_now(self, key: str, prefix: str) -> None:
        self._timer = None
        self.run_worker(
            self._fetch(key, prefix), group="search-values", exclusive=True, exit_on_error=False
        )

    async def _fetch(self, key: str, prefix: str) -> None:
        assert self.completer is not None
        try:
            await self.completer.fetch_values(key, prefix)
        except SentryError:
            return  # no values offered; the search itself still works
        self.refresh_candidates()

    # -- keys --------------------------------------------------------------------------------

    def choose(self, candidate: Completion) -> None:
        self.value = candidate.text
        self.cursor_position = candidate.cursor

    def action_complete(self) -> None:
        if not self.candidates:
            raise SkipAction()  # tab moves focus as usual
        self.choose(self.candidates[self.highlighted])

    def _move(self, step: int) -> None:
        self.highlighted = (self.highlighted + step) % len(self.candidates)
        self._navigated = True
        field = self.field
        if field is not None:
            field.show_candidates(self.candidates, self.highlighted)

    def action_next(self) -> None:
        if self.candidates:
            self._move(1 if self._navigated else 0)
            return
        if not self.rows_below:
            raise SkipAction()
        self.post_message(self.Leave(self))

    def action_previous(self) -> None:
        if not self.candidates:
            raise SkipAction()
        self._move(-1)

    def action_close(self) -> None:
        if not self.candidates:
            raise SkipAction()  # the screen's esc
        self._show([])

    async def action_submit(self) -> None:
        if self._navigated and self.candidates:
            candidate = self.candidates[self.highlighted]
            self.choose(candidate)
            if candidate.kind in ("key", "value"):
                return  # keep typing; the next enter sends
        found = problems(self.value)
        if found and self._flagged != self.value:
            self._flagged = self.value
            field = self.field
            if field is not None:
                field.show_problems([*found, "enter again to send it anyway"])
            self.app.bell()
            return
        self._show([])
        if self.remember and self.completer is not None and self.completer.recent is not None:
            self.completer.recent.remember(self.value)
        await super().action_submit()


class SearchField(Vertical):
    """The input, its candidate list and its problem line (Sentry's 400 lands here too)."""

    DEFAULT_CSS = """
    SearchField { height: auto; }
    SearchField > OptionList {
        overlay: screen; constrain: none inside;
        height: auto; max-height: 9; border: none; padding: 0 1; display: none;
        background: $panel;
    }
    SearchField.-open > OptionList { display: block; }
    SearchField > .search-problems {
        overlay: screen; constrain: none inside;
        height: auto; padding: 0 1; color: $warning; background: $panel; display: none;
    }
    SearchField.-problems > .search-problems { display: block; }
    SearchField.-open > .search-problems { display: none; }
    """

    def __init__(self, search_input: SearchInput, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.input = search_input
        # what is drawn now: a key that changes neither redraws nothing (each redraw re-laid out
        # the whole screen, ~40 ms per typed key over a loaded list)
        self._shown: tuple[tuple[str, str, str], ...] = ()
        self._problems: tuple[str, ...] = ()

    def compose(self) -> ComposeResult:
        yield self.input
        yield OptionList(classes="search-candidates")
        yield Static(classes="search-problems")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.can_focus = False

    def show_candidates(self, candidates: list[Completion], highlighted: int) -> None:
        options = self.query_one(OptionList)
        shown = tuple((c.label, c.detail, c.kind) for c in candidates)
        if shown == self._shown:
            if candidates and options.highlighted != highlighted:
                options.highlighted = highlighted
            return
        self._shown = shown
        lines = []
        for candidate in candidates:
            line = Text()
            line.append_text(safe_text(candidate.label, _KIND_STYLE.get(candidate.kind, "")))
            line.append("  ")
            line.append_text(safe_text(candidate.detail, "dim"))
            lines.append(Option(line))
        if lines:
            options.set_options(lines)  # one re-measure (one at a time re-measured per option)
        else:
            options.clear_options()
        if candidates:
            options.highlighted = highlighted
        self.set_class(bool(candidates), "-open")

    def show_problems(self, found: list[str]) -> None:
        if tuple(found) == self._problems:
            return
        self._problems = tuple(found)
        line = self.query_one(".search-problems", Static)
        line.update(safe_text("⚠ " + " · ".join(found)) if found else "")
        self.set_class(bool(found), "-problems")

    def show_error(self, message: str) -> None:
        """Sentry refused the search (400): its words under the input."""
        self.show_problems([f"Sentry: {message}"])


def completer_for(ctx: TuiContext) -> SearchCompleter:
    """The app's one completer (tag keys and values cached once for every search input)."""
    if ctx.search_completer is None:

        def saved() -> list[str]:
            try:
                return [v.query for v in ViewStore().load() if v.query]
            except (ViewsFileError, OSError):
                return []

        def scope() -> Scope:
            query = ctx.list_query
            if query is None:
                return Scope()
            return Scope(tuple(query.projects), tuple(query.environments))

        ctx.search_completer = SearchCompleter(
            ctx.client,
            ctx.org,
            recent=RecentSearches(ctx.recent_searches_path, ctx.org),
            saved=saved,
            scope=scope,
        )
    return ctx.search_completer


def command_completer(ctx: TuiContext) -> CommandCompleter:
    """The `:` line: verbs, then what each takes (projects, environments, periods, sorts, quick
    filters, views), and a search after `query`."""

    def arguments(verb: str) -> list[str]:
        workspace = ctx.workspace
        match verb:
            case "project" | "projects":
                return ["all", *([p.slug for p in workspace.projects] if workspace else [])]
            case "env" | "environment":
                return ["all", *(workspace.environments if workspace else [])]
            case "period":
                return list(PERIODS)
            case "sort":
                return list(SORTS)
            case "filter":
                return [label.lower() for label, _ in QUICK_FILTERS]
            case "view" | "unsave":
                with contextlib.suppress(ViewsFileError, OSError):
                    return [v.name for v in ViewStore().load()]
        return []

    return CommandCompleter(completer_for(ctx), arguments)
