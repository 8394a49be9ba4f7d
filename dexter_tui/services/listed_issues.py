"""Loaded issues kept small: per issue only what the list shows and sorts by, plus the full issue
compressed, parsed back when something asks for it (preview, detail, an action, export).

Why: a parsed `Issue` costs ~8.6 KB (≈100 Python objects, its stats series alone ~3 KB); with a
project's whole list loaded (100k) that was a gigabyte, and the garbage collector's full passes
over those objects froze the UI. A `ListedIssue` is one object with slots (strings, two floats,
the stats counts packed in bytes); the full issue is its JSON, deflated with a dictionary made of
the list's first page, ~300 bytes.

The short id, title and culprit are deflated too, in a stream of their own before the rest's:
raw, with 100k issues loaded, they were ~11 MB (the search text holds them again, case-folded);
against the list's shared text they compress to about a third. Their stream uses the shared
dictionary alone, so reading them costs one small inflate (~2 µs: raw deflate, no checksum over
the 8 KB dictionary); the rest's stream is compressed against the texts too (`_own`).
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


#: the dictionary a blob is compressed with: the list's shared text, then the issue's own
#: (`_own`); 8 KB: priming zlib with a dictionary costs in proportion to its size
ZDICT_SIZE = 8 * 1024
#: raw deflate: no zlib header, dictionary id or checksum (10 bytes an issue; and no Adler-32
#: over the dictionary on every read, which cost 3 of the 4 µs of inflating a blob)
_WBITS = -15
#: seconds per bucket of Sentry's issue stats series (`groupStatsPeriod`)
SERIES_STEP = {"24h": 3600.0, "14d": 86400.0}
_BUCKET_TYPES = ((0xFF, "B"), (0xFFFF, "H"), (0xFFFF_FFFF, "I"))
#: a listed issue's packed numbers: first and last seen, count, users, series start, flags,
#: the series' array type and length, the UTF-8 lengths of short id, title and culprit, the
#: length of their compressed stream, its `_STATES` index; then the counts, then (counts beyond
#: 32 bits) their decimal text, then the compressed texts, then the compressed rest (JSON)
_HEAD = struct.Struct("<ddIIdBcHIIIII")
_STATE_AT = _HEAD.size - 4
_STATE = struct.Struct("<I")
#: the part of `_HEAD` from the array type on (what finding the streams needs)
_TEXTS = struct.Struct("<cHIIII")
#: the counts in `_HEAD` (decimal text lengths under `_BIG_COUNT`)
_COUNTS = struct.Struct("<II")
_COUNTS_AT = struct.calcsize("<dd")
#: where `_HEAD` keeps the compressed texts' length
_ZTEXTS_AT = _STATE_AT - 4
_FLAGS_AT = struct.calcsize("<ddIId")
_ITEMSIZE = {code.encode(): array(code).itemsize for code in "BHIQ"}
_U32 = 2**32
# flags
_BOOKMARKED, _SEEN, _KEEP_FIRST, _KEEP_LAST, _KEEP_STATS, _BIG_COUNT, _NO_CULPRIT = (
    1 << i for i in range(7)
)


def _utf8(text: str) -> bytes:
    """Any Python string as bytes and back (`_text`), lone surrogates included."""
    return text.encode("utf-8", "surrogatepass")


def _text(data: bytes) -> str:
    return data.decode("utf-8", "surrogatepass")


class IssueCodec:
    """JSON + deflate with a shared dictionary: issues of one list share most of their text.

    A blob is the issue's short id, title and culprit, then its JSON without what the
    `ListedIssue` holds anyway (id, texts, counts, times, the list's stats series…). A field is
    left out of the JSON only when the listed form gives it back exactly (checked per issue);
    `decode` puts them back. The dictionary is the list's first page (`IssueMap` sets it), so
    issues of other kinds than the first compress too.
    """

    def __init__(self) -> None:
        self.zdict: bytes | None = None

    def set_dictionary(self, zdict: bytes) -> None:
        self.zdict = zdict[-ZDICT_SIZE:]

    @staticmethod
    def dump(issue: Issue) -> bytes:
        """The issue's JSON (Sentry's names, defaults left out): equal issues, equal text."""
        return issue.model_dump_json(by_alias=True, exclude_defaults=True).encode()

    def _dictionary(self, own: bytes) -> bytes:
        """The shared text with the issue's own at its end (the nearest, so the cheapest to
        refer to): its metadata, permalink and times repeat its id and first seen."""
        assert self.zdict is not None
        return (self.zdict + own)[-ZDICT_SIZE:]

    def pack(self, text: bytes, own: bytes) -> bytes:
        """`text` deflated against the shared text and `own` (None: the shared text alone)."""
        if self.zdict is None:
            self.set_dictionary(text)
        zdict = self.zdict if own is None else self._dictionary(own)
        assert zdict is not None
        packer = zlib.compressobj(6, zlib.DEFLATED, _WBITS, zdict=zdict)
        return packer.compress(text) + packer.flush()

    def unpack(self, blob: bytes, own: bytes | None) -> bytes:
        zdict = self.zdict if own is None else self._dictionary(own)
        assert zdict is not None
        unpacker = zlib.decompressobj(_WBITS, zdict=zdict)
        return unpacker.decompress(blob) + unpacker.flush()

    def decode(self, listed: ListedIssue, stats_key: str) -> Issue:
        """The full issue: the blob's fields plus the listed ones."""
        (short_id, title, culprit), data = listed._stream(self)
        flags = listed._flags
        data.update(
            id=listed.id,
            shortId=short_id,
            title=title,
            culprit=None if flags & _NO_CULPRIT else culprit,
            level=listed.level,
            status=listed.status,
            substatus=listed.substatus,
            isBookmarked=bool(flags & _BOOKMARKED),
            hasSeen=bool(flags & _SEEN),
        )
        data["count"] = listed.count
        data["userCount"] = listed.user_count
        if not flags & _KEEP_FIRST:
            data["firstSeen"] = listed.first_seen
        if not flags & _KEEP_LAST:
            data["lastSeen"] = listed.last_seen
        if not flags & _KEEP_STATS:
            step = SERIES_STEP[stats_key]
            stats = data.get("stats") or {}
            stats[stats_key] = [(t, float(n)) for t, n in listed.series(step)]
            data["stats"] = stats
        return Issue.model_validate(data)


#: a listed issue's level, status, substatus, project and assignee, one tuple per distinct
#: combination (a list has a few hundred at most): each issue holds its tuple's index
_STATES: list[tuple[str, str, str | None, ProjectRef | None, Assignee | None]] = []
_STATE_INDEX: dict[tuple[Any, ...], int] = {}


def _model_key(model: Any) -> Any:
    return None if model is None else (type(model), model.model_dump_json())


def _state_of(issue: Issue) -> int:
    """The index of the issue's (level, status, substatus, project, assignee) in `_STATES`."""
    project, assignee = issue.project, issue.assigned_to
    key = (issue.level, issue.status, issue.substatus, _model_key(project), _model_key(assignee))
    index = _STATE_INDEX.get(key)
    if index is None:
        intern = sys.intern
        substatus = intern(issue.substatus) if issue.substatus else issue.substatus
        index = len(_STATES)
        _STATES.append((intern(issue.level), intern(issue.status), substatus, project, assignee))
        _STATE_INDEX[key] = index
    return index


def _own(texts: bytes, packed: bytes, issue_id: str) -> bytes:
    """What a listed issue's rest is compressed against besides the list's shared text: its
    texts, id and first seen (the first seen read from its packed part: the same when packing
    and unpacking). Its metadata, permalink and times repeat them; the last seen too, but
    formatting a time costs µs, in every poll's comparison."""
    first = struct.unpack_from("<d", packed)[0]
    return texts + f" {_iso(first)} {issue_id}".encode()


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat()[:26] if ts else ""


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
    }
)


class ListedIssue:
    """What the issue list reads of one issue; the attribute names are `Issue`'s.

    The id is a slot; the numbers, flags, stats series, the index of its level/status/
    substatus/project/assignee (shared, `_STATES`) and the compressed short id, title, culprit
    and rest of the issue are one `bytes` (`_packed`): two objects instead of a dozen per issue
    (the texts are read for the rows drawn, the search text and a poll's comparison only). The
    list's codec (`_codec`, its shared dictionary) reads the compressed part.
    """

    __slots__ = ("_codec", "_packed", "id")

    id: str

    @classmethod
    def unpacked(cls, issue_id: str, packed: bytes, codec: IssueCodec) -> ListedIssue:
        """The listed issue of `packed` (what `IssueMap` and issue rows keep: bytes only)."""
        listed = cls()
        listed.id = issue_id
        listed._packed = packed
        listed._codec = codec
        return listed

    @classmethod
    def of(cls, issue: Issue, codec: IssueCodec, stats_key: str) -> ListedIssue:
        listed, text, head = cls._parts(issue, stats_key)
        texts = cls._texts_of(issue)
        if codec.zdict is None:
            codec.set_dictionary(texts + text)
        ztexts = codec.pack(texts, None)
        rest = codec.pack(text, _own(texts, head, issue.id))
        head[_ZTEXTS_AT : _ZTEXTS_AT + 4] = _STATE.pack(len(ztexts))
        listed._packed = bytes(head + ztexts + rest)
        listed._codec = codec
        return listed

    @staticmethod
    def _texts_of(issue: Issue) -> bytes:
        """Short id, title and culprit as one UTF-8 text (what their stream holds)."""
        return _utf8(issue.short_id) + _utf8(issue.title) + _utf8(issue.culprit or "")

    @classmethod
    def _parts(cls, issue: Issue, stats_key: str) -> tuple[ListedIssue, bytes, bytearray]:
        """The listed issue (without `_packed`), the rest's JSON (what the texts and the other
        packed fields do not give back) and the packed part before the streams (their
        compressed texts' length still 0)."""
        listed = cls()
        listed.id = issue.id
        flags = (_BOOKMARKED if issue.is_bookmarked else 0) | (_SEEN if issue.has_seen else 0)
        exclude: dict[str, Any] = dict.fromkeys(_LISTED_FIELDS, True)
        count, users = issue.count, issue.user_count
        exclude["count"] = exclude["user_count"] = True
        short, title = _utf8(issue.short_id), _utf8(issue.title)
        culprit = b"" if issue.culprit is None else _utf8(issue.culprit)
        if issue.culprit is None:
            flags |= _NO_CULPRIT
        lengths = (len(short), len(title), len(culprit), 0)
        big = b""
        if not (0 <= count < _U32 and 0 <= users < _U32):  # kept as decimal text, raw
            flags |= _BIG_COUNT
            big_count, big_users = str(count).encode(), str(users).encode()
            big = big_count + big_users
            count, users = len(big_count), len(big_users)
        first, last = _timestamp(issue.first_seen), _timestamp(issue.last_seen)
        if _datetime(first) == issue.first_seen:
            exclude["first_seen"] = True
        else:
            flags |= _KEEP_FIRST
        if _datetime(last) == issue.last_seen:
            exclude["last_seen"] = True
        else:
            flags |= _KEEP_LAST
        series = issue.stats.get(stats_key) or []
        counts = [max(0, int(point[1])) for point in series]
        start = float(series[0][0]) if series else 0.0
        step = SERIES_STEP.get(stats_key)
        rebuilt = [(start + i * step, float(n)) for i, n in enumerate(counts)] if step else None
        if stats_key in issue.stats and rebuilt == issue.stats[stats_key]:
            exclude["stats"] = {stats_key}
        else:
            flags |= _KEEP_STATS
        top = max(counts, default=0)
        code = next((c for limit, c in _BUCKET_TYPES if top <= limit), "Q")
        head = _HEAD.pack(
            first,
            last,
            count,
            users,
            start,
            flags,
            code.encode(),
            len(counts),
            *lengths,
            _state_of(issue),
        )
        text = issue.model_dump_json(by_alias=True, exclude_defaults=True, exclude=exclude)
        return listed, text.encode(), bytearray(head + array(code, counts).tobytes() + big)

    # -- the packed part ----------------------------------------------------------------------

    @property
    def _flags(self) -> int:
        return self._packed[_FLAGS_AT]

    def _layout(self) -> tuple[int, int, int, int, int]:
        """Where the raw part after the counts starts (big counts' text, then the streams), the
        UTF-8 lengths of short id, title and culprit, and their compressed stream's length."""
        packed = self._packed
        code, length, short, title, culprit, ztexts = _TEXTS.unpack_from(packed, _FLAGS_AT + 1)
        at = _HEAD.size + _ITEMSIZE[code] * length
        if packed[_FLAGS_AT] & _BIG_COUNT:
            count, users = _COUNTS.unpack_from(packed, _COUNTS_AT)
            at += count + users
        return at, short, title, culprit, ztexts

    def _raw_texts(self, codec: IssueCodec) -> tuple[bytes, int, int, bytes]:
        """The texts' stream inflated, the UTF-8 lengths of short id and title, and the rest's
        stream (still compressed)."""
        at, short, title, _culprit, ztexts = self._layout()
        packed = self._packed
        return codec.unpack(packed[at : at + ztexts], None), short, title, packed[at + ztexts :]

    def _texts(self) -> tuple[str, str, str]:
        """Short id, title and culprit ("" for none), inflated."""
        raw, short, title, _rest = self._raw_texts(self._codec)
        mid = short + title
        return _text(raw[:short]), _text(raw[short:mid]), _text(raw[mid:])

    def _stream(self, codec: IssueCodec) -> tuple[tuple[str, str, str], dict[str, Any]]:
        """Both streams read: the three texts and the rest of the issue (its JSON, parsed)."""
        raw, short, title, rest = self._raw_texts(codec)
        mid = short + title
        texts = (_text(raw[:short]), _text(raw[short:mid]), _text(raw[mid:]))
        data: dict[str, Any] = json.loads(codec.unpack(rest, _own(raw, self._packed, self.id)))
        return texts, data

    def _series_array(self) -> array[int]:
        code, length = chr(self._packed[_FLAGS_AT + 1]), _HEAD.unpack_from(self._packed)[7]
        counts = array(code)
        size = _HEAD.size
        counts.frombytes(self._packed[size : size + counts.itemsize * length])
        return counts

    @property
    def short_id(self) -> str:
        return self._texts()[0]

    @property
    def title(self) -> str:
        return self._texts()[1]

    @property
    def culprit(self) -> str | None:
        if self._flags & _NO_CULPRIT:
            return None
        return self._texts()[2]

    def search_texts(self) -> tuple[str, str, str]:
        """Short id, title and culprit ("" for none) in one read (the filter's search text, the
        row's cells)."""
        return self._texts()

    @property
    def _state(self) -> tuple[str, str, str | None, ProjectRef | None, Assignee | None]:
        return _STATES[_STATE.unpack_from(self._packed, _STATE_AT)[0]]

    @property
    def level(self) -> str:
        return self._state[0]

    @property
    def status(self) -> str:
        return self._state[1]

    @property
    def substatus(self) -> str | None:
        return self._state[2]

    @property
    def project(self) -> ProjectRef | None:
        return self._state[3]

    @property
    def assigned_to(self) -> Assignee | None:
        return self._state[4]

    def _big_counts(self) -> tuple[int, int]:
        """Counts outside 32 bits (or negative), kept as decimal text after the series."""
        count, users = _COUNTS.unpack_from(self._packed, _COUNTS_AT)
        code, length = _TEXTS.unpack_from(self._packed, _FLAGS_AT + 1)[:2]
        at = _HEAD.size + _ITEMSIZE[code] * length
        packed = self._packed
        return int(packed[at : at + count]), int(packed[at + count : at + count + users])

    @property
    def count(self) -> int:
        if self._flags & _BIG_COUNT:
            return self._big_counts()[0]
        return int(_HEAD.unpack_from(self._packed)[2])

    @property
    def user_count(self) -> int:
        if self._flags & _BIG_COUNT:
            return self._big_counts()[1]
        return int(_HEAD.unpack_from(self._packed)[3])

    @property
    def is_bookmarked(self) -> bool:
        return bool(self._flags & _BOOKMARKED)

    @property
    def has_seen(self) -> bool:
        return bool(self._flags & _SEEN)

    def same_as(self, other: ListedIssue) -> bool:
        """The same issue in every field (what a poll compares: equal means unchanged); both of
        one list (one codec: equal bytes, equal texts)."""
        return self._packed == other._packed and self.id == other.id

    def holds(self, issue: Issue, codec: IssueCodec, stats_key: str) -> bool:
        """Whether `issue` is exactly what this holds, found without encoding it anew.

        Why: most of a poll's page is unchanged, and `of` (dump, pack, compress) for each of its
        100 issues was the tick's biggest cost. Here the listed fields are compared directly
        and the rest, dumped the way `of` dumps it, against the blob's text. False when in
        doubt (rare forms, kept verbatim: `same_as` on a fresh encoding decides then).
        """
        first, last, count, users, start, flags, _code, length, *_ = _HEAD.unpack_from(self._packed)
        if flags & (_KEEP_FIRST | _KEEP_LAST | _KEEP_STATS | _BIG_COUNT):
            return False
        fresh_flags = (_BOOKMARKED if issue.is_bookmarked else 0) | (_SEEN if issue.has_seen else 0)
        if issue.culprit is None:
            fresh_flags |= _NO_CULPRIT
        if (
            flags != fresh_flags
            or count != issue.count
            or users != issue.user_count
            or self.id != issue.id
            or self._state
            != (issue.level, issue.status, issue.substatus, issue.project, issue.assigned_to)
            or _datetime(first) != issue.first_seen
            or _datetime(last) != issue.last_seen
        ):
            return False
        series = issue.stats.get(stats_key)
        step = SERIES_STEP.get(stats_key)
        if series is None or step is None or len(series) != length:
            return False
        rebuilt = [(start + i * step, float(n)) for i, n in enumerate(self._series_array())]
        if rebuilt != series:
            return False
        text = issue.model_dump_json(
            by_alias=True, exclude_defaults=True, exclude=_BLOB_EXCLUDE[stats_key]
        )
        raw, _short, _title, rest = self._raw_texts(codec)
        if raw != self._texts_of(issue):
            return False
        return text.encode() == codec.unpack(rest, _own(raw, self._packed, self.id))

    @property
    def buckets(self) -> list[int]:
        """Event counts of the list's stats series, oldest first."""
        return self._series_array().tolist()

    def series(self, step: float) -> list[tuple[float, int]]:
        """The list's stats series as Sentry sent it: `(bucket start, count)`, `step` apart."""
        start = _HEAD.unpack_from(self._packed)[4]
        return [(start + i * step, n) for i, n in enumerate(self._series_array())]

    @property
    def first_seen(self) -> datetime | None:
        return _datetime(self.first_seen_ts)

    @property
    def last_seen(self) -> datetime | None:
        return _datetime(self.last_seen_ts)

    @property
    def last_seen_ts(self) -> float:
        return float(_HEAD.unpack_from(self._packed)[1])

    @property
    def first_seen_ts(self) -> float:
        return float(_HEAD.unpack_from(self._packed)[0])


def _blob_exclude(stats_key: str) -> dict[str, Any]:
    """What `ListedIssue._parts` leaves out of the blob when every field round-trips."""
    exclude: dict[str, Any] = dict.fromkeys(_LISTED_FIELDS, True)
    exclude.update(count=True, user_count=True, first_seen=True, last_seen=True)
    exclude["stats"] = {stats_key}
    return exclude


_BLOB_EXCLUDE = {key: _blob_exclude(key) for key in SERIES_STEP}


class IssueMap(MutableMapping[str, Issue]):
    """Issues by id, stored as `ListedIssue` bytes; reading an item gives the full `Issue` back."""

    def __init__(self, stats_key: str, issues: Iterable[Issue] = ()) -> None:
        self.stats_key = stats_key
        self._codec = IssueCodec()
        #: each issue's packed bytes (`ListedIssue._packed`): a `ListedIssue` is made when read
        self._listed: dict[str, bytes] = {}
        self._parsed: OrderedDict[str, Issue] = OrderedDict()
        issues = list(issues)
        if issues:  # the first page is the dictionary every issue's blob is compressed with
            texts = [
                ListedIssue._texts_of(issue) + ListedIssue._parts(issue, stats_key)[1]
                for issue in issues
            ]
            self._codec.set_dictionary(b"".join(texts)[-ZDICT_SIZE:])
        for issue in issues:
            self[issue.id] = issue

    @property
    def codec(self) -> IssueCodec:
        """What reads the compressed part of this list's packed bytes (rows keep bytes only)."""
        return self._codec

    def listed(self, issue_id: str) -> ListedIssue:
        return ListedIssue.unpacked(issue_id, self._listed[issue_id], self._codec)

    def listed_values(self) -> Iterator[ListedIssue]:
        unpacked, codec = ListedIssue.unpacked, self._codec
        return (unpacked(issue_id, packed, codec) for issue_id, packed in self._listed.items())

    def make(self, issue: Issue) -> ListedIssue:
        """`issue` as a listed issue (not stored; `ListedIssue.same_as` compares two)."""
        return ListedIssue.of(issue, self._codec, self.stats_key)

    def fresh(self, issue: Issue) -> ListedIssue | None:
        """`issue` as a listed issue when it differs from the stored one (or is new); None when
        it is what is stored already — the usual case in a poll, found without encoding it."""
        packed = self._listed.get(issue.id)
        before = None if packed is None else ListedIssue.unpacked(issue.id, packed, self._codec)
        if before is not None and before.holds(issue, self._codec, self.stats_key):
            return None
        listed = self.make(issue)
        return None if before is not None and listed.same_as(before) else listed

    def parse(self, listed: ListedIssue) -> Issue:
        """`listed` as a full issue, without the parse cache: safe in a worker thread."""
        return self._codec.decode(listed, self.stats_key)

    def discard(self, issue_id: str) -> None:
        """Forget an issue (without parsing it, unlike `pop`)."""
        self._listed.pop(issue_id, None)
        self._parsed.pop(issue_id, None)

    def store(self, issue: Issue, listed: ListedIssue | None = None) -> None:
        self._listed[issue.id] = (listed or self.make(issue))._packed
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
        listed = self.listed(issue_id)
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
