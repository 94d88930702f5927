"""docs/ARCHITECTURE.md's import map matches the code, and the import rules hold."""

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]
DOC = PACKAGE.parent / "docs" / "ARCHITECTURE.md"


def apps() -> list[str]:
    """The Django apps, and the library packages beside them (documents): every package but the
    project-wide tests."""
    return sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py") if p.parent.name != "tests")


def imported_apps(app: str) -> set[str]:
    found = set()
    for path in (PACKAGE / app).rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                parts = name.split(".")
                if parts[0] == "branchwork" and len(parts) > 1 and parts[1] in apps() and parts[1] != app:
                    found.add(parts[1])
    return found


def documented_map() -> dict[str, set[str]]:
    block = re.search(r"```imports\n(.*?)```", DOC.read_text(), re.S).group(1)
    result = {}
    for line in block.strip().splitlines():
        app, _, deps = line.partition("->")
        result[app.strip()] = {d.strip() for d in deps.split(",") if d.strip()}
    return result


def test_the_documented_import_map_matches_the_code():
    assert documented_map() == {app: imported_apps(app) for app in apps()}


def test_no_app_imports_the_api():
    assert not [app for app in apps() if app != "api" and "api" in imported_apps(app)]


def test_there_are_no_import_cycles_between_apps():
    graph = {app: imported_apps(app) for app in apps()}

    def reaches(start, target, seen=()):
        return any(dep == target or (dep not in seen and reaches(dep, target, seen + (dep,))) for dep in graph[start])

    assert not [app for app in graph if reaches(app, app)]
