"""Build the real app (through the CLI's factory) against the seeded demo over loopback HTTP."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from dexter_tui.config import Secret, Settings
from dexter_tui.tui.app import DexterApp
from dexter_tui.tui.factory import build_app, build_context
from dexter_tui.tui.pilot_helpers import settle  # noqa: F401 - re-exported for tests
from tests.conftest import SEED_NOW

AppMaker = Callable[..., DexterApp]


@pytest.fixture
def make_app(seeded_server, seeded_world, tmp_path: Path) -> AppMaker:
    """`make_app(read_only=False, confirm="bulk", **settings)` → a DexterApp on the seeded demo."""

    def make(**overrides: object) -> DexterApp:
        settings = Settings(
            url=seeded_server.url,
            token=Secret(seeded_world.token),
            org=seeded_world.org_slug,
            poll_interval=3600.0,  # tests trigger polls themselves
            max_concurrency=4,
        )
        for key, value in overrides.items():
            setattr(settings, key, value)
        ctx = build_context(
            settings,
            clock=lambda: SEED_NOW,
            action_log_path=tmp_path / "actions.jsonl",
        )
        ctx.show_rate = False
        return build_app(ctx)

    return make
