"""The same toast raised while it is still up replaces it, counted: `… (×3)`, not a stack.

Why: a key pressed again in read-only or offline mode, or a failure repeating every poll, raised
one identical toast per time; they stacked up the screen's right side over the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual.notifications import Notification


class ToastRepeats:
    """Remembers the base message and count of each counted toast (by its identity)."""

    def __init__(self) -> None:
        self._counted: dict[str, tuple[str, int]] = {}

    def fold(
        self,
        new: Notification,
        shown: Iterable[Notification],
        remove: Callable[[Notification], None],
    ) -> None:
        """Before `new` is shown: a live toast with the same title, severity and message is
        removed (through `remove`) and `new` carries the count instead."""
        live = [n for n in shown if not n.has_expired]
        self._counted = {k: v for k, v in self._counted.items() if k in {n.identity for n in live}}
        for old in live:
            if (old.title, old.severity) != (new.title, new.severity):
                continue
            base, count = self._counted.get(old.identity, (old.message, 1))
            if base != new.message:
                continue
            remove(old)
            self._counted.pop(old.identity, None)
            new.message = f"{base} (×{count + 1})"
            self._counted[new.identity] = (base, count + 1)
            return
