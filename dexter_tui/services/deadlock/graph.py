"""The wait-for graph of a deadlock report: a node per backend, an edge per lock wait.

Cycles are listed the way PostgreSQL reports them: starting at the process that detected the
deadlock (the victim, first in DETAIL) and following "blocked by" in the reported edge order.
Processes that wait but are in no cycle are bystanders: they proceed once the victim aborts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import Report, Wait

MAX_CYCLES = 64


@dataclass
class Node:
    """A backend: pid, its query when known, and the locks it waits for."""

    pid: int
    query: str | None = None
    waits: list[Wait] = field(default_factory=list)
    in_cycle: bool = False
    in_report: bool = False  # named by the report's DETAIL (not only by lock-wait LOG lines)


@dataclass
class WaitForGraph:
    nodes: dict[int, Node]
    edges: list[Wait]
    cycles: list[list[int]]

    @property
    def bystanders(self) -> list[int]:
        """Pids known only from lock-wait LOG lines that belong to no cycle: they wait behind
        the deadlock and proceed once the victim aborts."""
        return [pid for pid, n in self.nodes.items() if not n.in_cycle and not n.in_report]

    @property
    def gaps(self) -> list[int]:
        """Pids the report names but no cycle reaches: their wait line was lost (never
        bystanders: in PostgreSQL's DETAIL every process is in the cycle)."""
        return [pid for pid, n in self.nodes.items() if not n.in_cycle and n.in_report]

    def cycle_edges(self, cycle: list[int]) -> list[Wait]:
        """The wait of each pid in `cycle` for the next one (the last waits for the first)."""
        out: list[Wait] = []
        for i, pid in enumerate(cycle):
            nxt = cycle[(i + 1) % len(cycle)]
            for wait in self.nodes[pid].waits:
                if wait.blocked_by == nxt:
                    out.append(wait)
                    break
        return out


def build_graph(report: Report) -> WaitForGraph:
    """Nodes in report order (DETAIL first, then bystanders), edges as reported, all cycles."""
    nodes: dict[int, Node] = {}
    edges = report.all_waits
    for wait in edges:
        nodes.setdefault(wait.pid, Node(wait.pid)).waits.append(wait)
        nodes.setdefault(wait.blocked_by, Node(wait.blocked_by))
    for wait in report.waits:
        nodes[wait.pid].in_report = nodes[wait.blocked_by].in_report = True
    for pid, proc in report.processes.items():
        node = nodes.setdefault(pid, Node(pid))
        node.query = proc.query
        node.in_report = (
            node.in_report or proc.query_source == "detail" or pid in (w.pid for w in report.waits)
        )
    cycles = find_cycles(edges, start=report.victim_pid)
    for cycle in cycles:
        for pid in cycle:
            nodes[pid].in_cycle = True
    return WaitForGraph(nodes, edges, cycles)


def find_cycles(edges: list[Wait], start: int | None = None) -> list[list[int]]:
    """Every elementary cycle, each rotated to begin at its earliest-reported pid (the victim
    when it is in the cycle), following edges in reported order; at most MAX_CYCLES."""
    order: list[int] = []
    succ: dict[int, list[int]] = {}
    for wait in edges:
        for pid in (wait.pid, wait.blocked_by):
            if pid not in succ:
                succ[pid] = []
                order.append(pid)
        if wait.blocked_by not in succ[wait.pid]:
            succ[wait.pid].append(wait.blocked_by)
    if start is not None and start in succ:
        order.remove(start)
        order.insert(0, start)
    rank = {pid: i for i, pid in enumerate(order)}
    cycles: list[list[int]] = []
    for root in order:
        # only cycles whose earliest-ranked member is `root`: each cycle found exactly once
        stack: list[tuple[int, int]] = [(root, 0)]
        path = [root]
        on_path = {root}
        while stack and len(cycles) < MAX_CYCLES:
            pid, i = stack[-1]
            nexts = succ[pid]
            if i >= len(nexts):
                stack.pop()
                on_path.discard(path.pop())
                continue
            stack[-1] = (pid, i + 1)
            nxt = nexts[i]
            if nxt == root:
                cycles.append(list(path))
            elif nxt not in on_path and rank[nxt] > rank[root]:
                stack.append((nxt, 0))
                path.append(nxt)
                on_path.add(nxt)
    return cycles
