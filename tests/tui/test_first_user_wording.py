"""Small wordings a first user tripped on (issue 15 #14): each as a person reads it."""

from __future__ import annotations

from dexter_tui.services.poller import PollStatus
from dexter_tui.services.views import SavedView
from dexter_tui.tui.screens.analytics import change_text
from dexter_tui.tui.widgets.status_header import StatusHeader, Where


def test_a_huge_rise_reads_as_times_not_a_six_digit_percentage() -> None:
    assert change_text(3946, 2).plain == "▲ ×1,973"  # was "▲ +197200%"
    assert change_text(30, 20).plain == "▲ +50%"
    assert change_text(5, 0).plain == "▲ new"


def test_a_saved_view_says_last_seen_as_the_list_does() -> None:
    view = SavedView("prod", query="is:unresolved", sort="date", period="24h")
    assert view.summary() == "is:unresolved · sort last seen · 24h"  # was "sort date"


async def test_the_header_says_loading_not_updated_never_ago() -> None:
    where = Where(org="acme", projects=[], environments=[])
    header = StatusHeader(where, PollStatus(interval=30.0), lambda: 100.0)
    shown = header.render().plain
    assert "◌ loading" in shown
    assert "never" not in shown
    status = PollStatus(interval=30.0)
    status.succeeded(90.0)
    assert "updated 10s ago" in StatusHeader(where, status, lambda: 100.0).render().plain
