"""The action log: every bulk change sent to Sentry, its ids and the outcome per id.

Kept in memory for the `@` screen and appended as JSON lines to a file in the state dir, so what was
done during an incident is never lost — even when the TUI crashes or the SSH session drops.
Entries never hold credentials: only verbs, issue ids, outcomes and reasons — and URL credentials
(`user:pw@host`) a reason may quote are redacted. Lines are `sanitize.json_text`: lossless, yet
with no raw control or bidi character, so `cat actions.jsonl` cannot drive the terminal.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dexter_tui.services.sanitize import json_text, redact_credentials


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return redact_credentials(value)
    if isinstance(value, dict):
        return {k: _redacted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redacted(v) for v in value]
    return value


@dataclass(frozen=True)
class ActionEntry:
    """One bulk action as it was sent and how it went for each issue."""

    time: str  # ISO 8601, UTC
    verb: str  # e.g. "resolve", "ignore", "assign"
    ids: list[str]
    outcome: dict[str, str]  # issue id -> "ok" or the failure reason
    detail: dict[str, object] = field(
        default_factory=dict
    )  # what was sent, e.g. {"assignedTo": ..}
    org: str = ""
    #: issue id -> [short id, title] as they were when sent: a deleted, merged or ignored issue
    #: leaves the list, so the log keeps its name itself (older lines have none)
    names: dict[str, list[str]] = field(default_factory=dict)

    def label(self, issue_id: str) -> str:
        """`46 CHECKOUT-API-1 KeyError: 'sku'`: the id, then its short id and title when known."""
        return " ".join([issue_id, *(part for part in self.names.get(issue_id, []) if part)])

    @property
    def failed(self) -> dict[str, str]:
        return {i: r for i, r in self.outcome.items() if r != "ok"}

    @property
    def succeeded(self) -> list[str]:
        return [i for i, r in self.outcome.items() if r == "ok"]


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class ActionLog:
    """Append-only log of bulk actions: a list in memory and a JSON-lines file on disk."""

    def __init__(self, path: Path | None, *, clock: Callable[[], float] = time.time):
        self.path = path
        self.clock = clock
        self.entries: list[ActionEntry] = []

    def record(
        self,
        verb: str,
        outcome: Mapping[str, str],
        *,
        detail: Mapping[str, object] | None = None,
        org: str = "",
        names: Mapping[str, tuple[str, str]] | None = None,
    ) -> ActionEntry:
        entry = ActionEntry(
            time=iso(self.clock()),
            verb=verb,
            ids=list(outcome),
            outcome={i: redact_credentials(r) for i, r in outcome.items()},
            detail=_redacted(dict(detail or {})),
            org=org,
            names={
                i: [redact_credentials(short_id), redact_credentials(title)]
                for i, (short_id, title) in (names or {}).items()
                if i in outcome
            },
        )
        self.entries.append(entry)
        if self.path is not None:
            self._append(entry)
        return entry

    def _append(self, entry: ActionEntry) -> None:
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json_text(asdict(entry)) + "\n"
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as f:
            f.write(line)

    def load(self) -> list[ActionEntry]:
        """Read back every entry from the file (skipping lines a crash may have cut short)."""
        if self.path is None or not self.path.exists():
            return []
        entries = []
        for line in self.path.read_text("utf-8").splitlines():
            try:
                raw = json.loads(line)
                entries.append(ActionEntry(**raw))
            except (ValueError, TypeError):
                continue
        return entries
