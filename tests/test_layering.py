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
