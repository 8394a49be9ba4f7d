"""The default TLS context, built in a thread while the TUI imports (issue 19).

Why: httpx builds its context (certifi's CA bundle, or `SSL_CERT_FILE`/`SSL_CERT_DIR`) when the
client is made, ~45 ms of the start spent parsing certificates. OpenSSL does that without
holding the GIL, so a thread started before the heavy imports has it ready by the time the
client is built. The context is exactly httpx's own (`httpx.create_ssl_context()`), so
verification does not change; without `prepare()` (tests, scripts) httpx builds it as usual.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import ssl

_pending: Future[ssl.SSLContext] | None = None


def _build() -> ssl.SSLContext:
    import httpx

    return httpx.create_ssl_context()


def prepare() -> None:
    """Start building the default context in the background (once; later calls do nothing)."""
    global _pending
    if _pending is not None:
        return
    future: Future[ssl.SSLContext] = Future()

    def build() -> None:
        try:
            future.set_result(_build())
        except BaseException as error:  # handed to whoever takes the context
            future.set_exception(error)

    _pending = future
    threading.Thread(target=build, name="dexter-tls", daemon=True).start()


def default_verify() -> ssl.SSLContext | bool:
    """httpx's `verify=` for the default trust store: the prepared context (taken once, waiting
    for it if still being built), else `True` so httpx builds it itself — also when building it
    in the background failed, so httpx reports the problem in its own words."""
    global _pending
    future, _pending = _pending, None
    if future is None:
        return True
    try:
        return future.result()
    except Exception:
        return True
