"""Headless PostgreSQL deadlock analyzer: find a report in any form, build the wait-for graph,
explain and advise. No Textual, no network."""

from __future__ import annotations

from .analysis import Analysis, analyze, analyze_report
from .model import LockTarget, Process, Report, Wait
from .parse import find_reports, parse_lock_target

__all__ = [
    "Analysis",
    "LockTarget",
    "Process",
    "Report",
    "Wait",
    "analyze",
    "analyze_report",
    "find_reports",
    "parse_lock_target",
]
