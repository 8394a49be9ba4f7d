"""Make the README's screenshots from the real app on the seeded demo data.

    python screenshots/generate.py            # every scene
    python screenshots/generate.py list help  # only these

Each scene starts the demo server (seeded by the real sentry-sdk, frozen clock), builds the app
through the same factory as `dexter demo`, drives it with keys and saves an SVG here.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from textual.pilot import Pilot

from dexter_tui.config import Secret, Settings
from dexter_tui.demo.runner import BackgroundServer
from dexter_tui.demo.seed import seed
from dexter_tui.demo.server import create_app
from dexter_tui.demo.store import Store
from dexter_tui.demo.world import create_world
from dexter_tui.tui.factory import build_app, build_context
from dexter_tui.tui.pilot_helpers import settle

HERE = Path(__file__).resolve().parent
NOW = 1_795_000_000.0  # the same frozen "now" as the tests

Step = Callable[[Pilot], Awaitable[None]]


@dataclass
class Scene:
    name: str
    keys: tuple[str, ...] = ()
    size: tuple[int, int] = (120, 36)
    settings: dict[str, object] = field(default_factory=dict)
    before: Step | None = None


async def _alerts(pilot: Pilot) -> None:
    pilot.app.run_command("alerts")  # type: ignore[attr-defined]
    await settle(pilot)


async def _saved_views(pilot: Pilot) -> None:
    """Two saved views and the picker; the views file goes to a temporary config dir."""
    import os

    old = os.environ.get("XDG_CONFIG_HOME")
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["XDG_CONFIG_HOME"] = tmp
        try:
            for command in ("env production", "save prod errors", "period 24h", "save last day"):
                pilot.app.run_command(command)  # type: ignore[attr-defined]
                await settle(pilot)
            pilot.app.run_command("views")  # type: ignore[attr-defined]
            await settle(pilot)
        finally:
            if old is None:
                os.environ.pop("XDG_CONFIG_HOME", None)
            else:
                os.environ["XDG_CONFIG_HOME"] = old
    pilot.app.clear_notifications()


async def _open_first_issue(pilot: Pilot) -> None:
    await pilot.press("enter")
    await settle(pilot)


async def _tag_search(pilot: Pilot) -> None:
    """List → issue → its tags tab → a tag value as a search: three steps of history."""
    await _open_first_issue(pilot)
    for key in ("right_square_bracket", "right_square_bracket", "enter"):
        await pilot.press(key)
        await settle(pilot)


async def _completion(pilot: Pilot) -> None:
    """`/` then a key being typed: the candidates drop down under the query."""
    await pilot.press("slash", *"level:")
    await settle(pilot)


SCENES = [
    Scene("issue-list"),
    Scene("issue-list-80x24", size=(80, 24)),
    Scene("issue-list-marked-preview", keys=("space", "space", "j", "space", "p")),
    Scene("confirm-bulk-resolve", keys=("space", "space", "space", "x")),
    Scene("ignore-menu", keys=("i",)),
    Scene("assign-picker", keys=("a",)),
    Scene("help", keys=("question_mark",)),
    Scene("action-log", keys=("b", "space", "space", "x", "y", "at"), settings={"confirm": "bulk"}),
    Scene("event-detail", before=_open_first_issue),
    Scene("event-detail-breadcrumbs", keys=("]",), before=_open_first_issue),
    Scene("analytics", keys=("2",), settings={"default_period": "24h"}),
    Scene("analytics-80x24", keys=("2",), size=(80, 24), settings={"default_period": "24h"}),
    Scene("releases", keys=("4",)),
    Scene("release-detail", keys=("4", "j", "j", "j", "j", "j", "j", "enter")),
    Scene("deadlocks", keys=("3",)),
    Scene("deadlock-report", keys=("3", "enter")),
    Scene("discover", keys=("5",)),
    Scene("alerts", before=_alerts),
    Scene("saved-views", before=_saved_views),
    Scene("history-breadcrumb", before=_tag_search),
    Scene("search-completion", before=_completion),
    Scene("priority-picker", keys=("space", "space", "P")),
    Scene("similar-issues", keys=("equals_sign",)),
    Scene("handoff", keys=("H",), before=_open_first_issue),
]

#: one fixed loopback port, so the URLs in the pictures do not change from run to run
PORT = 38421


async def shoot(scene: Scene, url: str, token: str, out: Path) -> None:
    settings = Settings(url=url, token=Secret(token), org="acme", poll_interval=3600.0)
    for key, value in scene.settings.items():
        setattr(settings, key, value)
    with tempfile.TemporaryDirectory() as tmp:
        ctx = build_context(settings, clock=lambda: NOW, action_log_path=Path(tmp) / "log")
        ctx.show_rate = False
        app = build_app(ctx)
        async with app.run_test(size=scene.size) as pilot:
            await settle(pilot)
            if scene.before is not None:
                await scene.before(pilot)
            for key in scene.keys:
                await pilot.press(key)
                await settle(pilot)
            app.save_screenshot(filename=out.name, path=str(out.parent))


#: terminal output of `dexter deadlock parse`: (name, argv, width)
CLI_SCENES = [
    (
        "deadlock-cli-report",
        ["tests/fixtures/deadlocks/D17_fk_insert_vs_parent_key_update/server_log.txt"],
        100,
    ),
    ("deadlock-log-summary", ["--all", "benchmarks:deadlock-log"], 120),
]


def shoot_cli(name: str, argv: list[str], width: int, out: Path) -> None:
    """Run the CLI in-process and save its output as an SVG (the text shown literally)."""
    import contextlib
    import io

    from rich.console import Console
    from rich.text import Text

    from dexter_tui.cli import main as cli_main

    repo = HERE.parent
    args = list(argv)
    if "benchmarks:deadlock-log" in args:  # a day of a busy log: the benchmark's generator
        sys.path.insert(0, str(repo / "benchmarks"))
        from deadlock_log_all import build_log

        log = Path(tempfile.mkdtemp()) / "postgresql.log"
        log.write_text(build_log(40, 0.2), "utf-8")
        args[args.index("benchmarks:deadlock-log")] = str(log)
    else:
        args = [str(repo / a) if a.startswith("tests/") else a for a in args]
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        cli_main(["deadlock", "parse", *args])
    shown = " ".join(["dexter", "deadlock", "parse", *argv]).replace(
        "benchmarks:deadlock-log", "postgresql.log"
    )
    console = Console(record=True, width=width, file=io.StringIO(), color_system="truecolor")
    console.print(Text("$ " + shown, style="bold"))
    console.print(Text(buf.getvalue().rstrip("\n")))
    out.write_text(console.export_svg(title=shown), "utf-8")


def main(names: list[str]) -> int:
    for name, argv, width in CLI_SCENES:
        if not names or name in names:
            out = HERE / f"{name}.svg"
            shoot_cli(name, argv, width, out)
            print(f"wrote {out.relative_to(HERE.parent)}")
    chosen = [s for s in SCENES if not names or s.name in names]
    if names and not chosen:
        return 0
    template = Store(":memory:", clock=lambda: NOW)
    world = create_world(template)
    seed(template, world, now=NOW, random_seed=0)
    for scene in chosen:
        store = Store(":memory:", clock=lambda: NOW)  # a fresh copy: scenes change data
        template.conn.backup(store.conn)
        with BackgroundServer(create_app(store), port=PORT) as server:
            out = HERE / f"{scene.name}.svg"
            asyncio.run(shoot(scene, server.url, world.token, out))
            print(f"wrote {out.relative_to(HERE.parent)}")
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
