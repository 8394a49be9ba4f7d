"""Capture tests/fixtures/deadlocks/pg15_session/ from a real PostgreSQL (not a test).

Provokes every pattern of test_deadlock_postgres.PATTERNS once, in English, on the cluster
with the default `log_line_prefix`, plus the row swap on a German server, and saves each
client error (`str(e)` of psycopg's DeadlockDetected) and the server's own log of the whole
session in the three formats it writes (stderr, csvlog, jsonlog):

    eval "$(.ci/postgres.sh)"
    PYTHONPATH=. python3 tests/services/deadlock/capture_pg_fixtures.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from real_postgres import _read_from, _sizes, require_clusters
from test_deadlock_postgres import PATTERNS, run

OUT = Path(__file__).resolve().parents[2] / "fixtures" / "deadlocks" / "pg15_session"


def main() -> None:
    clusters = require_clusters()
    cluster = clusters["clusters"][0]
    OUT.mkdir(parents=True, exist_ok=True)
    before = _sizes(cluster)
    victims: dict[str, int] = {}
    runs = [(name, "en") for name in PATTERNS] + [("row-swap", "de")]
    for name, lang in runs:
        outcome, _ = run(clusters, name, 0, lang)
        stem = name if lang == "en" else f"{name}.{lang}"
        (OUT / f"{stem}.client.txt").write_text(str(outcome.error) + "\n", "utf-8")
        victims[stem] = outcome.victim_pid
    for ext, target in (("", "server.log"), (".csv", "server.csv"), (".json", "server.jsonl")):
        (OUT / target).write_text(_read_from(cluster, ext, before[ext]), "utf-8")
    meta = {
        "postgres": clusters["version"],
        "log_line_prefix": cluster["log_line_prefix"],
        "victims": victims,
    }
    (OUT / "session.json").write_text(json.dumps(meta, indent=1) + "\n", "utf-8")
    print(f"{len(runs)} deadlocks captured in {OUT}")


if __name__ == "__main__":
    main()
