"""The comments & activity tab: the issue's timeline, newest first.

Your own comments are focusable for `e` (edit) and `D` (delete, confirmed); `c` (screen key)
writes a new one. Comment text is shown literally: Markdown and Rich markup are not rendered.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from dexter_tui.sentry.models import Activity
from dexter_tui.services.events import activity_label, actor_name, is_own
from dexter_tui.services.sanitize import Clipped, clip
from dexter_tui.tui.dialogs.full_text import FullTextScreen
from dexter_tui.tui.widgets.event_pane import EventPane
from dexter_tui.tui.widgets.event_text import shown, shown_str


def _when(activity: Activity) -> str:
    when = activity.date_created
    return when.strftime("%Y-%m-%d %H:%M") if when else ""


class ActivityItem(Static, can_focus=True):
    DEFAULT_CSS = """
    ActivityItem { height: auto; padding: 0 1; margin-bottom: 1; }
    ActivityItem.-note { border-left: thick $accent; }
    ActivityItem:focus { background: $boost; }
    """

    BINDINGS = [
        Binding("enter", "show_all", "Show all", show=False, id="event.comments.show_all"),
    ]

    def __init__(self, activity: Activity, mask: bool, own: bool) -> None:
        super().__init__(classes="-note" if activity.type == "note" else "")
        self.activity = activity
        self.mask = mask
        self.own = own

    def render(self) -> RenderableType:
        a = self.activity
        head = Text()
        head.append(_when(a), "dim")
        head.append("  ")
        head.append_text(shown(actor_name(a), self.mask, "bold"))
        head.append(" ")
        head.append_text(shown(activity_label(a), self.mask))
        if self.own:
            head.append("  (yours: e edit · D delete)", "dim italic")
        if a.type != "note":
            return head
        clipped = clip(a.text or "")  # O(TEXT_CAP) whatever the size: 5 MB must not freeze
        # One Text, not a Group: a Group of `end=""` texts was measured a row short, so the
        # comment's last line was cut off (issue 15, item 2).
        note = Text(no_wrap=False, end="")
        note.append_text(head)
        note.append("\n")
        note.append_text(shown(clipped.text, self.mask, multiline=True, no_wrap=False))
        if clipped.hidden:
            note.append("\n")
            note.append(self.note(clipped), "italic reverse")
        return note

    @staticmethod
    def note(clipped: Clipped) -> str:
        return f"{clipped.note} (enter)"

    def shown_text(self) -> str:
        """The comment's text as drawn (clipped, cleaned, masked), with its note if any."""
        clipped = clip(self.activity.text or "")
        text = shown_str(clipped.text, self.mask, multiline=True)
        return f"{text}\n{self.note(clipped)}" if clipped.hidden else text

    def action_show_all(self) -> None:
        if not clip(self.activity.text or "").hidden:
            return
        who = actor_name(self.activity)
        self.app.push_screen(
            FullTextScreen(f"Comment by {who}", self.activity.text or "", mask=self.mask)
        )


class CommentsPane(EventPane):
    what = "the comments and activity"
    source = "activity"

    DEFAULT_CSS = """
    CommentsPane .hint { padding: 0 1; color: $text-muted; height: 1; }
    """

    BINDINGS = [
        Binding("j,down", "move(1)", "Next", show=False, id="event.comments.next"),
        Binding("k,up", "move(-1)", "Previous", show=False, id="event.comments.previous"),
        Binding("e", "edit", "Edit comment", id="event.comments.edit"),
        Binding("D", "delete", "Delete comment", id="event.comments.delete"),
    ]

    class Edit(Message):
        def __init__(self, activity: Activity) -> None:
            super().__init__()
            self.activity = activity

    class Delete(Message):
        def __init__(self, activity: Activity) -> None:
            super().__init__()
            self.activity = activity

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(classes="pane-body", id="activity-body"):
            yield Static(classes="hint")

    def show(self, activities: list[Activity], *, mask: bool, me_id: str | None) -> None:
        body = self.query_one("#activity-body", VerticalScroll)
        body.remove_children()
        hint = Static(
            Text(f"{len(activities)} items · c comment · j/k move · e/D edit/delete yours"),
            classes="hint",
        )
        items = [ActivityItem(a, mask, is_own(a, me_id)) for a in activities]
        body.mount_all([hint, *items])

    @property
    def items(self) -> list[ActivityItem]:
        return list(self.query(ActivityItem))

    def _focused(self) -> ActivityItem | None:
        focused = self.screen.focused
        return focused if isinstance(focused, ActivityItem) else None

    def action_move(self, step: int) -> None:
        items = self.items
        if not items:
            return
        current = self._focused()
        index = items.index(current) if current in items else -1
        target = items[max(0, min(len(items) - 1, index + step))]
        target.focus()

    def _edit_target(self) -> ActivityItem | None:
        """The focused comment if it is yours, else your newest one (the list is newest first).

        After a post the list is rebuilt and nothing is focused: `e` must still edit what you
        just wrote, without a `j`/`k` first (issue 15, item 10).
        """
        focused = self._focused()
        if focused is not None and focused.own:
            return focused
        if focused is not None:
            return None  # someone else's comment is selected: editing another would surprise
        return next((item for item in self.items if item.own), None)

    def action_edit(self) -> None:
        item = self._edit_target()
        if item is None:
            message = (
                "Only your own comments can be edited (j/k selects one)"
                if self._focused() is not None
                else "You have no comment here to edit (c writes one)"
            )
            self.notify(message, severity="warning")
            return
        item.focus()
        self.post_message(self.Edit(item.activity))

    def action_delete(self) -> None:
        item = self._focused()
        if item is None or not item.own:
            self.notify("Focus one of your comments (j/k) to delete it", severity="warning")
            return
        self.post_message(self.Delete(item.activity))
