"""The layer rules of DESIGN.md, enforced: imports point downwards only.

Every import statement in a package's source is read (including imports inside functions),
so a forbidden dependency fails here before it can creep in.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "spec_automation"

GUI = {"PySide6", "qasync", "shiboken6"}
FORBIDDEN = {
    "core": GUI
    | {
        "sqlalchemy",
        "alembic",
        "anthropic",
        "httpx",
        "httpx2",
        "keyring",
        "rich",
        "spec_automation.store",
        "spec_automation.llm",
        "spec_automation.agents",
        "spec_automation.services",
        "spec_automation.cli",
        "spec_automation.ui",
    },
    "store": GUI
    | {
        "anthropic",
        "spec_automation.llm",
        "spec_automation.agents",
        "spec_automation.services",
        "spec_automation.cli",
        "spec_automation.ui",
    },
    "llm": GUI
    | {
        "sqlalchemy",
        "spec_automation.store",
        "spec_automation.agents",
        "spec_automation.services",
        "spec_automation.cli",
        "spec_automation.ui",
    },
    "agents": GUI
    | {
        "sqlalchemy",
        "spec_automation.store",
        "spec_automation.services",
        "spec_automation.cli",
        "spec_automation.ui",
    },
}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def violates(name: str, forbidden: set[str]) -> bool:
    return any(name == f or name.startswith(f + ".") for f in forbidden)


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_what_it_may(layer: str) -> None:
    files = sorted((PACKAGE / layer).rglob("*.py"))
    assert files, f"no sources found for {layer}"
    bad = [
        f"{path.relative_to(PACKAGE.parent)} imports {name}"
        for path in files
        for name in sorted(imports_of(path))
        if violates(name, FORBIDDEN[layer])
    ]
    assert bad == []


def test_the_check_catches_a_forbidden_import(tmp_path: Path) -> None:
    source = tmp_path / "x.py"
    source.write_text(
        "def f():\n    from PySide6.QtCore import QObject\n    import sqlalchemy.orm\n"
    )
    found = {n for n in imports_of(source) if violates(n, FORBIDDEN["core"])}
    assert found == {"PySide6.QtCore", "sqlalchemy.orm"}


def test_importing_core_loads_no_gui_or_sql_library() -> None:
    code = (
        "import sys, spec_automation.core.engine, spec_automation.core.graph, "
        "spec_automation.core.validation, spec_automation.core.colour\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'PySide6', 'qasync', 'sqlalchemy', 'alembic'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
