"""No import cycles in the product's packages: lazy and ``TYPE_CHECKING`` imports count too."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.import_graph import cycles, import_graph

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("package", ["core", "brokers", "console"])
def test_no_module_imports_itself_back_through_others(package: str) -> None:
    assert cycles(import_graph(ROOT, package)) == []


def test_the_checker_sees_cycles_through_lazy_type_checking_and_relative_imports(
    tmp_path: Path,
) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from pkg.sub.c import C\n")
    (pkg / "a.py").write_text("def f():\n    from pkg import b\n")
    (pkg / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.sub import c\n"
    )
    (pkg / "sub" / "c.py").write_text("from .. import a\nC = 1\n")
    (pkg / "d.py").write_text("import pkg.a\n")  # into the cycle, not part of it
    graph = import_graph(tmp_path, "pkg")
    assert graph["pkg.a"] == {"pkg.b"}
    assert graph["pkg.b"] == {"pkg.sub.c"}
    assert graph["pkg.sub.c"] == {"pkg.a"}
    assert graph["pkg.sub"] == {"pkg.sub.c"}
    assert cycles(graph) == [["pkg.a", "pkg.b", "pkg.sub.c"]]


def test_a_package_init_that_names_its_own_module_is_no_cycle(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("from pkg.a import A\n")
    (pkg / "a.py").write_text("from pkg.b import B\nA = B\n")
    (pkg / "b.py").write_text("B = 1\n")
    assert cycles(import_graph(tmp_path, "pkg")) == []
