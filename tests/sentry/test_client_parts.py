"""How the client is put together: a transport that knows no endpoint, resource parts that know
no other part (except the shared issue routes), and `SentryClient` adding nothing but wiring.

Also the two helpers every endpoint spells its URLs with.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from dexter_tui.sentry import transport
from dexter_tui.sentry.client import SentryClient
from dexter_tui.sentry.resources.issue_routes import IssueRoutes
from dexter_tui.sentry.transport import Transport
from dexter_tui.sentry.urls import pairs, q

SENTRY = Path(transport.__file__).resolve().parent
RESOURCES = SENTRY / "resources"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_transport_knows_no_resource_part() -> None:
    assert not {m for m in _imports(SENTRY / "transport.py") if ".resources" in m}


def test_resource_parts_share_only_the_issue_routes() -> None:
    offenders = []
    for path in sorted(RESOURCES.glob("*.py")):
        for module in _imports(path):
            shared = "dexter_tui.sentry.resources.issue_routes"
            if module.startswith("dexter_tui.sentry.resources") and module != shared:
                offenders.append(f"{path.name} imports {module}")
    assert offenders == []


def test_every_endpoint_method_lives_in_a_resource_part() -> None:
    """SentryClient's own body is wiring; each API method is defined in one `resources` module."""
    own = {
        name
        for name, value in vars(SentryClient).items()
        if callable(value) or isinstance(value, classmethod)
    }
    assert own <= {"from_settings", "__repr__"}
    public = [
        name
        for name, fn in inspect.getmembers(SentryClient)
        if not name.startswith("_") and inspect.iscoroutinefunction(fn)
    ]
    homes = {name: inspect.getmodule(getattr(SentryClient, name)).__name__ for name in public}
    sending = {"request", "aclose"}
    assert {n for n, m in homes.items() if m == transport.__name__} == sending
    assert all(
        m.startswith("dexter_tui.sentry.resources.") for n, m in homes.items() if n not in sending
    )
    assert issubclass(SentryClient, IssueRoutes)
    assert issubclass(IssueRoutes, Transport)


def test_path_segments_are_fully_quoted() -> None:
    # release versions hold `/`, `@` and `+`: each must stay inside its one segment
    assert q("app@1.0+build/7") == "app%401.0%2Bbuild%2F7"
    assert q(42) == "42"


def test_query_pairs_skip_none_repeat_lists_and_spell_bools() -> None:
    assert pairs(
        query="is:unresolved", project=[1, None, 2], environment=[], cursor=None, full=True, x=False
    ) == [
        ("query", "is:unresolved"),
        ("project", "1"),
        ("project", "2"),
        ("full", "1"),
        ("x", "0"),
    ]
