"""The house rules for core/: no import cycles (lazy and TYPE_CHECKING imports count), and no
module over 500 lines."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 500


def modules(root: Path, package: str) -> dict[str, Path]:
    """Every module of ``package`` under ``root`` by dotted name (a package by its own name)."""
    found = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: Mapping[str, Path]) -> set[str]:
    """The modules of ``known`` that ``name`` imports anywhere in its file: at the top, inside a
    function, under ``TYPE_CHECKING``; ``from p import m`` counts as importing ``p.m`` when that
    is a module, else ``p``."""
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, node.module] if node.module else anchor)
            else:
                base = node.module or ""
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in known else base)
    return {target for target in found if target in known and target != name}


def cycles(graph: Mapping[str, set[str]]) -> Iterator[list[str]]:
    """One cycle per strongly connected component of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()

    def visit(node: str) -> Iterator[list[str]]:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                yield from visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                yield sorted(component)

    for node in sorted(graph):
        if node not in index:
            yield from visit(node)


def import_cycles(root: Path, package: str) -> list[list[str]]:
    known = modules(root, package)
    graph = {name: imports(name, path, known) for name, path in known.items()}
    return list(cycles(graph))


def test_core_has_no_import_cycles() -> None:
    assert import_cycles(ROOT, "core") == []


def test_no_core_module_is_over_500_lines() -> None:
    long = {
        path.relative_to(ROOT).as_posix(): n
        for path in (ROOT / "core").rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def write(root: Path, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    "files",
    [
        {  # a lazy import inside a function is still an import
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg.b import f\n",
            "pkg/b.py": "def f():\n    from pkg.a import g\n",
        },
        {  # so is one only for type checking, relative or not
            "pkg/__init__.py": "",
            "pkg/a.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .b import B\n",
            "pkg/b.py": "import pkg.c\n",
            "pkg/c.py": "from pkg import a\n",
        },
        {  # a package whose __init__ re-exports a module that imports the package's name
            "pkg/__init__.py": "",
            "pkg/sub/__init__.py": "from pkg.sub.part import Part\n",
            "pkg/sub/part.py": "from pkg.sub import Other\n",
        },
    ],
    ids=["lazy", "type-checking", "package"],
)
def test_the_cycle_check_finds_a_cycle(tmp_path: Path, files: Mapping[str, str]) -> None:
    write(tmp_path, files)
    assert import_cycles(tmp_path, "pkg") != []


def test_the_cycle_check_allows_a_package_that_re_exports_its_modules(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/sub/__init__.py": "from pkg.sub.part import Part\n",
            "pkg/sub/part.py": "from pkg.sub.base import Base\n",
            "pkg/sub/base.py": "from pkg import other\n",
            "pkg/other.py": "import json\n",
        },
    )
    assert import_cycles(tmp_path, "pkg") == []
