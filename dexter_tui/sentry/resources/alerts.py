"""Alert rules: the legacy issue-alert routes, still served (SENTRY_API.md §6).

Enable/disable, snooze and the issues a rule fired for; newer alerting APIs that exist only on
some Sentry versions are probed through `OrgsApi.list_org_resource`.
"""

from __future__ import annotations

from typing import Any

from dexter_tui.sentry.decoding import dict_list, json_body, parse, parse_list
from dexter_tui.sentry.models import AlertRule
from dexter_tui.sentry.transport import Transport
from dexter_tui.sentry.urls import API, pairs, q


class AlertRulesApi(Transport):
    """Read, toggle and snooze a project's alert rules."""

    async def list_alert_rules(self, org: str, project: str) -> list[AlertRule]:
        response = await self.request(
            "GET", f"{API}/projects/{q(org)}/{q(project)}/rules/", org=org
        )
        return parse_list(response, AlertRule)

    async def get_alert_rule(self, org: str, project: str, rule_id: str | int) -> AlertRule:
        return await self._get(
            f"{API}/projects/{q(org)}/{q(project)}/rules/{q(rule_id)}/", AlertRule, org=org
        )

    async def set_alert_rule_enabled(
        self, org: str, project: str, rule_id: str | int, enabled: bool
    ) -> AlertRule:
        """Enable or disable a rule: PUT the rule back with `status` changed (idempotent)."""
        rule = await self.get_alert_rule(org, project, rule_id)
        body = rule.model_dump(
            by_alias=True,
            mode="json",
            include={
                "name",
                "conditions",
                "filters",
                "actions",
                "action_match",
                "filter_match",
                "frequency",
                "environment",
                "owner",
            },
            exclude_none=True,
        )
        body["status"] = "active" if enabled else "disabled"
        response = await self.request(
            "PUT",
            f"{API}/projects/{q(org)}/{q(project)}/rules/{q(rule_id)}/",
            org=org,
            json=body,
            idempotent=True,
        )
        return parse(response, AlertRule)

    async def snooze_alert_rule(
        self,
        org: str,
        project: str,
        rule_id: str | int,
        *,
        target: str = "me",
        until: str | None = None,
    ) -> dict[str, Any]:
        """Mute a rule's notifications for `target` ("me" or "everyone"), until a date or forever.

        POST, so never retried; Sentry answers 410 when a snooze already exists for that scope.
        """
        body: dict[str, Any] = {"target": target}
        if until is not None:
            body["until"] = until
        response = await self.request(
            "POST",
            f"{API}/projects/{q(org)}/{q(project)}/rules/{q(rule_id)}/snooze/",
            org=org,
            json=body,
        )
        data = json_body(response)
        return data if isinstance(data, dict) else {}

    async def unsnooze_alert_rule(
        self, org: str, project: str, rule_id: str | int, *, target: str = "me"
    ) -> None:
        """Lift a rule's snooze (404 when there is none for that scope)."""
        await self.request(
            "DELETE",
            f"{API}/projects/{q(org)}/{q(project)}/rules/{q(rule_id)}/snooze/",
            org=org,
            json={"target": target},
            idempotent=True,
        )

    async def alert_rule_group_history(
        self,
        org: str,
        project: str,
        rule_id: str | int,
        *,
        stats_period: str = "14d",
        per_page: int = 25,
    ) -> list[dict[str, Any]]:
        """The issues a rule fired for (`group-history`: `[{group, count, lastTriggered}]`).

        Not served by every Sentry (nor by the demo): callers treat `NotFound` as "not exposed".
        """
        response = await self.request(
            "GET",
            f"{API}/projects/{q(org)}/{q(project)}/rules/{q(rule_id)}/group-history/",
            org=org,
            params=pairs(statsPeriod=stats_period, per_page=per_page),
        )
        data = json_body(response)
        return dict_list(data)
