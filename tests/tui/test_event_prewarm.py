"""The event detail's warm-up (run while the list is idle) leaves what the first open would
build ready: the event screen imported and the `Event` validator built."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import sys
from dexter_tui.sentry.models import Event
assert not Event.__pydantic_complete__  # built on first use (defer_build)
assert "dexter_tui.tui.screens.event_detail" not in sys.modules
from dexter_tui.tui.event_prewarm import _warm
_warm()
assert Event.__pydantic_complete__
assert "dexter_tui.tui.screens.event_detail" in sys.modules
print("warm")
"""


def test_the_warm_up_builds_what_the_first_open_needs() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "warm"
