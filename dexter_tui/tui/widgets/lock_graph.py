"""The wait-for cycle of a deadlock drawn as text: who waits for whom, on which lock, and back.

Why vertical: a 3- or 4-process cycle on one line does not fit 80 columns, and the loop arrow on
the left makes "and back to the first" visible at a glance. Each cycle also gets the analyzer's
one-line chain (`pid 1 ─ShareLock on transaction 7→ pid 2 ─…→ back`) for copying into a ticket.
Lock descriptions can carry relation names from the event, so every piece goes through safe_text.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from dexter_tui.services.deadlock import Analysis
from dexter_tui.services.deadlock.advice import describe_target
from dexter_tui.tui.safe_text import safe_text

__all__ = ["LockGraph", "lock_graph_text"]


def _pid(pid: int, victim: int | None) -> Text:
    text = Text(f"pid {pid}", style="bold", end="")
    if pid == victim:
        text.append(" (victim, aborted)", style="italic")
    return text


def lock_graph_text(analysis: Analysis) -> Text:
    """Every cycle of `analysis` as a loop, then the bystanders; empty Text without a graph."""
    report, graph, advice = analysis.report, analysis.graph, analysis.advice
    out = Text(end="")
    if report is None or graph is None or advice is None:
        return out
    names = advice.relation_names
    victim = report.victim_pid
    for index, cycle in enumerate(graph.cycles):
        if index:
            out.append("\n\n")
        label = f"Cycle {index + 1} of {len(graph.cycles)}" if len(graph.cycles) > 1 else "Cycle"
        out.append(f"{label} ({len(cycle)} processes)\n", style="bold underline")
        out.append_text(safe_text(analysis.cycle_text(index), style="dim", no_wrap=False))
        out.append("\n")
        edges = graph.cycle_edges(cycle)
        for step, wait in enumerate(edges):
            out.append(" ╭─▶ " if step == 0 else " │   ")
            out.append_text(_pid(wait.pid, victim))
            out.append("\n │       ─")
            out.append(wait.mode, style="bold")
            out.append(" on ")
            out.append_text(safe_text(describe_target(wait, names)))
            out.append("→\n")
        if edges:
            out.append(" ╰── back to ")
            out.append_text(_pid(edges[0].pid, None))
    bystanders = [w for pid in graph.bystanders for w in graph.nodes[pid].waits]
    if bystanders:
        out.append("\n\nWaiting outside the cycle (bystanders, freed once the victim aborts)\n")
        for wait in bystanders:
            out.append("     ")
            out.append_text(_pid(wait.pid, victim))
            out.append(" ─")
            out.append(wait.mode, style="bold")
            out.append(" on ")
            out.append_text(safe_text(describe_target(wait, names)))
            out.append(f"→ pid {wait.blocked_by}\n")
        out.rstrip()
    return out


class LockGraph(Static):
    """Shows `lock_graph_text` of one analysis."""

    DEFAULT_CSS = """
    LockGraph { height: auto; padding: 0 1; }
    """

    def show(self, analysis: Analysis) -> None:
        self.update(lock_graph_text(analysis))
