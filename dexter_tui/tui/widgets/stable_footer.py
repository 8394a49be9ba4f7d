"""A `Footer` that rebuilds its keys only when the keys it shows change, on the screen shown.

Why: Textual's footer recomposes (removes and re-creates a widget per key, each styled anew) on
every bindings update, i.e. on every focus change, even on a screen covered by another one.
Opening an event moved the focus a few times before its first frames were drawn, and the list
below it lost its focus: four or five recomposes, ~20 ms of the UI thread each, for keys that
were either unchanged or not visible.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


class StableFooter(Footer):
    """The same keys as `Footer`; a bindings update that changes nothing shown is skipped."""

    _shown: tuple[Any, ...] | None = None

    def _keys(self) -> tuple[Any, ...]:
        """What the footer draws: each shown binding's key, label, action, state and tooltip."""
        return tuple(
            (binding.key, binding.key_display, binding.description, binding.action, on, tip)
            for (_node, binding, on, tip) in self.screen.active_bindings.values()
            if binding.show
        )

    def compose(self) -> ComposeResult:
        # the screen's own keys are known when the footer mounts: drawn in the first layout
        # (Textual's footer waits for the first bindings update and recomposes then)
        self._bindings_ready = True
        self._shown = self._keys()
        yield from super().compose()

    def bindings_changed(self, screen: Screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self._recompose_if_changed)

    async def _recompose_if_changed(self) -> None:
        if not self.is_attached:
            return
        top = self.app.screen
        if top is not self.screen and top.styles.background.a == 1:
            return  # covered by an opaque screen: redrawn when its focus comes back
        if self._keys() == self._shown:
            return
        await self.recompose()
