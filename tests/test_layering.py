"""The direction of dependencies between the project's own parts, read from the source with ``ast``.

Each module belongs to a layer; a module may import its own layer and the layers below, never one
above, and the import graph between parts has no cycle. Imports inside functions count too: a lazy
import that dodges a cycle is still the cycle. The engine imports no Django and nothing of ours.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("engine", "accounts", "jobs", "billing", "studio")

# Lowest first. A module's layer is the first prefix that matches its dotted name.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("engine", ("engine",)),
    ("lib", ("studio.lib",)),
    # The remote engine's endpoints: state kept for studio.lib.engine, registered from its ready().
    ("engines", ("studio.engines",)),
    ("accounts", ("accounts",)),
    ("jobs", ("jobs",)),
    ("billing", ("billing",)),
    ("webhooks", ("studio.webhooks",)),
    ("catalog", ("studio.catalog",)),
    ("portraits", ("studio.portraits",)),
    # What people and partners touch: the APIs, the website, the admin and the commands.
    ("front", ("studio.api", "studio.web", "admin", "management")),
    ("config", ("studio.settings", "studio.urls", "studio.wsgi", "studio.asgi", "studio.apps", "studio")),
)
RANK = {name: rank for rank, (name, _) in enumerate(LAYERS)}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    # Admin modules and management commands are front ends of whichever app holds them.
    if parts[-1] == "admin" or "management" in parts:
        return "front"
    for name, prefixes in LAYERS:
        if any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes):
            return name
    return None


def sources() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[module_name(path)] = path
    return found


def imports_of(module: str, path: Path) -> set[str]:
    """Every module this one imports, resolved to absolute dotted names, wherever the import is."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def own(imported: str, modules: dict[str, Path]) -> str | None:
    """The project module an import names (a name imported from a module is that module)."""
    while imported and imported not in modules:
        imported = imported.rpartition(".")[0]
    return imported or None


def project_edges() -> list[tuple[str, str]]:
    modules = sources()
    edges = set()
    for module, path in modules.items():
        for imported in imports_of(module, path):
            target = own(imported, modules)
            if target and target != module:
                edges.add((module, target))
    return sorted(edges)


def test_every_project_module_has_a_layer():
    assert [module for module in sources() if layer_of(module) is None] == []


def test_no_module_imports_a_layer_above_its_own():
    upward = [
        f"{source} ({layer_of(source)}) imports {target} ({layer_of(target)})"
        for source, target in project_edges()
        if RANK[layer_of(target)] > RANK[layer_of(source)]
    ]
    assert upward == []


def test_layers_import_each_other_without_cycles():
    graph: dict[str, set[str]] = {}
    for source, target in project_edges():
        a, b = layer_of(source), layer_of(target)
        if a != b:
            graph.setdefault(a, set()).add(b)
    seen: dict[str, str] = {}

    def visit(node: str, trail: list[str]) -> None:
        if seen.get(node) == "open":
            pytest.fail("cycle between layers: " + " -> ".join(trail + [node]))
        if seen.get(node) == "done":
            return
        seen[node] = "open"
        for neighbour in sorted(graph.get(node, ())):
            visit(neighbour, trail + [node])
        seen[node] = "done"

    for node in sorted(graph):
        visit(node, [])


def test_engine_imports_no_django_and_nothing_of_the_studio():
    modules = sources()
    offending = sorted(
        f"{module} imports {imported}"
        for module, path in modules.items() if layer_of(module) == "engine"
        for imported in imports_of(module, path)
        if imported.split(".")[0] in ("django", "rest_framework", "django_q") or
        (own(imported, modules) and layer_of(own(imported, modules)) != "engine")
    )
    assert offending == []
