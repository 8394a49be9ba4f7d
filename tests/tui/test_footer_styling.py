"""The footer's keys are styled once each when they mount.

Why: Textual's `FooterKey.compact` defaults to True, so each new key added the `-compact` class
when it mounted and removed it again when bound to the footer's False: two extra restyles per key
(with its two component classes), on every screen's first frame and every footer rebuild. On the
event screen that was ~12 ms of a 1 MB event's open."""

from __future__ import annotations

from collections import Counter

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets._footer import FooterKey

from dexter_tui.tui.screens.styled_once import StyledOnce
from dexter_tui.tui.widgets.stable_footer import StableFooter


class _Keyed(StyledOnce, Screen[None]):
    """As dexter's screens: styled as they mount (not again when first shown)."""

    BINDINGS = [Binding(k, f"app.notify('{k}')", f"Key {k}") for k in "abcdefgh"]

    def __init__(self, compact: bool) -> None:
        super().__init__()
        self.compact = compact

    def compose(self) -> ComposeResult:
        yield StableFooter(compact=self.compact)


class _Keys(App[None]):
    def __init__(self, *, compact: bool = False) -> None:
        super().__init__()
        self.compact = compact
        self.applied: Counter[int] = Counter()

    def on_mount(self) -> None:
        self.push_screen(_Keyed(self.compact))

    def on_load(self) -> None:
        apply = self.stylesheet.apply

        def counting(node, **kw) -> None:  # type: ignore[no-untyped-def]
            if isinstance(node, FooterKey):
                self.applied[id(node)] += 1
            apply(node, **kw)

        self.stylesheet.apply = counting  # type: ignore[method-assign]


async def test_each_footer_key_is_styled_once_as_it_mounts() -> None:
    app = _Keys()
    async with app.run_test(size=(120, 5)) as pilot:
        await pilot.pause()
        keys = list(app.screen.query(FooterKey))
        shown = [k.description for k in keys]
        assert [f"Key {k}" for k in "abcdefgh"] == [d for d in shown if d.startswith("Key")]
        assert all(app.applied[id(k)] == 1 for k in keys), [app.applied[id(k)] for k in keys]
        assert not any(k.has_class("-compact") for k in keys if k.description.startswith("Key"))


async def test_a_compact_footer_still_draws_compact_keys() -> None:
    app = _Keys(compact=True)
    async with app.run_test(size=(120, 5)) as pilot:
        await pilot.pause()
        keys = list(app.screen.query(FooterKey))
        assert keys
        assert all(k.has_class("-compact") for k in keys)
        app.screen.query_one(StableFooter).compact = False
        await pilot.pause()
        keys = list(app.screen.query(FooterKey).exclude(".-command-palette"))
        assert keys
        assert not any(k.has_class("-compact") for k in keys)
