"""The design card's one-way dependency rule, enforced: console -> brokers -> core."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# core may use these only inside core/store (the one place that talks to the database).
IO_MODULES = {"aiohttp", "websockets", "textual", "rich", "aiosqlite", "sqlite3", "socket",
              "asyncio.subprocess", "pydantic_settings", "console", "brokers"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def offenders(package: str, forbidden: set[str], allowed_under: str | None = None) -> list[str]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if allowed_under and rel.startswith(allowed_under):
            continue
        for name in imported_modules(path):
            if name.split(".")[0] in forbidden or name in forbidden:
                found.append(f"{rel} imports {name}")
    return found


def test_core_imports_no_network_ui_or_database_outside_store() -> None:
    assert offenders("core", IO_MODULES, allowed_under="core/store") == []


def test_core_store_imports_no_network_ui_or_upper_layers() -> None:
    assert offenders("core/store", IO_MODULES - {"aiosqlite", "sqlite3"}) == []


def test_brokers_never_import_the_console_or_textual() -> None:
    assert offenders("brokers", {"console", "textual"}) == []


def test_the_rule_itself_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import websockets\nfrom console.cli import main\n", encoding="utf-8")
    assert imported_modules(bad) == {"websockets", "console.cli"}
