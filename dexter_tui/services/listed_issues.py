"""Loaded issues kept small: per issue only what the list shows and sorts by, plus the full issue
compressed, parsed back when something asks for it (preview, detail, an action, export).

Why: a parsed `Issue` costs ~8.6 KB (≈100 Python objects, its stats series alone ~3 KB); with a
project's whole list loaded (100k) that was a gigabyte, and the garbage collector's full passes
over those objects froze the UI. A `ListedIssue` is one object with slots (strings, two floats,
the stats counts packed in bytes); the full issue is its JSON, zlib-compressed with a dictionary
made of the first issue, ~300 bytes.
"""

from __future__ import annotations

import sys
import zlib
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Iterator, MutableMapping
from datetime import UTC, datetime
from typing import Any

from dexter_tui.sentry.models import Assignee, Issue, ProjectRef

#: materialized issues kept parsed (the cursor's, a bulk selection being sent…)
PARSED_CACHE = 1024


class IssueCodec:
    """JSON + zlib with a shared dictionary: issues of one list share most of their text."""

    def __init__(self) -> None:
        self.zdict: bytes | None = None

    @staticmethod
    def dump(issue: Issue) -> bytes:
        """The issue's JSON (Sentry's names, defaults left out): equal issues, equal text."""
        return issue.model_dump_json(by_alias=True, exclude_defaults=True).encode()

    def pack(self, text: bytes) -> bytes:
        if self.zdict is None:
            self.zdict = text
        packer = zlib.compressobj(1, zdict=self.zdict)
        return packer.compress(text) + packer.flush()

    def decode(self, blob: bytes) -> Issue:
        assert self.zdict is not None
        unpacker = zlib.decompressobj(zdict=self.zdict)
        return Issue.model_validate_json(unpacker.decompress(blob) + unpacker.flush())


_shared: dict[Any, Any] = {}


def _share(value: Any) -> Any:
    """One instance per distinct project ref / assignee (thousands of issues share a few)."""
    if value is None:
        return None
    key = (type(value), value.model_dump_json())
    return _shared.setdefault(key, value)


def _timestamp(when: datetime | None) -> float:
    return when.timestamp() if when is not None else 0.0


class ListedIssue:
    """What the issue list reads of one issue; the attribute names are `Issue`'s."""

    __slots__ = (
        "_blob",
        "_buckets",
        "_first",
        "_last",
        "_series_start",
        "assigned_to",
        "count",
        "culprit",
        "digest",
        "has_seen",
        "id",
        "is_bookmarked",
        "level",
        "project",
        "short_id",
        "status",
        "substatus",
        "title",
        "user_count",
    )

    id: str
    short_id: str
    title: str
    culprit: str | None
    level: str
    status: str
    substatus: str | None
    is_bookmarked: bool
    has_seen: bool
    count: int
    user_count: int
    assigned_to: Assignee | None
    project: ProjectRef | None
    digest: int

    @classmethod
    def of(
        cls, issue: Issue, codec: IssueCodec, stats_key: str, text: bytes | None = None
    ) -> ListedIssue:
        """`text`: the issue's `IssueCodec.dump`, when the caller has it already."""
        listed = cls()
        intern = sys.intern
        listed.id = issue.id
        listed.short_id = issue.short_id
        listed.title = issue.title
        listed.culprit = issue.culprit
        listed.level = intern(issue.level)
        listed.status = intern(issue.status)
        listed.substatus = intern(issue.substatus) if issue.substatus else None
        listed.is_bookmarked = issue.is_bookmarked
        listed.has_seen = issue.has_seen
        listed.count = issue.count
        listed.user_count = issue.user_count
        listed.assigned_to = _share(issue.assigned_to)
        listed.project = _share(issue.project)
        listed._first = _timestamp(issue.first_seen)
        listed._last = _timestamp(issue.last_seen)
        series = issue.stats.get(stats_key) or []
        counts = array("L", (max(0, int(point[1])) for point in series))
        listed._buckets = counts.tobytes()
        listed._series_start = float(series[0][0]) if series else 0.0
        text = codec.dump(issue) if text is None else text
        listed._blob = codec.pack(text)
        listed.digest = hash(text)
        return listed

    @property
    def buckets(self) -> list[int]:
        """Event counts of the list's stats series, oldest first."""
        return array("L", self._buckets).tolist()

    def series(self, step: float) -> list[tuple[float, int]]:
        """The list's stats series as Sentry sent it: `(bucket start, count)`, `step` apart."""
        return [(self._series_start + i * step, n) for i, n in enumerate(self.buckets)]

    @property
    def first_seen(self) -> datetime | None:
        return datetime.fromtimestamp(self._first, UTC) if self._first else None

    @property
    def last_seen(self) -> datetime | None:
        return datetime.fromtimestamp(self._last, UTC) if self._last else None

    @property
    def last_seen_ts(self) -> float:
        return self._last

    @property
    def first_seen_ts(self) -> float:
        return self._first


class IssueMap(MutableMapping[str, Issue]):
    """Issues by id, stored as `ListedIssue`s; reading an item gives the full `Issue` back."""

    def __init__(self, stats_key: str, issues: Iterable[Issue] = ()) -> None:
        self.stats_key = stats_key
        self._codec = IssueCodec()
        self._listed: dict[str, ListedIssue] = {}
        self._parsed: OrderedDict[str, Issue] = OrderedDict()
        for issue in issues:
            self[issue.id] = issue

    def listed(self, issue_id: str) -> ListedIssue:
        return self._listed[issue_id]

    def listed_values(self) -> Iterator[ListedIssue]:
        return iter(self._listed.values())

    def make(self, issue: Issue, text: bytes | None = None) -> ListedIssue:
        """`issue` as a listed issue (not stored)."""
        return ListedIssue.of(issue, self._codec, self.stats_key, text)

    def dump(self, issue: Issue) -> bytes:
        """What `ListedIssue.digest` is the hash of: compare before storing."""
        return self._codec.dump(issue)

    def discard(self, issue_id: str) -> None:
        """Forget an issue (without parsing it, unlike `pop`)."""
        self._listed.pop(issue_id, None)
        self._parsed.pop(issue_id, None)

    def store(self, issue: Issue, listed: ListedIssue | None = None) -> None:
        self._listed[issue.id] = listed or self.make(issue)
        self._remember(issue)

    def _remember(self, issue: Issue) -> None:
        parsed = self._parsed
        parsed[issue.id] = issue
        parsed.move_to_end(issue.id)
        if len(parsed) > PARSED_CACHE:
            parsed.popitem(last=False)

    # -- the mapping ------------------------------------------------------------------------

    def __getitem__(self, issue_id: str) -> Issue:
        issue = self._parsed.get(issue_id)
        if issue is not None:
            self._parsed.move_to_end(issue_id)
            return issue
        listed = self._listed[issue_id]
        issue = self._codec.decode(listed._blob)
        self._remember(issue)
        return issue

    def __setitem__(self, issue_id: str, issue: Issue) -> None:
        self.store(issue)

    def __delitem__(self, issue_id: str) -> None:
        del self._listed[issue_id]
        self._parsed.pop(issue_id, None)

    def __contains__(self, issue_id: object) -> bool:
        return issue_id in self._listed

    def __iter__(self) -> Iterator[str]:
        return iter(self._listed)

    def __len__(self) -> int:
        return len(self._listed)
