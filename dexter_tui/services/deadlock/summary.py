"""`dexter deadlock parse --all LOG`: every deadlock of a whole server log, grouped by
fingerprint with counts over time, their tables and normalised queries, and the lock waits
that were not deadlocks (log_lock_waits) — what pgBadger shows, plus the graph and advice."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from . import parse as P
from .analysis import Analysis, analyze_report
from .sql import mask_literals


@dataclass
class LockWait:
    """One log_lock_waits story: who waited how long for what, and how it ended."""

    pid: int
    mode: str
    target: str
    waited_ms: float
    outcome: str  # acquired | still-waiting | deadlock | failed | avoided
    relation: str | None = None
    statement: str | None = None
    timestamp: str | None = None


@dataclass
class Group:
    """Deadlocks that share a fingerprint: one recurring pattern."""

    fingerprint: str
    example: Analysis
    timestamps: list[str | None] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.timestamps)

    def by_hour(self) -> list[tuple[str, int]]:
        counts = Counter((t or "unknown time")[:13] for t in self.timestamps)
        return sorted(counts.items())

    def queries(self) -> list[str]:
        """The cycle's queries with literals masked, each once."""
        out: list[str] = []
        graph = self.example.graph
        for node in graph.nodes.values() if graph else []:
            if node.query:
                masked = " ".join(mask_literals(node.query).split())
                if masked not in out:
                    out.append(masked)
        return out


@dataclass
class LogSummary:
    groups: list[Group]
    lock_waits: list[LockWait]

    @property
    def deadlock_count(self) -> int:
        return sum(g.count for g in self.groups)

    def to_json(self) -> dict[str, Any]:
        return {
            "deadlocks": self.deadlock_count,
            "patterns": [
                {
                    "fingerprint": g.fingerprint,
                    "count": g.count,
                    "pattern": g.example.advice.pattern if g.example.advice else "unknown",
                    "severity": g.example.advice.severity if g.example.advice else "none",
                    "partial": bool(g.example.report and g.example.report.partial),
                    "first": min((t for t in g.timestamps if t), default=None),
                    "last": max((t for t in g.timestamps if t), default=None),
                    "by_hour": dict(g.by_hour()),
                    "tables": list(g.example.advice.relations) if g.example.advice else [],
                    "queries": g.queries(),
                    "cycle": g.example.cycle_text(),
                    "recommendations": [
                        r.to_json()
                        for r in (g.example.advice.recommendations[:2] if g.example.advice else [])
                    ],
                }
                for g in self.groups
            ],
            "lock_waits": [w.__dict__ for w in self.lock_waits],
        }


def summarize_log(text: str) -> LogSummary:
    """Read a whole server log (stderr with any prefix, csvlog, jsonlog)."""
    entries = P.log_entries(text)
    waits: dict[int, LockWait] = {}
    finished: list[LockWait] = []
    for entry in entries:
        event = P.lock_wait_event(entry)
        if event is None:
            continue
        kind, pid, mode, target, ms = event
        ctx = P._tuple_context(entry.context) if entry.context else None
        wait = LockWait(
            pid,
            mode,
            target.object,
            ms,
            kind,
            relation=ctx[3] if ctx else None,
            statement=entry.statement,
            timestamp=entry.timestamp,
        )
        if kind == "still-waiting":
            waits[pid] = wait
        else:
            waits.pop(pid, None)
            finished.append(wait)
    lock_waits = [w for w in finished if w.outcome != "deadlock"] + list(waits.values())
    groups: dict[str, Group] = {}
    for report in P.reports_from_entries(entries):
        if not report.is_deadlock:
            continue
        analysis = analyze_report(report)
        group = groups.setdefault(analysis.fingerprint, Group(analysis.fingerprint, analysis))
        group.timestamps.append(report.timestamp)
    ordered = sorted(groups.values(), key=lambda g: -g.count)
    return LogSummary(ordered, lock_waits)


def render_summary(summary: LogSummary, top_waits: int = 10) -> str:
    """The summary for people: patterns by count, then the longest non-deadlock waits."""
    out: list[str] = []
    n = summary.deadlock_count
    out.append(f"{n} deadlock{'s' if n != 1 else ''} in {len(summary.groups)} pattern(s)")
    for i, group in enumerate(summary.groups, 1):
        a = group.example
        advice = a.advice
        pattern = advice.pattern if advice else "unknown"
        partial = " · PARTIAL" if a.report and a.report.partial else ""
        stamps = [t for t in group.timestamps if t]
        span = f" · {min(stamps)} … {max(stamps)}" if stamps else ""
        out += [
            "",
            f"{i}. {group.count}× {pattern}{partial} · fingerprint {group.fingerprint}{span}",
        ]
        if advice and advice.relations:
            out.append(f"   tables: {', '.join(advice.relations)}")
        if advice and advice.indexes:
            out.append(f"   indexes: {', '.join(advice.indexes)}")
        out.append(f"   cycle: {a.cycle_text() or '(not closed in the text)'}")
        for query in group.queries():
            out.append(f"   query: {query[:300]}")
        hours = group.by_hour()
        if len(hours) > 1 or (hours and hours[0][0] != "unknown time"):
            out.append("   per hour: " + ", ".join(f"{h}h {c}" for h, c in hours))
        if advice and advice.recommendations:
            rec = advice.recommendations[0]
            out.append(f"   fix: [{rec.id}] {rec.title}")
    waits = summary.lock_waits
    out += ["", f"Lock waits that were not deadlocks (log_lock_waits): {len(waits)}"]
    if waits:
        by_target = Counter(w.relation or w.target for w in waits)
        out.append(
            "   most waited for: " + ", ".join(f"{t} ({c})" for t, c in by_target.most_common(5))
        )
        for w in sorted(waits, key=lambda w: -w.waited_ms)[:top_waits]:
            where = f" ({w.relation})" if w.relation else ""
            stmt = f" — {' '.join(mask_literals(w.statement).split())[:120]}" if w.statement else ""
            out.append(
                f"   pid {w.pid} {w.outcome} {w.mode} on {w.target}{where} after "
                f"{w.waited_ms:.0f} ms{stmt}"
            )
    return "\n".join(out) + "\n"
