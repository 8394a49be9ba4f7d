"""The copy menu (`y`, and `H` at the Markdown summary): pick what to copy, see it, then copy it.

Why a menu and not one key per copy: the short id, the URL, the hand-off summary and the crash
frame are all "copy this issue"; one key that lists them (each with its own letter) is easier to
keep in mind than four. The preview shows exactly the text that is copied — untrusted event text
literally — so nothing leaves over OSC 52 unseen.

Keys: a choice's letter highlights it (the preview shows it); the same letter again, or `enter`,
copies it. The menu opens on the short id, so `y y` copies the short id as `y` used to (vim's
`yy`). The summary and the frame need the latest event: they fill in when it has loaded, and a
copy asked for before that happens as soon as it is there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from dexter_tui.sentry.models import Event, Issue
from dexter_tui.services import handoff
from dexter_tui.services.sanitize import clipboard_text
from dexter_tui.tui.dialogs.base import Dialog
from dexter_tui.tui.safe_text import safe_text

if TYPE_CHECKING:
    from dexter_tui.tui.context import TuiContext

#: what `load` fills in: choice id -> its text, or None when the issue has none (no stack trace)
Loaded = Mapping[str, str | None]
Load = Callable[[], Awaitable[Loaded]]


@dataclass
class CopyChoice:
    """One line of the menu: its id, accelerator key, label and the text it copies."""

    id: str
    key: str
    label: str
    text: str | None = None  # None: loading, or unavailable (`note` says why)
    note: str = ""  # shown instead of the text while there is none
    loading: bool = False  # the text comes with the latest event

    @property
    def ready(self) -> bool:
        return self.text is not None


class HandoffDialog(Dialog[tuple[str, str] | None]):
    """Returns (label, text) of the chosen copy; the preview shows the text literally."""

    DEFAULT_CSS = """
    HandoffDialog > Vertical { width: 90%; height: 85%; }
    HandoffDialog OptionList { height: auto; max-height: 6; border: none; }
    HandoffDialog #handoff-preview { height: 1fr; border: solid $accent; }
    HandoffDialog .hint { height: 1; color: $text-muted; }
    """
    BINDINGS = [Binding("escape,q", "cancel", "Cancel", id="handoff.cancel")]

    def __init__(
        self,
        choices: Sequence[CopyChoice],
        title: str,
        *,
        start: str | None = None,
        load: Load | None = None,
    ) -> None:
        super().__init__()
        self.choices = list(choices)
        self.title_text = title
        self.start = start
        self.load = load
        self._pending: str | None = None  # a choice asked for before its text loaded

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(safe_text(self.title_text), classes="title")
            yield OptionList(*(self._option(c) for c in self.choices))
            with VerticalScroll(id="handoff-preview"):
                yield Static(id="handoff-text")
            keys = " ".join(c.key for c in self.choices)
            hint = f"{keys}: show it · again or enter: copy (OSC 52) · esc: cancel"
            yield Static(hint, classes="hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = self._index(self.start) if self.start else 0
        options.focus()
        self._preview()
        if self.load is not None:
            self.fill()

    # -- what is shown ----------------------------------------------------------------------------

    @staticmethod
    def _option(choice: CopyChoice) -> Option:
        label = Text.assemble((f"{choice.key}", "bold"), "  ", choice.label)
        if not choice.ready and choice.note:
            label.append(f"  — {choice.note}", style="dim")
        return Option(label, id=choice.id)

    def _index(self, choice_id: str) -> int:
        return next((n for n, c in enumerate(self.choices) if c.id == choice_id), 0)

    @property
    def highlighted(self) -> CopyChoice:
        index = self.query_one(OptionList).highlighted
        return self.choices[index or 0]

    @property
    def labels(self) -> list[str]:
        """The menu's lines as the reader sees them (key, label, why unavailable)."""
        options = self.query_one(OptionList)
        return [str(options.get_option_at_index(n).prompt) for n in range(options.option_count)]

    @property
    def preview_text(self) -> str:
        """The text shown (and copied on enter), as the reader sees it."""
        return str(self.query_one("#handoff-text", Static).render())

    def _preview(self) -> None:
        choice = self.highlighted
        shown = safe_text(
            choice.text if choice.ready else choice.note, multiline=True, no_wrap=False
        )
        if not choice.ready:
            shown.stylize("italic dim")
        self.query_one("#handoff-text", Static).update(shown)

    # -- loading the summary and the frame --------------------------------------------------------

    @work(exclusive=True, group="handoff", exit_on_error=False)
    async def fill(self) -> None:
        assert self.load is not None
        try:
            loaded = await self.load()
        except Exception as error:
            for choice in self.choices:
                if choice.loading:
                    choice.loading = False
                    choice.note = f"could not load the latest event: {error}"
            self._pending = None
            self._refresh_options()
            raise
        for choice in self.choices:
            if choice.id in loaded:
                choice.loading = False
                choice.text = loaded[choice.id]
                if choice.text is None:
                    choice.note = "no stack trace in the latest event"
        self._refresh_options()
        pending, self._pending = self._pending, None
        if pending is not None:
            self._copy(self.choices[self._index(pending)])

    def _refresh_options(self) -> None:
        options = self.query_one(OptionList)
        for n, choice in enumerate(self.choices):
            options.replace_option_prompt_at_index(n, self._option(choice).prompt)
        self._preview()

    # -- keys -------------------------------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        choice = next((c for c in self.choices if c.key == event.character), None)
        if choice is None:
            return
        event.stop()
        event.prevent_default()
        if self.highlighted is choice:
            self._copy(choice)
        else:
            self.query_one(OptionList).highlighted = self._index(choice.id)

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        self._preview()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._copy(self.choices[self._index(event.option.id or "")])

    def _copy(self, choice: CopyChoice) -> None:
        if choice.ready:
            self.dismiss((choice.label, choice.text or ""))
        elif choice.loading:
            self._pending = choice.id  # copied as soon as it has loaded
            choice.note = "loading… (copied when it is here)"
            self._refresh_options()
        else:
            self.notify(f"Nothing to copy: {choice.note}", severity="warning")

    def action_cancel(self) -> None:
        self.dismiss(None)


def copy_menu(
    ctx: TuiContext, issue: Issue, event: Event | None, period: str | None, *, start: str
) -> HandoffDialog:
    """The menu for `issue`: short id and URL at once; the summary and the frame fill in from
    the latest event (unless `event` is the one shown) and the issue's tags — ≤ 2 requests."""

    async def load() -> dict[str, str | None]:
        data = await handoff.gather(ctx.client, ctx.org, issue, event=event, period=period)
        return {
            "markdown": handoff.summary_markdown(data),
            "frame": handoff.frame_path_line(data.event),
        }

    url = clipboard_text(issue.permalink, multiline=False) if issue.permalink else None
    choices = [
        CopyChoice("short_id", "y", "Short id", clipboard_text(issue.short_id, multiline=False)),
        CopyChoice("url", "u", "Issue URL", url, "this issue has no permalink"),
        CopyChoice("markdown", "m", "Summary as Markdown", note="loading…", loading=True),
        CopyChoice("frame", "f", "Frame as path:line", note="loading…", loading=True),
    ]
    return HandoffDialog(choices, f"Copy from {issue.short_id}", start=start, load=load)


def copied_note(label: str, text: str) -> str:
    """The toast after a copy: a one-line text itself, else what it was and how long."""
    if "\n" not in text.rstrip("\n") and len(text) <= 80:
        return f"Copied {text}"
    lines = text.rstrip("\n").count("\n") + 1
    return f"Copied: {label} ({lines} lines)"
