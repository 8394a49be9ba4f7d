"""A stand-in for psycopg's cursor that answers with what a real PostgreSQL 15 answered.

The demo has no database server, but its deadlock events must be the services' own: their code
runs for real under sentry-sdk and calls `cursor.execute`. This cursor accepts the statements the
service sends before the fatal one, and for the statement that really deadlocked (the one recorded
in `demo/data/deadlocks/<case>.json`, a real sentry-sdk payload of a real deadlock) raises the
error psycopg raised there: same exception module and class (`psycopg.errors.DeadlockDetected`,
`psycopg2.errors.DeadlockDetected`), same SQLSTATE, same text, byte for byte.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

Params = tuple[Any, ...]


@dataclass(frozen=True)
class RecordedDeadlock:
    """What one sample recorded: the driver's error and the statement that got it."""

    sample: str  # file name under demo/data/deadlocks/
    module: str  # psycopg.errors | psycopg2.errors
    type_name: str  # DeadlockDetected
    message: str  # str(e): PostgreSQL's message, DETAIL, HINT, CONTEXT
    sql: str
    params: Params
    handled: bool  # how the sample's program reported it (mechanism.handled)

    @property
    def driver(self) -> str:
        return self.module.split(".", 1)[0]


@cache
def driver_error(module: str, name: str) -> type[Exception]:
    """The driver's exception class as sentry-sdk reports it (`module` + `type`)."""
    return type(name, (Exception,), {"__module__": module, "sqlstate": "40P01", "pgcode": "40P01"})


def _literal(text: Any) -> Any:
    """A frame variable as sentry-sdk serialized it (`'UPDATE …'`, `'10'`) back to its value."""
    if not isinstance(text, str):
        return text
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


@cache
def recorded(sample: str) -> RecordedDeadlock:
    """Read one sample: the innermost exception, and the `sql`/`params` of the frame that ran
    the statement."""
    raw = resources.files("dexter_tui.demo.data").joinpath("deadlocks", sample).read_text("utf-8")
    event = json.loads(raw)
    exc = event["exception"]["values"][-1]
    sql, params = "", ()
    for frame in (exc.get("stacktrace") or {}).get("frames") or []:
        found = (frame.get("vars") or {}).get("sql")
        if found:
            sql = _literal(found)
            params = tuple(_literal(p) for p in (frame["vars"].get("params") or ()))
    if not sql:
        raise ValueError(f"{sample}: no statement in the recorded frames")
    return RecordedDeadlock(
        sample=sample,
        module=exc["module"],
        type_name=exc["type"],
        message=exc["value"],
        sql=sql,
        params=params,
        handled=bool((exc.get("mechanism") or {}).get("handled", True)),
    )


class ReplayCursor:
    """`execute(sql, params)` like a DB-API cursor: the recorded statement raises the recorded
    deadlock; any other statement succeeds (its rows are not needed)."""

    def __init__(self, deadlock: RecordedDeadlock) -> None:
        self._deadlock = deadlock
        self.statements: list[tuple[str, Params]] = []

    def execute(self, sql: str, params: Params = ()) -> None:
        self.statements.append((sql, tuple(params)))
        deadlock = self._deadlock
        if sql == deadlock.sql and tuple(params) == deadlock.params:
            raise driver_error(deadlock.module, deadlock.type_name)(deadlock.message)

    def close(self) -> None:
        self.statements.clear()
