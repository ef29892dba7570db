"""The console talks to a trading run through ``console.app.host.SessionHost`` only: it never
imports the session package or the engine class, and reads nothing of its host (and of the
host's engine) that the protocol does not declare."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

from console.app.host import ConsoleEngine, SessionHost
from console.app.replay import MarketReplay
from console.bench.engine_setup import bench_instrument, dry_run_engine
from console.replay.ui import RecordingHost
from console.session import TradingSession
from console.settings import Settings
from core.engine import Engine

ROOT = Path(__file__).resolve().parents[3]
APP = ROOT / "console" / "app"
# The composition roots: they build a real session and hand it to the console.
ROOTS = {"run.py", "measure.py"}


def protocol_members(protocol: type) -> set[str]:
    return (
        {
            name
            for name, _ in inspect.getmembers(protocol)
            if not name.startswith("_") or name == "__call__"
        }
        - set(dir(object))
        - {"_is_protocol"}
    )


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def reaches_past_the_host(path: Path) -> list[str]:
    """What a console module imports of the session package or of the engine class."""
    return sorted(
        name
        for name in imports_of(path)
        if name.startswith("console.session") or name in ("core.engine.Engine", "core.engine")
    )


def test_the_console_imports_the_host_protocol_never_the_session_or_the_engine() -> None:
    found = {
        path.relative_to(ROOT).as_posix(): reaches_past_the_host(path)
        for path in sorted(APP.rglob("*.py"))
        if path.name not in ROOTS and path.name != "replay.py"  # replay.py is a host itself
    }
    assert {path: names for path, names in found.items() if names} == {}
    assert "console.app.host.SessionHost" in imports_of(APP / "app.py")


def attributes_read(path: Path, owner: str) -> set[str]:
    """Attribute names read off ``owner`` in ``path``: ``self.host`` / ``host`` for the host,
    ``engine`` / ``self.host.engine`` for its engine."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        value = node.value
        dotted = ast.unparse(value)
        if owner == "host" and dotted in ("self.host", "host"):
            found.add(node.attr)
        if owner == "engine" and dotted in ("engine", "self.host.engine", "host.engine"):
            found.add(node.attr)
    return found


def test_the_app_reads_only_what_the_protocol_declares() -> None:
    app = APP / "app.py"
    assert attributes_read(app, "host") <= protocol_members(SessionHost)
    assert attributes_read(app, "engine") <= protocol_members(ConsoleEngine)
    assert {"start", "stop", "set_mode", "engine", "options"} <= attributes_read(app, "host")


def test_the_checker_sees_a_host_member_the_protocol_does_not_declare(tmp_path: Path) -> None:
    module = tmp_path / "app.py"
    module.write_text("def f(self):\n    self.host.store.flush()\n    self.host.engine.book\n")
    assert attributes_read(module, "host") - protocol_members(SessionHost) == {"store"}
    assert attributes_read(module, "engine") - protocol_members(ConsoleEngine) == {"book"}


def test_every_host_and_the_engine_have_what_the_protocols_declare() -> None:
    engine, _ = dry_run_engine(Settings(_env_file=None), bench_instrument("PF_XBTUSD"))  # type: ignore[call-arg]
    assert isinstance(engine, Engine)
    assert protocol_members(ConsoleEngine) <= set(dir(engine))
    # Hosts set engine, options, session_base and latency_measured in __init__: check methods.
    methods = {"start", "set_mode", "stop"}
    assert methods <= protocol_members(SessionHost)
    for host in (TradingSession, MarketReplay, RecordingHost):
        assert methods <= set(dir(host)), host.__name__
        for name in methods:
            assert inspect.iscoroutinefunction(getattr(host, name)), (host.__name__, name)
        assert callable(getattr(host, "dead_man", None)) or host is TradingSession, host.__name__
    assert "dead_man" in protocol_members(SessionHost)  # TradingSession sets it in __init__
