"""A `Footer` that rebuilds its keys only when the keys it shows change, on the screen shown.

Why: Textual's footer recomposes (removes and re-creates a widget per key, each styled anew) on
every bindings update, i.e. on every focus change, even on a screen covered by another one.
Opening an event moved the focus a few times before its first frames were drawn, and the list
below it lost its focus: four or five recomposes, ~20 ms of the UI thread each, for keys that
were either unchanged or not visible. A key that only turns on or off (e.g. the search's `tab`
when completion candidates come and go while a filter is typed) is restyled in place: no
recompose, no relayout of the screen.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class StableFooter(Footer):
    """The same keys as `Footer`; a bindings update that changes nothing shown is skipped."""

    _shown: tuple[Any, ...] | None = None
    #: recomposes done (a test counts them: a key turning on or off must not recompose)
    recomposes = 0

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
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                _settle_compact(widget, self.compact)
            yield widget

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
        keys = self._keys()
        if keys == self._shown:
            return
        if self._shown is not None and _without_states(keys) == _without_states(self._shown):
            self._restate()
            self._shown = keys
            return
        self.recomposes += 1
        await self.recompose()

    def _restate(self) -> None:
        """The same keys, some turned on or off: dim or undim them where they are."""
        enabled = {
            (binding.key, binding.action): on
            for (_node, binding, on, _tip) in self.screen.active_bindings.values()
        }
        for footer_key in self.query(FooterKey):
            on = enabled.get((footer_key.key, footer_key.action))
            if on is not None and on == footer_key.has_class("-disabled"):
                _SwitchedKey.switch(footer_key, on)


class _SwitchedKey(FooterKey):
    """Where a `FooterKey` keeps whether it is on: its `-disabled` class (drawn dim) and
    `_disabled` (a click rings the bell instead of pressing the key). Textual sets both only
    when the key is made; `switch` (called on any `FooterKey`) sets them in place."""

    def switch(self, on: bool) -> None:
        self._disabled = not on
        self.set_class(not on, "-disabled")


def _settle_compact(key: FooterKey, compact: bool) -> None:
    """Give a new key its compactness before it mounts. Textual's `FooterKey.compact` starts
    True and is bound to the footer's after mounting: each key was restyled twice more (its
    `-compact` class added, then removed), ~1 ms a key on every screen's first frame. The
    command-palette key is not bound; it keeps Textual's True."""
    value = True if key.has_class("-command-palette") else compact
    key.set_reactive(FooterKey.compact, value)
    key.set_class(value, "-compact", update=False)


def _without_states(keys: tuple[Any, ...]) -> tuple[Any, ...]:
    """The keys shown, without whether each is on (`StableFooter._keys`' fifth field)."""
    return tuple(key[:4] + key[5:] for key in keys)
