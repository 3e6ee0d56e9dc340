"""Data flows one way: api → schema → resolvers → store; seeds build on the store alone."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Each package may import the packages listed after it, never one before it.
LAYERS = ["api", "schema", "resolvers", "store"]
ALLOWED = {package: set(LAYERS[position:]) for position, package in enumerate(LAYERS)}
ALLOWED["api"].add("seeds")  # the command line loads the seeds
ALLOWED["seeds"] = {"seeds", "store"}


def _imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & set(ALLOWED)


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_no_package_imports_upward(package: str) -> None:
    offences = {
        str(path.relative_to(ROOT)): sorted(imported - ALLOWED[package])
        for path in (ROOT / package).rglob("*.py")
        if (imported := _imported_packages(path)) - ALLOWED[package]
    }

    assert offences == {}


def test_only_api_reads_the_environment() -> None:
    readers = [
        str(path.relative_to(ROOT))
        for package in ALLOWED
        if package != "api"
        for path in (ROOT / package).rglob("*.py")
        if "os.environ" in path.read_text() or "getenv" in path.read_text()
    ]

    assert readers == []
