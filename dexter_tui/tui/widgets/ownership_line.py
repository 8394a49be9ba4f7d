"""The owners / suspect-commit lines under the event header (hidden when Sentry names none).

A widget of its own beside the header (not part of it): it loads after the event, in its own
worker, and a server without ownership data or commits simply shows nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from rich.text import Text
from textual import work
from textual.widgets import Static

from dexter_tui.services.ownership import Ownership, describe_owners
from dexter_tui.tui.safe_text import clean_str

Loader = Callable[[], Awaitable[Ownership]]


def ownership_text(data: Ownership) -> Text:
    """`Owners: …` and `Suspect commit: sha message — author (why)`, literal text."""
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    if data.owners:
        text.append("Owners: ", style="bold")
        text.append(clean_str(describe_owners(data.owners)))
    if data.suspects:
        first = data.suspects[0]
        if data.owners:
            text.append("\n")
        text.append("Suspect commit: ", style="bold")
        text.append(first.short, style="bold")
        text.append(" " + clean_str(first.message))
        if first.author:
            text.append(" — " + clean_str(first.author))
        if first.why:
            text.append(f" ({clean_str(first.why)})", style="dim")
        if len(data.suspects) > 1:
            text.append(f"  +{len(data.suspects) - 1} more", style="dim")
    return text


class OwnershipLine(Static):
    """Owners and the first suspect commit of the shown event."""

    DEFAULT_CSS = """
    OwnershipLine {
        height: auto; max-height: 2; padding: 0 1; background: $boost; display: none;
        text-wrap: nowrap; text-overflow: ellipsis;
    }
    OwnershipLine.-shown { display: block; }
    """

    data: Ownership | None = None

    @work(exclusive=True, group="ownership", exit_on_error=False)
    async def load(self, loader: Loader) -> None:
        data = await loader()
        self.data = data
        self.update(ownership_text(data))
        self.set_class(bool(data.owners or data.suspects), "-shown")
