"""`dexter demo`'s side of the demo server process (`dexter_tui/demo/process.py`).

The child is spawned first thing, so it loads and re-dates the demo data while this process
imports the TUI; `wait_ready` is called only when the TUI needs the URL. While the first seed
runs, the child's progress lines are shown as they come (a reader thread), and its stderr is
kept (the last lines) so a failure can be told without garbling the TUI's screen.
"""

from __future__ import annotations

import collections
import contextlib
import json
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dexter_tui.config import ConfigError


@dataclass
class DemoServerInfo:
    url: str
    token: str
    org: str
    issues: int
    events: int
    cached: bool
    path: str
    seconds: float


class DemoProcess:
    """The child demo server: started at once, read by threads, stopped by closing its stdin."""

    def __init__(self, data_dir: Path, extra: list[str], progress=None) -> None:
        self.proc = subprocess.Popen(  # noqa: S603 - our own module, no shell
            [sys.executable, "-m", "dexter_tui.demo.process", str(data_dir), *extra],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        self._progress = progress
        self._ready = threading.Event()
        self._info: dict[str, Any] | None = None
        self._error: str | None = None
        self._stderr: collections.deque[str] = collections.deque(maxlen=20)
        threading.Thread(target=self._read_stdout, name="demo-stdout", daemon=True).start()
        threading.Thread(target=self._read_stderr, name="demo-stderr", daemon=True).start()

    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            try:
                message = json.loads(raw)
            except ValueError:
                continue
            if "progress" in message and self._progress is not None:
                self._progress(str(message["progress"]))
            elif "ready" in message:
                self._info = message["ready"]
                self._ready.set()
            elif "error" in message:
                self._error = str(message["error"])
        self._ready.set()  # the child ended: whoever waits learns it now

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            self._stderr.append(raw.decode("utf-8", "replace").rstrip())

    def wait_ready(self) -> DemoServerInfo:
        """The server's address and the data it holds, once it accepts connections."""
        self._ready.wait()
        if self._info is None:
            self.proc.wait()
            detail = self._error or "\n".join(self._stderr) or f"exit status {self.proc.returncode}"
            raise ConfigError(f"the demo server did not start: {detail}")
        i = self._info
        return DemoServerInfo(
            url=i["url"],
            token=i["token"],
            org=i["org"],
            issues=int(i["issues"]),
            events=int(i["events"]),
            cached=bool(i["cached"]),
            path=str(i["path"]),
            seconds=float(i["seconds"]),
        )

    def stop(self, timeout: float = 10.0) -> None:
        """Close the child's stdin (it stops serving) and wait; terminate it if it lingers."""
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError):
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            self.proc.wait(timeout=timeout)
