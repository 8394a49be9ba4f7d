"""The `:` command line (`:project api`, `:env prod`, `:q`), vim/k9s style."""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from dexter_tui.services.search_completion import CommandCompleter
from dexter_tui.tui.widgets.search_input import SearchField, SearchInput


class CommandLine(ModalScreen[str | None]):
    """A one-line prompt at the bottom; returns the typed command without the colon.

    The `:focus` rule matters: Input's own `Input:focus { border: tall }` outranks a plain
    `CommandLine Input`, and a tall border on a one-row input leaves no row for the text.

    The candidates (and the problem line) belong under the input but there is no room below the
    last row, so `inflect` flips them up — by their own height from where they would start, the
    row under the prompt, which lands their last row on the prompt. A bottom margin makes the
    flip one row longer (Textual's `Region.inflect` adds it), so they end just above the prompt.
    """

    DEFAULT_CSS = """
    CommandLine { align: left bottom; background: transparent; }
    CommandLine #command-row { dock: bottom; width: 100%; height: 1; background: $surface; }
    CommandLine #command-prompt { width: 1; height: 1; }
    CommandLine SearchField { width: 1fr; height: 1; }
    CommandLine Input, CommandLine Input:focus {
        width: 1fr; border: none; height: 1; padding: 0;
    }
    CommandLine SearchField > OptionList, CommandLine SearchField > .search-problems {
        constrain: none inflect; margin-bottom: 1;
    }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="command_line.cancel")]

    def __init__(self, history: list[str] | None = None, completer: CommandCompleter | None = None):
        super().__init__()
        self.history = history if history is not None else []
        self.completer = completer  # verbs, their arguments, a search after `query`

    def compose(self) -> ComposeResult:
        with Horizontal(id="command-row"):
            yield Static(":", id="command-prompt")
            yield SearchField(
                SearchInput(
                    completer=self.completer,
                    remember=False,
                    placeholder="issues  project SLUG  env NAME  period 24h  q",
                )
            )

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def take_stale_key(self, event: events.Key) -> bool:
        """Type a printable key that was meant for this prompt but went elsewhere: keys sent in
        the same instant as `:` (a paste, tmux `send-keys`, a fast typist) are dispatched to the
        list before `:` has opened the prompt, and bubble back up to the app once it is open.
        The input stops every printable key it gets itself, so none is typed twice."""
        if not (event.is_printable and event.character):
            return False
        self.query_one(SearchInput).insert_text_at_cursor(event.character)
        return True

    @on(Input.Submitted)
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        command = event.value.strip().removeprefix(":").strip()
        if command:
            self.history.append(command)
        self.dismiss(command or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
