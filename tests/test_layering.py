"""The headless layers never import Textual (or the TUI), and the demo server stands apart."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "dexter_tui"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        ("sentry", ("textual", "dexter_tui.tui", "dexter_tui.services", "dexter_tui.demo")),
        ("services", ("textual", "dexter_tui.tui", "dexter_tui.demo")),
        ("demo", ("textual", "dexter_tui.tui", "dexter_tui.services", "dexter_tui.sentry")),
    ],
)
def test_layer_imports_stay_one_way(layer: str, forbidden: tuple[str, ...]) -> None:
    offenders = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for name in _imports(path):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                offenders.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    assert offenders == []


def test_importing_headless_layers_loads_no_textual() -> None:
    """Import every module of sentry/ and services/ in a fresh interpreter: Textual stays out."""
    modules = [
        ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")
        for layer in ("sentry", "services")
        for p in sorted((PACKAGE / layer).rglob("*.py"))
    ]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == ""


def _module_name(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)


def _absolute_imports(path: Path, module: str) -> set[str]:
    """Every module `path` (module `module`) imports, relative imports resolved."""
    package = (
        module.rsplit(".", 1)[0] if path.name != "__init__.py" else module.removesuffix(".__init__")
    )
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{parent}.{base}" if base else parent
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
        elif (  # importlib.import_module("dexter_tui.demo…") / __import__("…")
            isinstance(node, ast.Call)
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and getattr(node.func, "attr", getattr(node.func, "id", ""))
            in {"import_module", "__import__"}
        ):
            names.add(node.args[0].value)
    return names


def test_only_the_demo_commands_import_the_demo_server() -> None:
    """The product never depends on its stand-in Sentry: only `dexter demo*` commands start it."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "demo" or (rel.parts[0] == "commands" and rel.name.startswith("demo")):
            continue
        offenders += [
            f"{path.relative_to(PACKAGE.parent)} imports {name}"
            for name in sorted(_absolute_imports(path, _module_name(path)))
            if name == "dexter_tui.demo" or name.startswith("dexter_tui.demo.")
        ]
    assert offenders == []


def test_the_demo_guard_sees_relative_and_dynamic_imports(tmp_path: Path) -> None:
    """The guard above would catch `from ..demo import x` and `import_module("dexter_tui.demo")`."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from ..demo import store\n"
        "import importlib\n"
        "importlib.import_module('dexter_tui.demo.seed')\n",
        "utf-8",
    )
    found = _absolute_imports(probe, "dexter_tui.tui.probe")
    assert {"dexter_tui.demo", "dexter_tui.demo.store", "dexter_tui.demo.seed"} <= found


# -- the TUI's own contracts (issue 14) ----------------------------------------------------------

TUI = PACKAGE / "tui"
#: where the app is wired: the only tui modules that may import the client module
WIRING = {"factory.py", "context.py"}


def _tui_files() -> list[Path]:
    return sorted(TUI.rglob("*.py"))


def test_tui_imports_the_client_only_where_the_app_is_wired() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE.parent)} imports {name}"
        for path in _tui_files()
        if path.name not in WIRING
        for name in sorted(_absolute_imports(path, _module_name(path)))
        if name == "dexter_tui.sentry.client" or name.startswith("dexter_tui.sentry.client.")
    ]
    assert offenders == []


def _client_uses(tree: ast.AST) -> list[ast.Attribute]:
    """`….client` used as anything but an argument handed to a service (`Service(ctx.client)`)."""
    passed = {
        id(arg)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for arg in [*node.args, *(k.value for k in node.keywords)]
    }
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "client" and id(node) not in passed
    ]


def _foreign_privates(tree: ast.AST) -> list[ast.Attribute]:
    """`x._name` where x is not `self`: another object's (screen's, app's) private attribute.
    `super()._name` is this object's own (an override calling the method it overrides)."""
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
        and not (isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"))
        and not (
            isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and node.value.func.id == "super"
        )
    ]


def _duck_typing(tree: ast.AST) -> list[ast.Call]:
    """`getattr(self.app, …)` / `getattr(app, …)`: asking the app for what it may not have."""
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "getattr"
        and node.args
        and ast.unparse(node.args[0]) in ("self.app", "app", "self.screen")
    ]


def test_screens_dialogs_and_widgets_talk_through_services_and_messages() -> None:
    """No screen, dialog or widget calls the client, reads another object's private attribute,
    duck-types the app, or names the app's issue list screen."""
    offenders = []
    for path in _tui_files():
        rel = path.relative_to(TUI).as_posix()
        if rel.split("/")[0] not in ("screens", "dialogs", "widgets"):
            continue
        if rel == "widgets/fast_table.py":  # its helper classes share the table's internals
            continue
        tree = ast.parse(path.read_text("utf-8"))
        for node in _client_uses(tree):
            offenders.append(f"{rel}:{node.lineno} uses the client: {ast.unparse(node)}")
        for node in _foreign_privates(tree):
            offenders.append(f"{rel}:{node.lineno} reaches a private: {ast.unparse(node)}")
        for node in _duck_typing(tree):
            offenders.append(f"{rel}:{node.lineno} duck-types: {ast.unparse(node)}")
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "issues_screen":
                offenders.append(f"{rel}:{node.lineno} reaches the list: {ast.unparse(node)}")
    assert offenders == []


def test_the_contract_checks_see_what_they_forbid() -> None:
    probe = ast.parse(
        "async def f(self):\n"
        "    await self.ctx.client.get_issue('o', '1')\n"
        "    client = self.ctx.client\n"
        "    self.app.issues_screen._show_rows(track_new=False)\n"
        "    getattr(self.app, 'open_issue')(x)\n"
        "    Feed(self.ctx.client, 'o')\n"
        "    super()._watch_value(v)\n"
    )
    assert len(_client_uses(probe)) == 2  # the call and the alias; not the service argument
    assert [ast.unparse(n) for n in _foreign_privates(probe)] == [
        "self.app.issues_screen._show_rows"
    ]
    assert len(_duck_typing(probe)) == 1


# -- constants defined once (issue 14) ----------------------------------------------------------


def _choice_literals(tree: ast.AST, choices: tuple[str, ...]) -> list[ast.expr]:
    """Tuple/list/set literals of two or more strings, all of them among `choices`."""
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Tuple | ast.List | ast.Set)
        and len(node.elts) >= 2
        and all(
            isinstance(e, ast.Constant) and isinstance(e.value, str) and e.value in choices
            for e in node.elts
        )
    ]


def test_periods_and_sorts_are_listed_only_in_choices() -> None:
    """A period or sort added to `dexter_tui/choices.py` reaches every view: nothing else keeps
    its own list (or part of one). The demo stands apart: its lists are Sentry's, not dexter's."""
    from dexter_tui.choices import PERIODS, SORTS

    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.as_posix() == "choices.py" or rel.parts[0] == "demo":
            continue
        tree = ast.parse(path.read_text("utf-8"))
        for choices in (PERIODS, SORTS):
            offenders += [
                f"{rel}:{n.lineno} lists {ast.unparse(n)}" for n in _choice_literals(tree, choices)
            ]
    assert offenders == []


def test_the_choices_check_sees_partial_lists() -> None:
    from dexter_tui.choices import PERIODS, SORTS

    probe = ast.parse(
        'a = ("1h", "24h")\nb = ["date", "new", "freq"]\nc = ("", "24h", "14d")\nd = ("14d",)\n'
    )
    assert [ast.unparse(n) for n in _choice_literals(probe, PERIODS)] == ["('1h', '24h')"]
    assert [ast.unparse(n) for n in _choice_literals(probe, SORTS)] == ["['date', 'new', 'freq']"]
