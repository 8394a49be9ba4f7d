"""Loaded issues kept small: per issue only what the list shows and sorts by, plus the full issue
compressed, parsed back when something asks for it (preview, detail, an action, export).

Why: a parsed `Issue` costs ~8.6 KB (≈100 Python objects, its stats series alone ~3 KB); with a
project's whole list loaded (100k) that was a gigabyte, and the garbage collector's full passes
over those objects froze the UI. A `ListedIssue` is one object with slots (strings, two floats,
the stats counts packed in bytes); the full issue is its JSON, zlib-compressed with a dictionary
made of the first issue, ~300 bytes.
"""

from __future__ import annotations

import json
import struct
import sys
import zlib
from array import array
from collections import OrderedDict
from collections.abc import Iterable, Iterator, MutableMapping
from datetime import UTC, datetime
from typing import Any

from dexter_tui.sentry.models import Assignee, Issue, ProjectRef

#: issues kept parsed (the cursor's, the last ones read); a bulk selection reads its own
PARSED_CACHE = 64


#: seconds per bucket of Sentry's issue stats series (`groupStatsPeriod`)
SERIES_STEP = {"24h": 3600.0, "14d": 86400.0}
_BUCKET_TYPES = ((0xFF, "B"), (0xFFFF, "H"), (0xFFFF_FFFF, "I"))


def _pack_buckets(start: float, counts: list[int]) -> bytes:
    """The series as bytes: its start (a double), the narrowest array type, the counts."""
    top = max(counts, default=0)
    code = next((c for limit, c in _BUCKET_TYPES if top <= limit), "Q")
    return struct.pack("<d", start) + code.encode() + array(code, counts).tobytes()


def _unpack_buckets(packed: bytes) -> tuple[float, list[int]]:
    (start,) = struct.unpack_from("<d", packed)
    return start, array(chr(packed[8]), packed[9:]).tolist()


class IssueCodec:
    """JSON + zlib with a shared dictionary: issues of one list share most of their text.

    The blob leaves out what the `ListedIssue` holds anyway (id, title, culprit, counts, times,
    the list's stats series…): those are an issue's most distinct bytes, so the rest compresses
    against the dictionary to little. A field is left out only when the listed form gives it
    back exactly (checked per issue); `decode` puts them back.
    """

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

    def unpack(self, blob: bytes) -> bytes:
        assert self.zdict is not None
        unpacker = zlib.decompressobj(zdict=self.zdict)
        return unpacker.decompress(blob) + unpacker.flush()

    def decode(self, listed: ListedIssue, stats_key: str) -> Issue:
        """The full issue: the blob's fields plus the listed ones."""
        data: dict[str, Any] = json.loads(self.unpack(listed._blob))
        kept = listed._kept
        data.update(
            id=listed.id,
            shortId=listed.short_id,
            title=listed.title,
            culprit=listed.culprit,
            level=listed.level,
            status=listed.status,
            substatus=listed.substatus,
            isBookmarked=listed.is_bookmarked,
            hasSeen=listed.has_seen,
            count=listed.count,
            userCount=listed.user_count,
        )
        if "first_seen" not in kept:
            data["firstSeen"] = listed.first_seen
        if "last_seen" not in kept:
            data["lastSeen"] = listed.last_seen
        if "stats" not in kept:
            step = SERIES_STEP[stats_key]
            stats = data.get("stats") or {}
            stats[stats_key] = [(t, float(n)) for t, n in listed.series(step)]
            data["stats"] = stats
        return Issue.model_validate(data)


_shared: dict[Any, Any] = {}


def _share(value: Any) -> Any:
    """One instance per distinct project ref / assignee (thousands of issues share a few)."""
    if value is None:
        return None
    key = (type(value), value.model_dump_json())
    return _shared.setdefault(key, value)


def _timestamp(when: datetime | None) -> float:
    return when.timestamp() if when is not None else 0.0


def _datetime(ts: float) -> datetime | None:
    return datetime.fromtimestamp(ts, UTC) if ts else None


#: the fields a `ListedIssue` always gives back exactly (never in the blob)
_LISTED_FIELDS = frozenset(
    {
        "id",
        "short_id",
        "title",
        "culprit",
        "level",
        "status",
        "substatus",
        "is_bookmarked",
        "has_seen",
        "count",
        "user_count",
    }
)
#: what the blob keeps of the fields it usually leaves out (none, the usual case: shared)
_NOTHING_KEPT: frozenset[str] = frozenset()


class ListedIssue:
    """What the issue list reads of one issue; the attribute names are `Issue`'s."""

    __slots__ = (
        "_blob",
        "_buckets",
        "_first",
        "_kept",
        "_last",
        "assigned_to",
        "count",
        "culprit",
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

    @classmethod
    def of(cls, issue: Issue, codec: IssueCodec, stats_key: str) -> ListedIssue:
        listed = cls()
        intern = sys.intern
        listed.id = issue.id
        listed.short_id = issue.short_id
        listed.title = issue.title
        listed.culprit = issue.culprit
        listed.level = intern(issue.level)
        listed.status = intern(issue.status)
        listed.substatus = intern(issue.substatus) if issue.substatus else issue.substatus
        listed.is_bookmarked = issue.is_bookmarked
        listed.has_seen = issue.has_seen
        listed.count = issue.count
        listed.user_count = issue.user_count
        listed.assigned_to = _share(issue.assigned_to)
        listed.project = _share(issue.project)
        listed._first = _timestamp(issue.first_seen)
        listed._last = _timestamp(issue.last_seen)
        series = issue.stats.get(stats_key) or []
        counts = [max(0, int(point[1])) for point in series]
        start = float(series[0][0]) if series else 0.0
        listed._buckets = _pack_buckets(start, counts)
        exclude: set[str] = set(_LISTED_FIELDS)
        kept: set[str] = set()
        for name, ts in (("first_seen", listed._first), ("last_seen", listed._last)):
            if _datetime(ts) == getattr(issue, name):
                exclude.add(name)
            else:
                kept.add(name)
        step = SERIES_STEP.get(stats_key)
        rebuilt = [(t, float(n)) for t, n in listed.series(step)] if step else None
        stats_exclude: Any = None
        if stats_key in issue.stats and rebuilt == issue.stats[stats_key]:
            stats_exclude = {stats_key}
        else:
            kept.add("stats")
        text = issue.model_dump_json(
            by_alias=True,
            exclude_defaults=True,
            exclude=({"stats": stats_exclude, **dict.fromkeys(exclude, True)})
            if stats_exclude
            else exclude,
        ).encode()
        listed._blob = codec.pack(text)
        listed._kept = frozenset(kept) if kept else _NOTHING_KEPT
        return listed

    def same_as(self, other: ListedIssue) -> bool:
        """The same issue in every field (what a poll compares: equal means unchanged)."""
        return all(getattr(self, name) == getattr(other, name) for name in _COMPARED)

    @property
    def buckets(self) -> list[int]:
        """Event counts of the list's stats series, oldest first."""
        return _unpack_buckets(self._buckets)[1]

    def series(self, step: float) -> list[tuple[float, int]]:
        """The list's stats series as Sentry sent it: `(bucket start, count)`, `step` apart."""
        start, counts = _unpack_buckets(self._buckets)
        return [(start + i * step, n) for i, n in enumerate(counts)]

    @property
    def first_seen(self) -> datetime | None:
        return _datetime(self._first)

    @property
    def last_seen(self) -> datetime | None:
        return _datetime(self._last)

    @property
    def last_seen_ts(self) -> float:
        return self._last

    @property
    def first_seen_ts(self) -> float:
        return self._first


#: every slot, the blob first (it differs whenever anything outside the listed fields does)
_COMPARED = ("_blob", *(n for n in ListedIssue.__slots__ if n != "_blob"))


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

    def make(self, issue: Issue) -> ListedIssue:
        """`issue` as a listed issue (not stored; `ListedIssue.same_as` compares two)."""
        return ListedIssue.of(issue, self._codec, self.stats_key)

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
        issue = self._codec.decode(listed, self.stats_key)
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
