"""One call from raw input to the full analysis, and its JSON (the CLI contract)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .advice import Advice, advise, describe_target
from .graph import WaitForGraph, build_graph
from .model import Report
from .parse import find_reports, first_report


@dataclass
class Analysis:
    """The report shown (first deadlock, else first look-alike), its graph and the advice."""

    report: Report | None
    graph: WaitForGraph | None
    advice: Advice | None
    other_reports: list[Report] = field(default_factory=list)

    @property
    def is_deadlock(self) -> bool:
        return bool(self.report and self.report.is_deadlock)

    def to_json(self) -> dict[str, Any]:
        """Exactly the keys of `dexter deadlock parse --json`."""
        report, graph, advice = self.report, self.graph, self.advice
        if report is None or not report.is_deadlock or graph is None or advice is None:
            recs = advice.recommendations if advice else []
            return {
                "is_deadlock": False,
                "sqlstate": None,
                "victim": None,
                "fingerprint": "",
                "source": report.source if report else None,
                "driver": report.driver if report else None,
                "partial": False,
                "partial_reasons": [],
                "context": report.context if report else None,
                "statement": report.statement if report else None,
                "tuple": None,
                "processes": [],
                "waits": [],
                "cycles": [],
                "relations": [],
                "indexes": [],
                "pattern": "none",
                "recommendations": [r.to_json() for r in recs],
                "severity": "none",
                "catalog_queries": [],
            }
        return {
            "is_deadlock": True,
            "sqlstate": report.sqlstate,
            "victim": report.victim_pid,
            "fingerprint": advice.fingerprint,
            "source": report.source,
            "driver": report.driver,
            "partial": bool(report.partial),
            "partial_reasons": list(report.partial),
            "context": report.context,
            "statement": report.statement or report.client_statement,
            "tuple": self.tuple_json(),
            "processes": [{"pid": pid, "query": node.query} for pid, node in graph.nodes.items()],
            "waits": [w.to_json() for w in graph.edges],
            "cycles": [list(c) for c in graph.cycles],
            "relations": list(advice.relations),
            "indexes": list(advice.indexes),
            "pattern": advice.pattern,
            "recommendations": [r.to_json() for r in advice.recommendations],
            "severity": advice.severity,
            "catalog_queries": list(advice.catalog_queries),
        }

    def tuple_json(self) -> dict[str, Any] | None:
        """The row of the victim's CONTEXT (`while updating tuple (0,1) in relation "t"`)."""
        from .parse import _tuple_context

        if self.report is None or not self.report.context:
            return None
        found = _tuple_context(self.report.context)
        if found is None:
            return None
        op, page, item, relation = found
        return {"operation": op, "page": page, "item": item, "relation": relation}

    @property
    def fingerprint(self) -> str:
        """Groups recurring deadlocks (empty when not a deadlock)."""
        return self.advice.fingerprint if self.advice else ""

    def cycle_text(self, index: int = 0) -> str:
        """One cycle as a chain: `pid 1 ─ShareLock on transaction 7→ pid 2 ─…→ back`."""
        if self.graph is None or self.advice is None or index >= len(self.graph.cycles):
            return ""
        parts = [f"pid {self.graph.cycles[index][0]}"]
        for wait in self.graph.cycle_edges(self.graph.cycles[index]):
            parts.append(f"─{wait.mode} on {describe_target(wait, self.advice.relation_names)}→")
            parts.append(f"pid {wait.blocked_by}")
        parts[-1] = "back"
        return " ".join(parts)

    def blocking_query(self) -> str | None:
        """The query of the process the victim waited for (what to look at first)."""
        if self.report is None or self.graph is None:
            return None
        for wait in self.report.waits:
            if wait.pid == self.report.victim_pid:
                node = self.graph.nodes.get(wait.blocked_by)
                return node.query if node else None
        return None

    def render_text(self, width: int = 100) -> str:
        """What an on-call engineer reads in ten seconds: the verdict, the cycle once, whole
        queries, what happened, the one or two fixes that apply."""
        report, graph, advice = self.report, self.graph, self.advice
        if report is None:
            return "No PostgreSQL deadlock report found in the input.\n"
        out: list[str] = []
        if not report.is_deadlock or graph is None or advice is None:
            out.append("Not a deadlock.")
            if report.lookalike:
                out.append(f"It is a look-alike: {report.lookalike} ({report.sqlstate or '?'}).")
            if report.message:
                out.append(f"Message: {report.message.splitlines()[0]}")
            for rec in advice.recommendations if advice else []:
                out += ["", f"- {rec.title}", *_wrap(rec.detail, width, "  ")]
            return "\n".join(out) + "\n"
        victim = f"pid {report.victim_pid}" if report.victim_pid is not None else "unknown"
        out.append(
            f"PostgreSQL deadlock · pattern: {advice.pattern} · severity: {advice.severity} · "
            f"victim: {victim}"
        )
        source = report.source + (f" ({report.driver})" if report.driver else "")
        out.append(f"Source: {source} · fingerprint {advice.fingerprint}")
        if report.partial:
            out.append("PARTIAL: " + "; ".join(report.partial) + " — nothing below is guessed.")
        if advice.relations:
            out.append(f"Tables: {', '.join(advice.relations)}")
        if advice.indexes:
            out.append(f"Indexes: {', '.join(advice.indexes)}")
        out.append("")
        for i in range(len(graph.cycles)):
            label = "Cycle" if len(graph.cycles) == 1 else f"Cycle {i + 1}"
            out += _wrap(f"{label}: {self.cycle_text(i)}", width, "", "  ")
        if not graph.cycles:
            out.append("Cycle: not closed in this text")
            for wait in report.waits:
                target = describe_target(wait, advice.relation_names)
                out.append(f"  pid {wait.pid} ─{wait.mode} on {target}→ pid {wait.blocked_by}")
        for pid in graph.gaps:
            out.append(f"  pid {pid} ─?→ (its wait line is not in the text)")
        if graph.bystanders:
            out.append("Waiting behind the deadlock (bystanders, from lock-wait log lines):")
            for pid in graph.bystanders:
                for wait in graph.nodes[pid].waits:
                    target = describe_target(wait, advice.relation_names)
                    out.append(f"  pid {pid} ─{wait.mode} on {target}→ pid {wait.blocked_by}")
        out += ["", "Queries:"]
        seen: dict[str, int] = {}
        for pid, node in graph.nodes.items():
            role = " (victim)" if pid == report.victim_pid else ""
            query = node.query
            if not query:
                out.append(f"  pid {pid}{role}: (not in this text: the server log's DETAIL has it)")
                continue
            if query in seen:
                out.append(f"  pid {pid}{role}: the same query as pid {seen[query]}")
                continue
            seen[query] = pid
            out.append(f"  pid {pid}{role}:")
            for line in _dedent_sql(query):
                out += _wrap(line, width, "    ", "      ")
        if report.context:
            out += ["", "Context (victim):"]
            out += [f"  {line}" for line in report.context.splitlines()[:6]]
        out += ["", "What happened:"]
        for line in advice.explanations:
            out += _wrap(line, width, "  - ", "    ")
        out += ["", "Fix:"]
        shown = [r for r in advice.recommendations if r.id not in _GENERIC][:2]
        shown = shown or advice.recommendations[:1]
        for rec in shown:
            out.append(f"  [{rec.id}] {rec.title}")
            out += _wrap(rec.detail, width, "      ", "      ")
        rest = [r.id for r in advice.recommendations if r not in shown]
        if rest:
            out.append(f"  Also: {', '.join(rest)} (--json has them in full)")
        if advice.catalog_queries:
            out += ["", "Look up what the text gives only as numbers (run on that server):"]
            out += [f"  {sql}" for sql in advice.catalog_queries]
        if self.other_reports:
            n = len(self.other_reports)
            out += ["", f"{n} more report(s) in the input (dexter deadlock parse --all)"]
        return "\n".join(out) + "\n"


_GENERIC = frozenset({"retry-40p01", "short-transactions", "server-log"})


def _wrap(text: str, width: int, first: str, rest: str | None = None) -> list[str]:
    """Word-wrap without breaking long words (queries and identifiers stay copyable)."""
    import textwrap

    lines = textwrap.wrap(
        text,
        width=width,
        initial_indent=first,
        subsequent_indent=first if rest is None else rest,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return lines or [first.rstrip()]


def _dedent_sql(query: str) -> list[str]:
    """A query's lines with their shared indentation removed and blank lines dropped."""
    import textwrap

    lines = textwrap.dedent(query.strip("\n")).splitlines()
    return [line.rstrip() for line in lines if line.strip()]


def analyze(
    data: str | bytes | dict[str, Any] | list[Any], relation_names: dict[int, str] | None = None
) -> Analysis:
    """Parse `data` (any supported form) and analyse its first deadlock report.

    `relation_names` maps relation OIDs to names when the caller knows them (pg_class).
    Raises ValueError only for undecodable bytes.
    """
    reports = find_reports(data)
    report = first_report(reports)
    others = [r for r in reports if r is not report and r.is_deadlock]
    if report is None:
        return Analysis(None, None, None, others)
    return analyze_report(report, relation_names, others)


def analyze_report(
    report: Report,
    relation_names: dict[int, str] | None = None,
    others: list[Report] | None = None,
) -> Analysis:
    """The analysis of one already-parsed report (e.g. one of many in a server log)."""
    graph = build_graph(report)
    return Analysis(report, graph, advise(report, graph, relation_names), others or [])
