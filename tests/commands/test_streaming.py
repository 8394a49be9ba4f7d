"""`--all` prints each page as it arrives: one write (and flush) per page, never one big buffer."""

from __future__ import annotations

import io

import pytest

from dexter_tui.cli import main
from dexter_tui.demo.large import add_large


class PageRecorder(io.StringIO):
    """stdout that remembers what had been written at each flush."""

    def __init__(self) -> None:
        super().__init__()
        self.flushed: list[int] = []

    def flush(self) -> None:
        self.flushed.append(self.getvalue().count("\n"))


@pytest.fixture
def big_server(store, world, live_server, monkeypatch):
    add_large(store, world, 250)
    monkeypatch.setenv("SENTRY_URL", live_server.url)
    monkeypatch.setenv("SENTRY_AUTH_TOKEN", world.token)
    monkeypatch.setenv("SENTRY_ORG", world.org_slug)
    return live_server


@pytest.mark.parametrize("fmt", ["--json", "--csv"])
def test_all_is_written_page_by_page(big_server, monkeypatch, fmt) -> None:
    out = PageRecorder()
    monkeypatch.setattr("sys.stdout", out)
    assert main(["issues", "list", "--all", fmt, "--period", "30d"]) == 0
    lines = out.getvalue().count("\n")
    header = 1 if fmt == "--csv" else 0
    assert lines == 250 + header
    pages = [n for n in out.flushed if n]
    assert pages[:3] == [100 + header, 200 + header, 250 + header]
