"""Workers that freeze the collector's objects (`memory.settle`) let go of themselves at the end.

Why: Textual sets its running worker in the worker task's context (`active_worker`), so the
worker, its asyncio task and that context refer to one another: a cycle, freed by the garbage
collector once the worker is done. A page of issues is settled inside the worker that loaded
it, and `gc.freeze()` there froze that cycle too, never to be collected: ~2.3 KB a page, 2.3 MiB
over a full load of 100k issues, scattered over the heap between the issues. With the worker
dropped from the context as the worker's last step, nothing is cyclic any more: reference
counting frees the worker and its task when Textual lets them go, frozen or not.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

from textual.worker import active_worker

P = ParamSpec("P")
R = TypeVar("R")


def forget_worker() -> None:
    """Drop the running worker from the current context (its task's own)."""
    active_worker.set(None)  # type: ignore[arg-type]


def releases_worker(
    method: Callable[P, Coroutine[Any, Any, R]],
) -> Callable[P, Coroutine[Any, Any, R]]:
    """Put under `@work`: the worker drops itself from its context when the method returns or
    raises (see the module's docstring)."""

    @functools.wraps(method)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await method(*args, **kwargs)
        finally:
            forget_worker()

    return run
