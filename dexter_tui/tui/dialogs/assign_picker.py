"""The assignee picker: suggested owners first, then me, then members and teams; typing filters.

Suggestions (Sentry's owners of the issue: ownership rules, code owners, suspect-commit authors)
arrive after the picker opens — it never waits for them — and go to the top, marked ★ with why.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from dexter_tui.services.actions import Assignee
from dexter_tui.services.ownership import Suggestion
from dexter_tui.tui.dialogs.base import Dialog
from dexter_tui.tui.safe_text import safe_text


class AssignPicker(Dialog[Assignee | None]):
    """Choose who gets the selected issues. `me` (if known) is listed first."""

    DEFAULT_CSS = """
    AssignPicker > Vertical { width: 72; max-height: 80%; }
    AssignPicker OptionList { height: auto; max-height: 16; border: none; }
    """
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="assign_picker.cancel"),
        Binding("down", "focus_list", "List", show=False, id="assign_picker.list"),
    ]

    def __init__(
        self,
        candidates: Sequence[Assignee],
        *,
        me: Assignee | None = None,
        count: int,
        suggest: Callable[[], Awaitable[list[Suggestion]]] | None = None,
    ):
        super().__init__()
        ordered = [me] if me else []
        ordered += [c for c in candidates if c != me]
        self.candidates = ordered
        self.me = me
        self.count = count
        self.suggest = suggest
        self.suggested: dict[Assignee, str] = {}  # assignee -> why

    def compose(self) -> ComposeResult:
        noun = "issue" if self.count == 1 else "issues"
        with Vertical():
            yield Static(f"Assign {self.count} {noun} to…")
            yield Input(placeholder="type to filter")
            yield OptionList()

    def on_mount(self) -> None:
        self._fill("")
        self.query_one(Input).focus()
        if self.suggest is not None:
            self.load_suggestions()

    @work(group="assign-suggest", exit_on_error=False)
    async def load_suggestions(self) -> None:
        assert self.suggest is not None
        found = await self.suggest()
        if not found:
            return
        self.suggested = {s.assignee: s.reason for s in found}
        first = [s.assignee for s in found]
        self.candidates = first + [c for c in self.candidates if c not in self.suggested]
        self._fill(self.query_one(Input).value)

    def _label(self, who: Assignee) -> str:
        text = ("★ " if who in self.suggested else "") + who.label
        text += " (me)" if who == self.me else ""
        if who in self.suggested:
            text += f" — suggested: {self.suggested[who]}"
        if who.kind == "user" and who.email:
            text += f"  {who.email}"
        return text

    def _fill(self, needle: str) -> None:
        needle = needle.casefold()
        options = self.query_one(OptionList)
        options.clear_options()
        for index, who in enumerate(self.candidates):
            label = self._label(who)
            if needle in label.casefold():
                options.add_option(Option(safe_text(label), id=str(index)))
        if options.option_count:
            options.highlighted = 0

    @on(Input.Changed)
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted)
    def _take_first(self, event: Input.Submitted) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None and options.option_count:
            option = options.get_option_at_index(options.highlighted)
            self.dismiss(self.candidates[int(option.id or 0)])

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.candidates[int(event.option.id or 0)])

    def action_focus_list(self) -> None:
        self.query_one(OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
