"""The real deadlock samples (copied from ../shared/samples/deadlocks) and every form each case
provides: client text blocks, diag fields, server logs (plain, csv, json), Sentry events in the
SDK shape and converted to the API's `entries` shape."""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "deadlocks"

#: case.json `lock_kind` -> pg_locks locktype
LOCK_KINDS = {
    "transaction": "transactionid",
    "virtual transaction": "virtualxid",
    "tuple": "tuple",
    "relation": "relation",
    "advisory lock": "advisory",
}
#: what the German server says for the lock targets seen in D31
GERMAN_OBJECTS = (("Transaktion ", "transaction "),)


@dataclass(frozen=True)
class Form:
    """One way a case's report reaches an engineer."""

    case: str
    run: str
    kind: str  # client-str | client-pgerror | diag | client-file | server-log | csvlog | ...
    data: Any  # str or decoded JSON

    @property
    def id(self) -> str:
        return f"{self.case}/{self.run}/{self.kind}"


def case_dirs(prefix: str = "") -> list[Path]:
    return sorted(p for p in FIXTURES.iterdir() if p.is_dir() and p.name.startswith(prefix))


@cache
def case_json(case: str) -> dict[str, Any]:
    return json.loads((FIXTURES / case / "case.json").read_text("utf-8"))


def client_file(case: str, run: str) -> Path:
    return FIXTURES / case / ("psycopg2.txt" if "psycopg2" in run else "psycopg3.txt")


_BLOCK_RE = re.compile(
    r"^----- (?P<name>[^\n]+?) -----\n(?P<body>.*?)^----- end (?P=name) -----$", re.M | re.S
)


def exception_blocks(text: str) -> list[dict[str, Any]]:
    """Per exception in a psycopg*.txt file: sqlstate, str(e), pgerror and diag fields."""
    out = []
    for chunk in text.split("######## exception ")[1:]:
        blocks = {m.group("name"): m.group("body") for m in _BLOCK_RE.finditer(chunk)}
        m = re.search(r"^(?:e|cause)\.(?:sqlstate|pgcode): '([0-9A-Z]{5})'", chunk, re.M)
        diag: dict[str, Any] = {}
        for line in (blocks.get("e.diag") or blocks.get("cause diag") or "").splitlines():
            key, _, value = line.partition(": ")
            try:
                diag[key] = ast.literal_eval(value)
            except (ValueError, SyntaxError):
                continue
        out.append(
            {
                "sqlstate": m.group(1) if m else None,
                "str": blocks.get("str(e)"),
                "pgerror": blocks.get("e.pgerror") or blocks.get("cause pgerror"),
                "cause": blocks.get("cause str"),
                "diag": diag,
                "type": re.search(r"^type\(e\): (\S+)", chunk, re.M).group(1),
            }
        )
    return out


def to_api_shape(event: dict[str, Any]) -> dict[str, Any]:
    """The SDK ingest shape as Sentry's API returns a full event (SENTRY_API.md §7)."""
    entries: list[dict[str, Any]] = []
    exc = event.get("exception")
    if exc:
        entries.append({"type": "exception", "data": {"values": exc["values"]}})
    logentry = event.get("logentry")
    if logentry:
        entries.append(
            {
                "type": "message",
                "data": {
                    "formatted": logentry.get("formatted") or logentry.get("message"),
                    "message": logentry.get("message"),
                },
            }
        )
    crumbs = (event.get("breadcrumbs") or {}).get("values")
    if crumbs:
        entries.append({"type": "breadcrumbs", "data": {"values": crumbs}})
    return {
        "id": event["event_id"],
        "eventID": event["event_id"],
        "title": "DeadlockDetected",
        "message": "",
        "entries": entries,
        "context": event.get("extra") or {},
        "contexts": event.get("contexts") or {},
        "tags": [{"key": k, "value": v} for k, v in (event.get("tags") or {}).items()],
        "platform": event.get("platform"),
    }


def forms(case: str) -> list[Form]:
    """Every form the case provides, for every driver run."""
    cj = case_json(case)
    out: list[Form] = []
    for run, files in cj["files"].items():
        d = FIXTURES / case
        path = client_file(case, run)
        if path.exists():
            text = path.read_text("utf-8")
            out.append(Form(case, run, "client-file", text))
            for i, exc in enumerate(exception_blocks(text)):
                tag = "" if i == 0 else f"#{i}"
                if exc["str"]:
                    out.append(Form(case, run, f"client-str{tag}", exc["str"]))
                if exc["cause"]:
                    out.append(Form(case, run, f"client-cause{tag}", exc["cause"]))
                if exc["pgerror"]:
                    out.append(Form(case, run, f"client-pgerror{tag}", exc["pgerror"]))
                if exc["diag"].get("message_primary"):
                    out.append(Form(case, run, f"diag{tag}", exc["diag"]))
        for key, kind in (
            ("server_log", "server-log"),
            ("server_log_csv", "csvlog"),
            ("server_log_jsonl", "jsonlog"),
        ):
            if files.get(key) and (d / files[key]).exists():
                out.append(Form(case, run, kind, (d / files[key]).read_text("utf-8")))
        for name in files.get("events") or []:
            if (d / name).exists():
                event = json.loads((d / name).read_text("utf-8"))
                out.append(Form(case, run, "event-sdk", event))
                out.append(Form(case, run, "event-api", to_api_shape(event)))
    return out


def run_truth(case: str, run: str) -> dict[str, Any]:
    return case_json(case)["runs"][run]


def english_object(obj: str) -> str:
    for de, en in GERMAN_OBJECTS:
        obj = obj.replace(de, en)
    return obj
