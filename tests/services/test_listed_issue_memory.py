"""Memory per loaded issue (issue 19: 100k loaded in ≤ 150 MB): what the list keeps of an issue
once its page is gone, measured with tracemalloc (bytes, not time), on issues shaped like
Sentry's list answers."""

from __future__ import annotations

import gc
import json
import tracemalloc

from dexter_tui.sentry.models import Issue
from dexter_tui.services.listed_issues import IssueMap

#: bytes per issue the store may keep: id string, packed bytes, dict slot.
#: ~320 B now; ~425 B when short id, title and culprit were raw UTF-8 in the packed bytes and
#: the blob zlib-wrapped; ~790 B when each text was its own str and the listed issue had 11 slots.
MAX_BYTES_PER_ISSUE = 360


def page(start: int, size: int = 100) -> bytes:
    """One page of the list as the server sends it (JSON), every issue distinct."""
    items = []
    for n in range(start, start + size):
        seen = f"2026-12-06T14:{n % 60:02d}:{n % 57:02d}.{n % 999_983:06d}Z"
        items.append(
            {
                "id": str(90_000 + n),
                "shortId": f"CHECKOUT-API-{n:X}",
                "title": f"IntegrityError: UNIQUE constraint failed: orders.nr [variant {n:06d}]",
                "culprit": f"checkout.views.save_order_v{n % 40}",
                "permalink": f"https://sentry.example/organizations/acme/issues/{90_000 + n}/",
                "level": ["error", "warning", "fatal"][n % 3],
                "status": "unresolved",
                "substatus": ["new", "ongoing", "regressed"][n % 3],
                "project": {"id": str(n % 4), "slug": f"svc-{n % 4}", "name": f"Svc {n % 4}"},
                "metadata": {
                    "value": f"UNIQUE constraint failed: orders.number [variant {n:06d}]",
                    "type": "IntegrityError",
                    "function": f"save_order_v{n:06d}",
                },
                "count": str(n % 5000),
                "userCount": n % 300,
                "firstSeen": seen,
                "lastSeen": seen,
                "stats": {"24h": [[1_796_497_200 + h * 3600, (n * h) % 7] for h in range(24)]},
                "lifetime": {"count": str(n % 5000), "firstSeen": seen, "lastSeen": seen},
                "inbox": {"reason": 0, "reason_details": None, "date_added": seen},
            }
        )
    return json.dumps(items).encode()


def test_a_loaded_issue_costs_at_most_its_budget_once_its_page_is_gone() -> None:
    pages = [page(start) for start in range(0, 3000, 100)]
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        store = IssueMap("24h", [Issue.model_validate(x) for x in json.loads(pages[0])])
        for text in pages[1:]:
            for issue in [Issue.model_validate(x) for x in json.loads(text)]:
                store[issue.id] = issue
        store._parsed.clear()  # the few parsed issues kept for the cursor are not per issue
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(store) == 3000
    per_issue = grown / len(store)
    assert per_issue <= MAX_BYTES_PER_ISSUE, f"{per_issue:.0f} B per loaded issue"
    listed = store.listed("90042")
    assert listed.title.endswith("[variant 000042]")  # what was measured is the real thing
