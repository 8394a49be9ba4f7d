"""Typing the `/` filter over the issue list, as a person sees it: every frame that shows the
typed text shows the rows for that text (the rows are filtered in the same step as the key,
not one frame later), the rows and the match count on screen are exactly what a full scan of the
loaded issues finds, backspace widens again, and the cursor stays on its issue while it still
matches."""

from __future__ import annotations

from dexter_tui.tui.issue_rows import matches_text
from dexter_tui.tui.screens.issues import IssuesScreen
from dexter_tui.tui.widgets.table_model import TextFilter
from tests.tui.conftest import settle
from tests.tui.screen_text import screen_text

SIZE = (120, 36)


def _screen(app) -> IssuesScreen:
    screen = app.screen
    assert isinstance(screen, IssuesScreen)
    return screen


def _expected(screen: IssuesScreen, needle: str) -> list[str]:
    """The loaded issues the filter must show for `needle`, in list order (a full scan)."""
    return [i.id for i in screen.feed.ordered() if matches_text(i, needle)]


def _short_ids(screen: IssuesScreen, keys: list[str]) -> list[str]:
    return [screen.feed.issues[k].short_id for k in keys]


async def test_typed_fast_the_screen_shows_exactly_the_matches_and_their_count(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _screen(app)
        loaded = len(screen.feed.order)
        await pilot.press("slash", *"dead", "space", *"lock")  # no pause between keys
        await settle(pilot)
        expected = _expected(screen, "dead lock")
        assert 0 < len(expected) < loaded
        assert screen.table.visible_keys() == expected
        text = screen_text(app)
        assert f"Issues {len(expected)} of {loaded} match" in text
        for short_id in _short_ids(screen, expected):
            assert short_id in text
        others = [i.short_id for i in screen.feed.ordered() if i.id not in expected]
        assert not any(short_id in text for short_id in others)


async def test_each_frame_showing_the_typed_text_shows_its_rows(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _screen(app)
        query = screen.query_one("#query")
        drawn: list[tuple[str, tuple[str, ...]]] = []  # (the input's text, the rows' filter)
        refresh = screen._compositor_refresh

        def compositor_refresh() -> None:
            active = screen.table.row_filter
            words = active.words if isinstance(active, TextFilter) else ()
            drawn.append((query.value, words))
            refresh()

        screen._compositor_refresh = compositor_refresh  # type: ignore[method-assign]
        await pilot.press("slash")
        await settle(pilot)
        drawn.clear()
        for key in [*"deadl", "backspace", "backspace", *"x"]:
            await pilot.press(key)
        await settle(pilot)
        typed = {text.split()[-1] for text, _ in drawn}  # after the query's `key:value` terms
        assert typed >= {"d", "de", "dea", "dead", "deadl", "deax"}
        for text, words in drawn:  # never a frame with the new text over the old rows
            assert words == tuple(w for w in text.split() if ":" not in w), (text, words)


async def test_backspace_widens_and_an_emptied_filter_shows_every_row(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _screen(app)
        everything = screen.table.visible_keys()
        await pilot.press("slash", *"deadlockx")
        await settle(pilot)
        assert screen.table.visible_keys() == []
        assert "no rows match the filter" in screen_text(app)
        await pilot.press("backspace")
        await settle(pilot)
        deadlock = _expected(screen, "deadlock")
        assert screen.table.visible_keys() == deadlock
        await pilot.press(*["backspace"] * 4)  # "dead"
        await settle(pilot)
        dead = _expected(screen, "dead")
        assert screen.table.visible_keys() == dead
        assert set(deadlock) <= set(dead)
        await pilot.press(*["backspace"] * 4)
        await settle(pilot)
        assert screen.table.visible_keys() == everything
        text = screen_text(app)
        assert f"Issues {len(everything)}" in text
        assert "match" not in text.splitlines()[1]


async def test_the_cursor_stays_on_its_issue_while_it_matches(make_app) -> None:
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _screen(app)
        table = screen.table
        matching = _expected(screen, "dead")
        keys = table.visible_keys()
        target = matching[-1]  # the last matching issue: rows above it drop out as we type
        table.move_cursor(keys.index(target))
        await settle(pilot)
        await pilot.press("slash", *"dead")
        await settle(pilot)
        assert table.cursor_key == target
        short_id = screen.feed.issues[target].short_id
        cursor_line = next(line for line in screen_text(app).splitlines() if short_id in line)
        assert cursor_line.lstrip().startswith("▌")
        await pilot.press(*"x")  # nothing matches "deadx": no cursor
        await settle(pilot)
        assert table.cursor_key is None
        await pilot.press("backspace")  # "dead" again: a row under the cursor, one that matches
        await settle(pilot)
        assert table.cursor_key in matching


async def test_typing_holds_the_collector_off_until_the_typing_pauses(
    make_app, monkeypatch
) -> None:
    """No collector pass lands in a key's frame: `/` and the typed keys hold it off, a pause
    gives it back (collected then), and so does leaving the app in the middle of typing."""
    import gc

    from dexter_tui.tui import collector_hold

    monkeypatch.setattr(collector_hold, "PAUSE", 60.0)  # a pause of a minute: none while typing
    assert gc.isenabled()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash")  # from the field's focus on: its first key is covered too
        assert collector_hold.held()
        await pilot.press(*"dead")
        assert not gc.isenabled()
        assert collector_hold.held()
        monkeypatch.setattr(collector_hold, "PAUSE", 0.05)
        await pilot.press("l")
        await pilot.pause(0.5)  # the typing paused
        assert gc.isenabled()
        assert not collector_hold.held()
        monkeypatch.setattr(collector_hold, "PAUSE", 60.0)
        await pilot.press(*"ock")
        assert not gc.isenabled()
    assert gc.isenabled()  # the app went away with the hold on: given back
    assert not collector_hold.held()


async def test_completion_coming_and_going_redraws_no_footer(make_app) -> None:
    """The search's `tab` key stays in the footer while a filter is typed, dimmed when there is
    nothing to complete: candidates coming and going restyle that key in place (the footer is not
    rebuilt, the screen is not laid out again for it)."""
    from textual.widgets._footer import FooterKey

    from dexter_tui.tui.widgets.search_input import SearchInput
    from dexter_tui.tui.widgets.stable_footer import StableFooter

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _screen(app)
        await pilot.press("slash")
        await settle(pilot)
        footer = screen.query_one(StableFooter)
        keys = list(screen.query(FooterKey))
        recomposes = footer.recomposes
        search = screen.query_one("#query", SearchInput)
        seen = set()
        for key in [*"is", "colon", *"unres", "space", *"dead", "backspace", "space"]:
            await pilot.press(key)
            await settle(pilot)
            complete = next(k for k in screen.query(FooterKey) if k.description == "Complete")
            assert complete.has_class("-disabled") == (not search.candidates), search.value
            seen.add(bool(search.candidates))
        assert seen == {True, False}  # candidates came and went
        assert list(screen.query(FooterKey)) == keys  # the same widgets: never rebuilt
        assert footer.recomposes == recomposes
