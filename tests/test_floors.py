"""Imports only go down the floors of docs/architecture.md (module-level and lazy ones)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "pacte_analysis"

#: Floor of each top-level module or subpackage (docs/architecture.md).
FLOORS = {
    "config": 1,
    "errors": 1,
    "_files": 1,
    "_style": 1,
    "_reproducible": 1,
    "_text": 1,
    "_lazy": 1,
    "editions": 1,
    "tables": 1,
    "_tableset": 1,
    "reference": 2,
    "ingest": 3,
    "analysis": 4,
    "followup": 4,
    "mandate": 4,
    "maps": 4,
    "charts": 4,
    "commune_sheet": 4,
    "exports": 4,
    "pipeline": 5,
    "demo": 5,
    "cli": 5,
    "_commune_cli": 5,
    "_followup_cli": 5,
    "__main__": 5,
}


def _unit(module: str) -> str:
    return module.split(".")[1] if module.count(".") else module


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "pacte_analysis":
                found += [(node.lineno, f"pacte_analysis.{a.name}") for a in node.names]
            elif node.module.startswith("pacte_analysis."):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("pacte_")]
    return found


def test_every_module_has_a_floor() -> None:
    units = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()}
    units = {u for u in units if not u.startswith(("__pycache__", "py")) and u != "__init__"}
    units.discard("_assets")
    assert units - set(FLOORS) == set(), "add the new module to FLOORS and docs/architecture.md"


def test_imports_only_go_down() -> None:
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts == ("__init__.py",):
            continue  # the flat public namespace re-exports every floor (lazily)
        unit = relative.parts[0].removesuffix(".py")
        floor = FLOORS[unit]
        for line, module in _imports(path):
            target = _unit(module)
            if target in FLOORS and target != unit and FLOORS[target] > floor:
                upward.append(f"{relative}:{line} imports {module} (floor {FLOORS[target]})")
    assert upward == []
