"""One issue's events, headless: navigation and the view models the event screen draws.

Why here and not in the screen: what a frame, a breadcrumb or a request *means* (causal order of
chained exceptions, in-app filtering, which headers are secrets, what looks like PII) is testable
without a terminal, and the same rules serve an export or a future web view. No Textual import.

One module per part of the event screen; every name is re-exported here, so callers import
`from dexter_tui.services.events import ...` whatever module holds it.
"""

from __future__ import annotations

from dexter_tui.services.events.activity import (
    ACTIVITY_LABELS,
    activity_label,
    actor_name,
    is_own,
    timeline,
)
from dexter_tui.services.events.breadcrumbs import (
    CrumbView,
    breadcrumb_views,
    filter_crumbs,
    format_offset,
)
from dexter_tui.services.events.context import CONTEXT_ORDER, context_groups
from dexter_tui.services.events.deadlocks import deadlock_analysis, may_be_deadlock
from dexter_tui.services.events.navigation import NAMED_EVENTS, EventNavigator, NoMoreEvents
from dexter_tui.services.events.pii import mask_pii
from dexter_tui.services.events.raw import event_json, raw_lines, raw_lines_async, search_lines
from dexter_tui.services.events.request import RequestView, request_view
from dexter_tui.services.events.sensitive import (
    MASK,
    SENSITIVE_NAME,
    is_sensitive,
    mask_data,
    mask_header,
)
from dexter_tui.services.events.stacks import (
    STACK_ORDERS,
    ExceptionView,
    FrameView,
    StackView,
    ThreadView,
    exception_chain,
    frame_view,
    stack_view,
    thread_views,
)
from dexter_tui.services.events.status import issue_status
from dexter_tui.services.events.tags import TagRowView, bar, tag_query, tag_rows
from dexter_tui.services.events.text import KeyValues, as_text

__all__ = [
    "ACTIVITY_LABELS",
    "CONTEXT_ORDER",
    "MASK",
    "NAMED_EVENTS",
    "SENSITIVE_NAME",
    "STACK_ORDERS",
    "CrumbView",
    "EventNavigator",
    "ExceptionView",
    "FrameView",
    "KeyValues",
    "NoMoreEvents",
    "RequestView",
    "StackView",
    "TagRowView",
    "ThreadView",
    "activity_label",
    "actor_name",
    "as_text",
    "bar",
    "breadcrumb_views",
    "context_groups",
    "deadlock_analysis",
    "event_json",
    "exception_chain",
    "filter_crumbs",
    "format_offset",
    "frame_view",
    "is_own",
    "is_sensitive",
    "issue_status",
    "mask_data",
    "mask_header",
    "mask_pii",
    "may_be_deadlock",
    "raw_lines",
    "raw_lines_async",
    "request_view",
    "search_lines",
    "stack_view",
    "tag_query",
    "tag_rows",
    "thread_views",
    "timeline",
]
