"""Merge candidates for one issue: Sentry's similar-issues route, else a local, visible score.

Why: the same bug often lands in several issues (a message with an id in it, a line moved by a
deploy, another code path into the same helper). Sentry's similarity backend finds them where it
runs (`/issues/{id}/similar/`, outside the public schema); where the route is absent (404) or has
nothing to say, the score is computed here from what an engineer would compare by eye:

- **type** (0.35): the same exception type;
- **message** (0.35): token overlap of the messages after normalising what varies per event —
  numbers, hex ids, UUIDs, quoted values, e-mail addresses;
- **frames** (0.30): overlap of the in-app frames (file + function) of the latest events.

Candidates are the issues of the same project (one list request). Only those whose type or
message already agree get their latest event fetched for the frame part (at most `DEEP`
requests), so the cost stays bounded whatever the project's size.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.errors import NotFound, SentryError
from dexter_tui.sentry.models import Event, Issue

WEIGHTS = {"type": 0.35, "message": 0.35, "frames": 0.30}
#: candidates whose latest event is fetched for the frame comparison
DEEP = 8
#: below this the candidate is not listed
THRESHOLD = 0.3

_NORMALISE = [
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I), "<uuid>"),
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "<email>"),
    (re.compile(r"'[^']*'|\"[^\"]*\""), "<str>"),
    (re.compile(r"\b0x[0-9a-f]+\b|\b[0-9a-f]{12,}\b", re.I), "<hex>"),
    (re.compile(r"\d+(?:[.,]\d+)?"), "<n>"),
]
_TOKEN = re.compile(r"<\w+>|\w+")


def normalise(message: str) -> str:
    """The message with per-event values replaced by placeholders (`'SKU-1'` → `<str>`).

    A message that is one quoted value as a whole (`KeyError: 'invoice_id'`) keeps its words:
    there the value *is* the message."""
    text = message.strip().casefold()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    for pattern, placeholder in _NORMALISE:
        text = pattern.sub(placeholder, text)
    return text


def _tokens(message: str) -> set[str]:
    return set(_TOKEN.findall(normalise(message)))


def jaccard(
    a: set[str] | frozenset[tuple[str, str]], b: set[str] | frozenset[tuple[str, str]]
) -> float:
    if not a and not b:
        return 0.0
    return len(a & b) / len(a | b)


@dataclass(frozen=True)
class Signature:
    """What the local score compares: exception type, message, in-app frames."""

    type: str
    message: str
    frames: frozenset[tuple[str, str]] = frozenset()

    @classmethod
    def of_issue(cls, issue: Issue) -> Signature:
        meta = issue.metadata
        kind = str(meta.get("type") or "")
        message = str(meta.get("value") or meta.get("title") or "")
        if not kind and not message:
            kind, _, message = issue.title.partition(": ")
            if not message:
                kind, message = "", issue.title
        return cls(kind, message)

    def with_event(self, event: Event | None) -> Signature:
        data = event.exception if event is not None else None
        frames: set[tuple[str, str]] = set()
        for value in data.values if data else []:
            for frame in value.stacktrace.frames if value.stacktrace else []:
                if frame.in_app:
                    frames.add((frame.filename or frame.module or "", frame.function or ""))
        return Signature(self.type, self.message, frozenset(frames))


def score_parts(a: Signature, b: Signature, *, frames: bool = True) -> dict[str, float]:
    """Each part 0..1 (see the module doc); `frames=False` before the events are known."""
    parts = {
        "type": 1.0 if a.type and a.type == b.type else 0.0,
        "message": jaccard(_tokens(a.message), _tokens(b.message)),
    }
    if frames:
        parts["frames"] = jaccard(a.frames, b.frames)
    return parts


def total(parts: dict[str, float | None]) -> float:
    return sum(WEIGHTS.get(k, 0.0) * (v or 0.0) for k, v in parts.items())


@dataclass
class Candidate:
    """One issue that may be the same problem, with why (the parts of its score)."""

    issue: Issue
    score: float
    parts: dict[str, float | None] = field(default_factory=dict)


@dataclass
class SimilarResult:
    """Candidates, best first, and where the scores come from ("sentry" or "local")."""

    issue: Issue
    candidates: list[Candidate]
    source: str
    requests: int = 0


def _sentry_score(scores: dict[str, float | None]) -> float:
    """Sentry's per-feature scores (exception message, stack trace…) as one 0..1 figure."""
    known = [v for v in scores.values() if v is not None]
    return sum(known) / len(known) if known else 0.0


async def _from_sentry(client: SentryClient, org: str, issue: Issue) -> list[Candidate] | None:
    try:
        pairs = await client.list_similar_issues(org, issue.id)
    except NotFound:
        return None  # no similarity route here: score locally
    found = [Candidate(i, _sentry_score(s), dict(s)) for i, s in pairs if i.id != issue.id]
    found.sort(key=lambda c: -c.score)
    return found or None


async def _latest(client: SentryClient, org: str, issue_id: str) -> Event | None:
    try:
        return await client.get_issue_event(org, issue_id, "latest")
    except SentryError:
        return None  # an unreadable candidate is compared without its frames


async def local_candidates(
    client: SentryClient, org: str, issue: Issue, *, event: Event | None = None
) -> tuple[list[Candidate], int]:
    """Score the project's other issues locally; (candidates best first, requests made)."""
    project = issue.project.id if issue.project and issue.project.id else None
    page = await client.list_issues(
        org, query="", projects=[project] if project else None, sort="date", limit=100
    )
    requests = 1
    mine = Signature.of_issue(issue)
    pre: list[tuple[float, Issue, Signature]] = []
    for other in page.items:
        if other.id == issue.id:
            continue
        sig = Signature.of_issue(other)
        rough = total(score_parts(mine, sig, frames=False))
        if rough > 0:
            pre.append((rough, other, sig))
    pre.sort(key=lambda t: -t[0])
    deep = pre[:DEEP]
    if event is None or not event.entries:
        event = await _latest(client, org, issue.id)
        requests += 1
    mine = mine.with_event(event)
    events = await asyncio.gather(*(_latest(client, org, o.id) for _, o, _ in deep))
    requests += len(deep)
    found = []
    for (_, other, sig), other_event in zip(deep, events, strict=True):
        parts = score_parts(mine, sig.with_event(other_event))
        value = total(parts)
        if value >= THRESHOLD:
            found.append(Candidate(other, value, dict(parts)))
    found.sort(key=lambda c: (-c.score, c.issue.short_id))
    return found, requests


async def similar_issues(
    client: SentryClient, org: str, issue: Issue, *, event: Event | None = None
) -> SimilarResult:
    """Sentry's similar issues where the server has them, else the local score."""
    found = await _from_sentry(client, org, issue)
    if found is not None:
        return SimilarResult(issue, found, "sentry", 1)
    candidates, requests = await local_candidates(client, org, issue, event=event)
    return SimilarResult(issue, candidates, "local", requests + 1)


def explain(candidate: Candidate) -> str:
    """`type 100% · message 80% · frames 50%` — why a candidate is listed."""
    return " · ".join(
        f"{name} {value * 100:.0f}%" if value is not None else f"{name} —"
        for name, value in candidate.parts.items()
    )


def same_project(issue: Issue, others: Sequence[Issue]) -> list[Issue]:
    """The candidates Sentry can merge with `issue` (merges stay within one project)."""
    key = issue.project.id if issue.project else None
    return [o for o in others if (o.project.id if o.project else None) == key]
