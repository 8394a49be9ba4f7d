"""Send events into a demo store with the real `sentry-sdk`, without global SDK state.

The SDK builds real envelopes (exception interfaces, breadcrumbs, tags, user, contexts); a custom
transport hands each serialized envelope to the demo's ingest, exactly what `POST /api/N/envelope/`
would receive. A client per call keeps tests independent of `sentry_sdk.init()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sentry_sdk
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport


class StoreTransport(Transport):
    """Delivers envelopes straight to `ingest.ingest_envelope` and keeps their bytes."""

    def __init__(self, store: Any, project_id: int, dsn: str):
        super().__init__({"dsn": dsn})
        self.store = store
        self.project_id = project_id
        self.envelopes: list[bytes] = []
        self.event_ids: list[str] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        from dexter_tui.demo.ingest import ingest_envelope

        body = envelope.serialize()
        self.envelopes.append(body)
        self.event_ids.extend(ingest_envelope(self.store, self.project_id, body))


class RecordingTransport(Transport):
    """Only keeps the serialized envelopes (to replay them with sentry-cli or over HTTP)."""

    def __init__(self, dsn: str):
        super().__init__({"dsn": dsn})
        self.envelopes: list[bytes] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope.serialize())


def dsn_for(keys: Any, host: str = "demo.test") -> str:
    """The DSN of a project (`ProjectKeys`) on `host`."""
    return f"http://{keys.public_key}@{host}/{keys.project_id}"


@contextmanager
def sdk_scope(transport: Transport, **options: Any) -> Iterator[sentry_sdk.Scope]:
    """An isolated SDK scope whose client sends through `transport`."""
    client = sentry_sdk.Client(
        dsn=transport.options["dsn"],  # type: ignore[index]
        transport=transport,
        default_integrations=False,
        auto_enabling_integrations=False,
        **options,
    )
    with sentry_sdk.isolation_scope() as scope:
        scope.set_client(client)
        try:
            yield scope
        finally:
            client.flush()


def capture_raised(fn: Callable[[], object]) -> None:
    """Run `fn`, which must raise, and capture the exception with the current scope."""
    try:
        fn()
    except Exception as exc:
        sentry_sdk.capture_exception(exc)
    else:  # pragma: no cover - a sample that stopped raising is a test bug
        raise AssertionError(f"{fn!r} did not raise")
