"""``l2console status``: this user's running sessions at a glance (``--json`` for scripts)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from console.settings import Settings


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    status = commands.add_parser(
        "status", help="the running sessions of this user: mode, position, P&L, book, gate"
    )
    status.add_argument("--json", action="store_true", help="one JSON object, for scripts")
    status.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings) -> int:
    from console.unattended.status_board import read_statuses, run_dir  # noqa: PLC0415

    folder = run_dir(settings.l2console_run_dir)
    sessions = read_statuses(folder)
    if args.json:
        print(json.dumps({"schema": 1, "sessions": [s.as_json() for s in sessions]}, indent=2))
        return 0
    if not sessions:
        print(f"no running sessions (status files in {folder})")
        return 0
    for status in sessions:
        print(status_line(status.as_json()))
    return 0


def status_line(s: dict[str, Any]) -> str:
    """``60days pid 4242 PAPER sim PF_XBTUSD | running, heartbeat 1s ago | ...``"""
    name = s.get("session") or "(no session)"
    head = f"{name} pid {s['pid']} {s.get('mode')} {s.get('venue')} {s.get('symbol')}"
    health = s["health"].upper() if s["health"] != "running" else "running"
    parts = [
        head,
        f"{health}, heartbeat {s['heartbeat_age_s']:.0f}s ago",
        f"book {s.get('book')}",
        f"position {s.get('position')}"
        + (f" @ {s['entry_price']}" if s.get("entry_price") else ""),
        f"today {_usd(s.get('today_pnl'))}, session {_usd(s.get('session_pnl'))}",
    ]
    gate = s.get("gate")
    if gate:
        verdict = "READY" if gate["ready"] else "missing " + ", ".join(gate["missing"])
        parts.append(f"gate {gate['gate']} {gate['days_covered']:.1f} days, {verdict}")
    if s.get("kill_switch") not in (None, "idle"):
        parts.append(f"kill switch {s['kill_switch']}")
    return " | ".join(parts)


def _usd(text: object) -> str:
    from decimal import Decimal  # noqa: PLC0415

    from console.report.formatting import usd  # noqa: PLC0415

    return "-" if text is None else usd(Decimal(str(text)))
