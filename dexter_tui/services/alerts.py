"""Alert rules as an on-call engineer reads them: "is the alert that paged me sane?".

Sentry has two generations of issue alerts. The legacy project rules
(`/projects/{org}/{project}/rules/`) are what older self-hosted installs (and the demo) serve; newer
Sentry adds org-level "workflows" (alerts) and "detectors" (monitors). We list the legacy rules,
and probe the newer endpoints once — a 404 means "not on this server", never an error on screen.

Rules come back as lists of `{"id": "<python path>", ...settings}` components; Sentry usually adds a
readable `name`, and we fall back to our own sentence (or the class name) when it does not, so the
screen never shows raw JSON.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.errors import NotFound, ReadOnlyError, ScopeError, SentryError
from dexter_tui.sentry.models import AlertRule

#: Sentences for components when Sentry sends no `name` (older servers, the workflows API).
FALLBACK_LABELS = {
    "FirstSeenEventCondition": "A new issue is created",
    "RegressionEventCondition": "The issue changes state from resolved to unresolved",
    "ReappearedEventCondition": "The issue changes state from archived to escalating",
    "EventFrequencyCondition": "The issue is seen more than {value} times in {interval}",
    "EventUniqueUserFrequencyCondition": (
        "The issue is seen by more than {value} users in {interval}"
    ),
    "LevelFilter": "The event's level is {match} {level}",
    "TaggedEventFilter": "The event's tags match {key} {match} {value}",
    "IssueOccurrencesFilter": "The issue has happened at least {value} times",
    "NotifyEmailAction": "Send a notification to {targetType}",
    "NotifyEventAction": "Send a notification to all legacy integrations",
}
MATCH_WORDS = {"all": "all of", "any": "any of", "none": "none of"}
NOT_EXPOSED = "This Sentry does not say which issues a rule fired for (no group-history endpoint)."


def component_text(item: dict[str, Any]) -> str:
    """One condition, filter or action as a sentence."""
    name = item.get("name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    ident = str(item.get("id") or item.get("type") or "unknown component")
    short = ident.rsplit(".", 1)[-1]
    template = FALLBACK_LABELS.get(short)
    if template is not None:
        try:
            return template.format_map({k: v for k, v in item.items() if k != "id"})
        except (KeyError, IndexError, ValueError):
            return template.split(" {", 1)[0]
    # "SlackNotifyServiceAction" / "first_seen_event" -> "Slack notify service action" / ...
    words = re.sub(r"(?<!^)(?=[A-Z])", " ", short).replace("_", " ").lower()
    return words[:1].upper() + words[1:]


def frequency_text(minutes: int | None) -> str:
    if not minutes:
        return "No limit on how often it notifies"
    if minutes % 1440 == 0:
        amount, unit = minutes // 1440, "day"
    elif minutes % 60 == 0:
        amount, unit = minutes // 60, "hour"
    else:
        amount, unit = minutes, "minute"
    every = unit if amount == 1 else f"{amount} {unit}s"
    return f"Notifies at most once every {every} per issue"


def ago(when: datetime | None, now: float) -> str:
    if when is None:
        return "never"
    seconds = max(0.0, now - when.timestamp())
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{int(seconds // size)}{unit} ago"
    return "just now"


@dataclass
class RuleItem:
    """One alert rule of one project, or (read-only) a newer-API workflow."""

    project: str
    rule: AlertRule
    source: str = "rule"  # "rule" (legacy, editable) | "workflow" (read-only here)

    @property
    def key(self) -> str:
        return f"{self.source}:{self.project}:{self.rule.id}"

    @property
    def editable(self) -> bool:
        return self.source == "rule"

    @property
    def snoozed(self) -> bool:
        return bool(self.rule.snooze)

    def status_text(self) -> str:
        state = "enabled" if self.rule.is_enabled else "disabled"
        return f"{state}, snoozed" if self.snoozed else state


@dataclass
class RuleDescription:
    """A rule in sentences, section by section (what the detail pane shows)."""

    sections: list[tuple[str, list[str]]] = field(default_factory=list)


def describe(
    item: RuleItem, now: float, owner_name: Callable[[str], str] | None = None
) -> RuleDescription:
    rule = item.rule
    extra = rule.model_extra or {}
    out = RuleDescription()
    conditions = [component_text(c) for c in rule.conditions]
    match = MATCH_WORDS.get(rule.action_match or "all", "all of")
    out.sections.append(
        (
            f"When {match} these happen" if len(conditions) > 1 else "When",
            conditions or ["(no trigger: the rule never fires)"],
        )
    )
    if rule.filters:
        fmatch = MATCH_WORDS.get(rule.filter_match or "all", "all of")
        out.sections.append(
            (f"If {fmatch} these are true", [component_text(f) for f in rule.filters])
        )
    out.sections.append(("Then", [component_text(a) for a in rule.actions] or ["(no action)"]))
    env = (
        f"Only events in the {rule.environment} environment"
        if rule.environment
        else ("Events in every environment")
    )
    owner = rule.owner
    owner_text = (owner_name(owner) if owner_name else owner) if owner else "nobody"
    created_by = extra.get("createdBy")
    creator = created_by.get("name") if isinstance(created_by, dict) else None
    lines = [
        env,
        frequency_text(rule.frequency),
        f"Status: {item.status_text()}",
        f"Last triggered: {ago(rule.last_triggered, now)}",
        snooze_text(item),
        f"Owner: {owner_text}" + (f" · created by {creator}" if creator else ""),
    ]
    if not item.editable:
        lines.append("From Sentry's newer Alerts (workflows) API: read-only here")
    out.sections.append(("Details", lines))
    return out


def snooze_text(item: RuleItem) -> str:
    if not item.snoozed:
        return "Not snoozed"
    extra = item.rule.model_extra or {}
    who = extra.get("snoozeCreatedBy")
    scope = "for everyone" if extra.get("snoozeForEveryone") else "for you"
    return f"Snoozed {scope}" + (f" (by {who})" if who else "")


def owner_namer(teams: Iterable[Any], members: Iterable[Any]) -> Callable[[str], str]:
    """`team:12` / `user:3` → a readable name from the workspace (else the raw value)."""
    team_names = {str(t.id): f"#{t.slug or t.name}" for t in teams}
    user_names = {
        str(m.user.id): m.name or m.email or str(m.user.id)
        for m in members
        if getattr(m, "user", None) is not None
    }

    def name(owner: str) -> str:
        kind, _, ident = owner.partition(":")
        if kind == "team":
            return team_names.get(ident, owner)
        if kind == "user":
            return user_names.get(ident, owner)
        return owner

    return name


@dataclass
class Probe:
    """Whether a newer alerts endpoint exists here: `items` is None when it does not."""

    name: str
    items: list[dict[str, Any]] | None = None
    note: str = ""


@dataclass
class AlertsOverview:
    items: list[RuleItem] = field(default_factory=list)
    probes: list[Probe] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # project -> why its rules are missing

    def notes(self) -> list[str]:
        out = [f"{p}: {why}" for p, why in self.errors.items()]
        out += [p.note for p in self.probes if p.note]
        return out


@dataclass
class FiredFor:
    """The issues a rule fired for, or why we cannot tell."""

    groups: list[dict[str, Any]] | None
    note: str = ""


def workflow_rule(data: dict[str, Any]) -> AlertRule:
    """A newer-API workflow in the legacy rule's shape, for display only."""
    triggers = data.get("triggers") if isinstance(data.get("triggers"), dict) else {}
    conditions = triggers.get("conditions", []) if isinstance(triggers, dict) else []
    filters: list[dict[str, Any]] = []
    actions: list[dict[str, Any]] = []
    for group in data.get("actionFilters") or []:
        if isinstance(group, dict):
            filters += [c for c in group.get("conditions") or [] if isinstance(c, dict)]
            actions += [a for a in group.get("actions") or [] if isinstance(a, dict)]
    owner = data.get("owner")
    return AlertRule.model_validate(
        {
            "id": str(data.get("id", "")),
            "name": str(data.get("name", "")),
            "conditions": [c for c in conditions if isinstance(c, dict)],
            "filters": filters,
            "actions": actions,
            "environment": data.get("environment"),
            "enabled": data.get("enabled"),
            "lastTriggered": data.get("lastTriggered"),
            "owner": owner if isinstance(owner, str) else None,
            "frequency": (data.get("config") or {}).get("frequency")
            if isinstance(data.get("config"), dict)
            else None,
        }
    )


class AlertService:
    """Loads and changes alert rules; refuses changes in read-only mode before any request."""

    def __init__(
        self,
        client: SentryClient,
        org: str,
        *,
        read_only: bool = False,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client = client
        self.org = org
        self.read_only = read_only
        self.clock = clock
        self._probes: list[Probe] | None = None

    async def load(self, projects: Iterable[str]) -> AlertsOverview:
        """Every legacy rule of `projects` (slugs), plus workflows when the server has them."""
        slugs = list(projects)
        overview = AlertsOverview()
        results = await asyncio.gather(
            *(self.client.list_alert_rules(self.org, s) for s in slugs), return_exceptions=True
        )
        for slug, result in zip(slugs, results, strict=True):
            if isinstance(result, NotFound | ScopeError):
                overview.errors[slug] = str(result)
            elif isinstance(result, BaseException):
                raise result
            else:
                overview.items += [RuleItem(slug, r) for r in result]
        overview.probes = await self.probe()
        for probe in overview.probes:
            if probe.name == "workflows" and probe.items:
                overview.items += [
                    RuleItem("(org)", workflow_rule(w), source="workflow") for w in probe.items
                ]
        return overview

    async def probe(self) -> list[Probe]:
        """Probe `workflows` and `detectors` once per service: present, absent or forbidden."""
        if self._probes is None:
            self._probes = [await self._probe_one(n) for n in ("workflows", "detectors")]
        return self._probes

    async def _probe_one(self, name: str) -> Probe:
        try:
            items = await self.client.list_org_resource(self.org, name)
        except NotFound:
            return Probe(name, None, "")
        except ScopeError:
            return Probe(name, None, f"{name}: the token may not read them")
        except SentryError as error:
            return Probe(name, None, f"{name}: could not check ({error.status or 'network'})")
        return Probe(name, items, f"{name}: {len(items)} on this server (read-only here)")

    def _check_write(self, item: RuleItem) -> None:
        if self.read_only:
            raise ReadOnlyError("read-only mode: alert rules are not changed")
        if not item.editable:
            raise ReadOnlyError("this alert comes from the workflows API: change it in Sentry")

    async def set_enabled(self, item: RuleItem, enabled: bool) -> RuleItem:
        self._check_write(item)
        rule = await self.client.set_alert_rule_enabled(
            self.org, item.project, item.rule.id, enabled
        )
        return RuleItem(item.project, rule)

    async def snooze(self, item: RuleItem, *, everyone: bool = False) -> RuleItem:
        self._check_write(item)
        target = "everyone" if everyone else "me"
        await self.client.snooze_alert_rule(self.org, item.project, item.rule.id, target=target)
        return await self.reload(item)

    async def unsnooze(self, item: RuleItem) -> RuleItem:
        self._check_write(item)
        everyone = bool((item.rule.model_extra or {}).get("snoozeForEveryone"))
        target = "everyone" if everyone else "me"
        await self.client.unsnooze_alert_rule(self.org, item.project, item.rule.id, target=target)
        return await self.reload(item)

    async def reload(self, item: RuleItem) -> RuleItem:
        rule = await self.client.get_alert_rule(self.org, item.project, item.rule.id)
        return RuleItem(item.project, rule)

    async def fired_for(self, item: RuleItem) -> FiredFor:
        if not item.editable:
            return FiredFor(None, "Sentry's workflows API does not list the issues here.")
        try:
            groups = await self.client.alert_rule_group_history(
                self.org, item.project, item.rule.id
            )
        except NotFound:
            return FiredFor(None, NOT_EXPOSED)
        noun = "issue" if len(groups) == 1 else "issues"
        return FiredFor(groups, f"{len(groups)} {noun} in the last 14 days")
