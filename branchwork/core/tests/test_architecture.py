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


def _names_and_strings(tree: ast.AST) -> tuple[set[str], list[str]]:
    """Identifiers a module uses (names, attributes, imports) and its string constants, its
    docstrings aside."""
    docstrings = {
        id(node.body[0].value) for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef)) and node.body
        and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
    }
    names, strings = set(), []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.alias):
            names.update(node.name.split("."))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in docstrings:
                strings.append(node.value)
    return names, strings


def test_the_permission_policy_names_no_other_app_or_its_models():
    """Core asks the rules each app registers; it reaches no other app's models itself, not even
    by name (`apps.get_model("activities", …)`), which the import map would not see."""
    from django.apps import apps as registry

    others = [config for config in registry.get_app_configs()
              if config.name.startswith("branchwork.") and config.label != "core"]
    models = {model.__name__ for config in others for model in config.get_models()}
    labels = {config.label for config in others} | {config.name.split(".")[-1] for config in others}
    source = (PACKAGE / "core" / "permissions.py").read_text()
    names, strings = _names_and_strings(ast.parse(source))

    assert not names & (models | {"get_model", "get_models"}), "it names another app's model"
    assert not [s for s in strings if s.partition(".")[0] in labels or s in labels], (
        "it refers to another app by its label")
    assert not [name for name in names if name in labels], "it names another app"
