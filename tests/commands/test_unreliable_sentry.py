"""Commands against a Sentry that is down, failing or rate-limiting (the demo's fault knobs)."""

from __future__ import annotations

import pytest

from dexter_tui.demo.server import ServerOptions


def test_sentry_down_at_start_exits_5_without_a_traceback(dexter, monkeypatch) -> None:
    monkeypatch.setenv("SENTRY_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("SENTRY_AUTH_TOKEN", "x" * 20)
    monkeypatch.setenv("SENTRY_ORG", "acme")
    for argv in (
        ["issues", "list"],
        ["issues", "show", "API-1"],
        ["issues", "resolve", "1"],
        ["events", "show", "latest", "1"],
    ):
        result = dexter(*argv)
        assert result.code == 5, (argv, result.err)
        assert "cannot connect" in result.err
        assert "Traceback" not in result.err


class TestServerErrors:
    @pytest.fixture
    def server_options(self) -> ServerOptions:
        return ServerOptions(fail_rate=1.0, random_seed=1)

    def test_every_request_failing_exits_5(self, dexter, sentry_env) -> None:
        result = dexter("issues", "list", "--limit", "3")
        assert result.code == 5, result.err


class TestRateLimitStorm:
    @pytest.fixture
    def server_options(self) -> ServerOptions:
        return ServerOptions(rate_limit=2)

    def test_429s_are_waited_out_and_every_issue_arrives(
        self, dexter, sentry_env, seeded_store
    ) -> None:
        results = [dexter("issues", "list", "--json", "--limit", "5") for _ in range(4)]
        assert [r.code for r in results] == [0, 0, 0, 0]
        assert all(len(r.json_lines()) == 5 for r in results)
