"""Run sample-service code under the real sentry-sdk and collect what it sends.

Every capture uses its own `sentry_sdk.Client` (per service, release, environment and host, as a
real deployment would) inside a fresh isolation scope, so the process-wide SDK state of whoever
runs the seed is left as it was. The client's transport does not open a socket: it serializes the
envelope exactly as the HTTP transport would and hands the bytes to a sink (by default the demo
server's own ingest, in-process).
"""

from __future__ import annotations

import logging
import random
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sentry_sdk
from sentry_sdk.envelope import Envelope
from sentry_sdk.integrations.logging import LoggingIntegration
from sentry_sdk.transport import Transport
from sentry_sdk.utils import event_from_exception

from dexter_tui.demo.scenario import Fault, Service
from dexter_tui.demo.scenario._support import EPHEMERAL_PORTS

Sink = Callable[[bytes], None]


class InProcessTransport(Transport):
    """A sentry-sdk transport that delivers serialized envelopes to a function, not a socket."""

    def __init__(self, options: dict[str, Any] | None = None, *, sink: Sink):
        super().__init__(options)
        self._sink = sink

    def capture_envelope(self, envelope: Envelope) -> None:
        self._sink(envelope.serialize())


def ingest_sink(store: Any, project_id: int) -> Sink:
    """A sink that ingests each envelope into the demo store, like a POST to /envelope/ would."""
    from dexter_tui.demo.ingest import ingest_envelope

    def sink(body: bytes) -> None:
        ingest_envelope(store, project_id, body)

    return sink


def iso(ts: float) -> str:
    """Epoch seconds as the SDK's ISO 8601 UTC timestamp."""
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_of(body: bytes) -> dict[str, Any]:
    """The event item of a serialized envelope."""
    event = Envelope.deserialize(body).get_event()
    if event is None:
        raise ValueError("the envelope holds no event")
    return dict(event)


@dataclass
class Occurrence:
    """What one captured event should look like beyond what the code itself produced."""

    timestamp: float
    event_id: str
    environment: str
    release: str
    server_name: str
    user: Mapping[str, str] | None = None
    tags: Mapping[str, str] = field(default_factory=dict)
    request: Mapping[str, Any] | None = None
    breadcrumbs: tuple[Mapping[str, Any], ...] = ()  # each with "ago": seconds before the event
    contexts: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def shift_event_time(event: dict[str, Any], timestamp: float) -> None:
    """Move an event (and its breadcrumbs, keeping their spacing) to `timestamp`."""
    original = event.get("timestamp")
    delta = 0.0
    if isinstance(original, str):
        delta = timestamp - datetime.fromisoformat(original.replace("Z", "+00:00")).timestamp()
    elif isinstance(original, int | float):
        delta = timestamp - float(original)
    event["timestamp"] = iso(timestamp)
    crumbs = event.get("breadcrumbs")
    values = crumbs.get("values") if isinstance(crumbs, dict) else None
    for crumb in values or ():
        ts = crumb.get("timestamp")
        if isinstance(ts, str):
            when = datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp() + delta
            crumb["timestamp"] = iso(min(when, timestamp))
        elif isinstance(ts, int | float):
            crumb["timestamp"] = iso(min(float(ts) + delta, timestamp))


_ADDRESS = re.compile(r"0x[0-9a-f]{6,}")
_OBJECT_ID = re.compile(r"[0-9]{9,}")
_THREAD_IDENT = re.compile(r"(started (?:daemon )?)([0-9]{6,})")


def stabilize(event: dict[str, Any], ports: list[int]) -> None:
    """Make what depends on the process (object addresses, `id()` keys, OS-chosen ports) in
    stack traces repeatable: the same seed then gives byte-identical payloads."""
    addresses: dict[str, str] = {}
    port_names = {str(p): str(40001 + i) for i, p in enumerate(dict.fromkeys(ports))}
    port_re = re.compile(r"\b(" + "|".join(port_names) + r")\b") if port_names else None

    def text(value: str) -> str:
        value = _ADDRESS.sub(
            lambda m: addresses.setdefault(m.group(0), f"0x7f00{len(addresses) + 1:08x}"), value
        )
        value = _THREAD_IDENT.sub(lambda m: f"{m.group(1)}1400000000{len(m.group(2)) % 10}", value)
        if port_re is not None:
            value = port_re.sub(lambda m: port_names[m.group(0)], value)
        return value

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return text(value)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            out = {}
            for n, (k, v) in enumerate(value.items()):
                key = f"<object {n + 1}>" if _OBJECT_ID.fullmatch(str(k)) else k
                out[key] = walk(v)
            return out
        return value

    for key in ("exception", "threads"):
        if key in event:
            event[key] = walk(event[key])
    for key, value in list(event.items()):
        event[key] = _deploy_paths(value)


def _path_roots() -> list[tuple[str, str]]:
    """Where this checkout and this Python live → where a deployed service would live."""
    project = str(Path(__file__).resolve().parents[3])
    roots = {project: "/srv/dexter-demo"}
    for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix}:
        roots.setdefault(str(Path(prefix).resolve()), "/usr/local")
        roots.setdefault(prefix, "/usr/local")
    return sorted(roots.items(), key=lambda kv: -len(kv[0]))  # longest first


_ROOTS = _path_roots()


def _deploy_paths(value: Any) -> Any:
    """File paths in frames depend on where the repo and Python are installed; the demo data
    must not (snapshots and byte-identical seeds across machines)."""
    if isinstance(value, str):
        for root, replacement in _ROOTS:
            if root in value:
                value = value.replace(root, replacement)
        return value
    if isinstance(value, list):
        return [_deploy_paths(v) for v in value]
    if isinstance(value, dict):
        return {k: _deploy_paths(v) for k, v in value.items()}
    return value


class ServiceRecorder:
    """Captures faults of one service through the real SDK, one isolated client per deployment."""

    def __init__(self, service: Service, dsn: str, sink: Sink):
        self.service = service
        self.dsn = dsn
        self._sink = sink
        self._clients: dict[tuple[str, str, str], sentry_sdk.Client] = {}
        self._pending: Occurrence | None = None
        self._app_modules = sorted(
            {f.run.__module__ for f in service.faults} | {"dexter_tui.demo.scenario._support"}
        )

    def _before_send(self, event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any] | None:
        occurrence = self._pending
        if occurrence is not None:
            event["event_id"] = occurrence.event_id
            shift_event_time(event, occurrence.timestamp)
            # exact breadcrumb times, not wall-clock jitter: the planned ones, then what the
            # code logged on its way to the failure, just before the event
            crumbs = (event.get("breadcrumbs") or {}).get("values") or []
            planned = [float(c.get("ago", 0)) for c in occurrence.breadcrumbs]
            for i, crumb in enumerate(crumbs):
                ago = planned[i] if i < len(planned) else 0.01 * (len(crumbs) - i)
                crumb["timestamp"] = iso(occurrence.timestamp - ago)
            stabilize(event, list(EPHEMERAL_PORTS))
        return event

    def _client(self, occurrence: Occurrence) -> sentry_sdk.Client:
        key = (occurrence.release, occurrence.environment, occurrence.server_name)
        client = self._clients.get(key)
        if client is None:
            client = sentry_sdk.Client(
                dsn=self.dsn,
                transport=InProcessTransport({"dsn": self.dsn}, sink=self._sink),
                release=occurrence.release,
                environment=occurrence.environment,
                server_name=occurrence.server_name,
                default_integrations=False,
                auto_enabling_integrations=False,
                integrations=[LoggingIntegration(level=logging.INFO, event_level=logging.ERROR)],
                attach_stacktrace=self.service.attach_stacktrace,
                include_local_variables=True,
                send_client_reports=False,
                max_breadcrumbs=50,
                before_send=self._before_send,
                # the service's own code is the app; the capture driver and the seed are not
                in_app_include=self._app_modules,
                in_app_exclude=["dexter_tui.demo"],
            )
            self._clients[key] = client
        return client

    def capture(self, fault: Fault, occurrence: Occurrence, rng: random.Random) -> None:
        """Run `fault` once on a worker thread and report it as the service's framework would.

        A thread of its own (as in the real service) keeps stacks (`attach_stacktrace`) to the
        service's frames instead of the seed's, and starts with an empty SDK context.
        """
        failure: list[BaseException] = []
        EPHEMERAL_PORTS.clear()

        def work() -> None:
            try:
                self._capture(fault, occurrence, rng)
            except BaseException as exc:  # re-raised in the caller
                failure.append(exc)

        worker = threading.Thread(target=work, name=f"{self.service.project}-worker")
        worker.start()
        worker.join()
        if failure:
            raise failure[0]

    def _capture(self, fault: Fault, occurrence: Occurrence, rng: random.Random) -> None:
        client = self._client(occurrence)
        with self._scope(client, fault, occurrence) as scope:
            self._pending = occurrence
            try:
                fault.run(rng)
            except Exception as exc:
                event, hint = event_from_exception(
                    exc,
                    client_options=client.options,
                    mechanism={"type": self.service.mechanism, "handled": fault.handled},
                )
                scope.capture_event(event, hint=hint)
            finally:
                self._pending = None

    @contextmanager
    def _scope(
        self, client: sentry_sdk.Client, fault: Fault, occurrence: Occurrence
    ) -> Iterator[sentry_sdk.Scope]:
        with sentry_sdk.isolation_scope() as isolation:
            isolation.clear()
            isolation.set_client(client)
            current = sentry_sdk.get_current_scope()
            current.clear()
            current.set_client(client)
            if occurrence.user:
                isolation.set_user(dict(occurrence.user))
            for key, value in occurrence.tags.items():
                isolation.set_tag(key, value)
            for key, value in occurrence.contexts.items():
                isolation.set_context(key, dict(value))
            if fault.fingerprint:
                isolation.fingerprint = list(fault.fingerprint)
            if fault.transaction:
                source = "route" if self.service.kind == "web" else "task"
                isolation.set_transaction_name(fault.transaction, source=source)
            wall = time.time()
            for crumb in occurrence.breadcrumbs:
                # `ago`: seconds before the event; before_send moves the whole trail in time.
                crumb = dict(crumb)
                crumb["timestamp"] = datetime.fromtimestamp(wall - crumb.pop("ago", 0.0), UTC)
                isolation.add_breadcrumb(crumb)
            if occurrence.request is not None:
                request = dict(occurrence.request)

                def add_request(event: dict[str, Any], hint: dict[str, Any]) -> dict[str, Any]:
                    event.setdefault("request", request)
                    return event

                isolation.add_event_processor(add_request)
            yield isolation

    def close(self) -> None:
        for client in self._clients.values():
            client.close(timeout=0)
        self._clients.clear()
