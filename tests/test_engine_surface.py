"""The studio uses the engine only through its public surface (engine/__init__.py says which), so
that every backend can do all of the work; and the engine imports nothing of Django."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DJANGO_SIDE = ("accounts", "billing", "jobs", "studio", "scripts")
# engine.diffusion.weights: the weights manifest and its fetch (manage.py models), free of torch.
# engine.remote: the remote backend takes its endpoints and HTTP transport from the studio.
PUBLIC = {"engine", "engine.backends", "engine.errors", "engine.options", "engine.imaging", "engine.diffusion.weights",
          "engine.remote"}
PUBLIC_NAMES = {"EngineError", "ErrorCode"}  # what ``engine`` itself re-exports
FORBIDDEN_IN_ENGINE = ("django", "rest_framework", "django_q", *DJANGO_SIDE)


def imported_modules(source: str) -> list[tuple[int, str]]:
    """(line, dotted name) of every absolute import, ``from module import name`` read as
    ``module.name``, and of ``importlib.import_module("...")`` with a literal name."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                found.append((node.lineno, node.args[0].value))
    return found


def engine_internals(source: str) -> list[tuple[int, str]]:
    """Imports of an engine module outside the public surface. ``from engine.errors import X``
    yields ``engine.errors.X``: a name inside a public module is fine."""
    bad = []
    for line, name in imported_modules(source):
        if name != "engine" and not name.startswith("engine."):
            continue
        public = name in PUBLIC or any(name.startswith(f"{module}.") for module in PUBLIC - {"engine"})
        if not public and name.removeprefix("engine.") not in PUBLIC_NAMES:
            bad.append((line, name))
    return bad


def python_files(*folders: str) -> list[Path]:
    return sorted(path for folder in folders for path in (ROOT / folder).rglob("*.py") if ".venv" not in path.parts)


def test_the_check_sees_every_way_to_reach_an_engine_internal():
    source = """
import engine.faces
from engine import portrait
from engine.idphoto.compose import parse_background
from engine.stylize import stylize
importlib.import_module("engine.identity")
from engine import imaging, EngineError
from engine.errors import EngineError, ErrorCode
from engine.backends import Backend
from .engine import whatever
"""
    assert [name for _, name in engine_internals(source)] == [
        "engine.faces", "engine.portrait", "engine.idphoto.compose.parse_background", "engine.stylize.stylize",
        "engine.identity",
    ]


def test_the_django_side_imports_only_the_engines_public_surface():
    files = python_files(*DJANGO_SIDE)
    assert any(path.parts[-2:] == ("work", "styling.py") for path in files)  # the walk does reach the code
    offences = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in files for line, name in engine_internals(path.read_text(encoding="utf-8"))
    ]
    assert offences == [], "use engine.backends (engine_backend()), errors, options or imaging:\n" + "\n".join(offences)


def test_the_engine_imports_nothing_of_django_or_the_studio():
    files = python_files("engine")
    assert len(files) > 20
    offences = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in files for line, name in imported_modules(path.read_text(encoding="utf-8"))
        if name.split(".")[0] in FORBIDDEN_IN_ENGINE
    ]
    assert offences == [], "\n".join(offences)
