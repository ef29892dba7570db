"""``l2console systemd-unit``: a ready unit file that keeps a paper session running 24/7."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from brokers import registry
from console.commands.paper import session_name
from console.commands.run import add_broker_argument, add_db_argument
from console.settings import Settings

WATCHDOG_S = 60  # no heartbeat for this long: systemd kills the process and restarts it
START_TIMEOUT_S = 180  # from the start to a live book (READY=1)


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    unit = commands.add_parser(
        "systemd-unit", help="print a systemd unit that runs a paper session and restarts it"
    )
    unit.add_argument("--session", required=True)
    add_broker_argument(unit, default=registry.DEFAULT_MARKET_VENUE)
    unit.add_argument("--symbol")
    unit.add_argument("--user", help="run as this user (default: the unit's owner)")
    add_db_argument(unit)
    unit.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings) -> int:
    print(unit_text(args, workdir=Path.cwd(), python=Path(sys.executable)), end="")
    return 0


def unit_text(args: argparse.Namespace, *, workdir: Path, python: Path) -> str:
    venue = registry.venue(args.broker)
    command = [
        str(python),
        "-m",
        "console.cli",
        "paper",
        "--session",
        session_name(args),
        "--broker",
        venue.name,
        "--symbol",
        (args.symbol or venue.default_symbol).upper(),
        "--no-ui",
    ]
    if args.db is not None:
        command += ["--db", str(args.db.resolve())]
    user = f"User={args.user}\n" if args.user else ""
    name = session_name(args)
    flatten = ["l2console", "flatten", "--session", name]
    if args.db is not None:
        flatten += ["--db", str(args.db.resolve())]
    return f"""\
# l2console paper session {name}: install with
#   sudo cp this-file /etc/systemd/system/l2console-{name}.service
#   sudo systemctl daemon-reload && sudo systemctl enable --now l2console-{name}
# Logs: journalctl -u l2console-{name} -f
# Report: l2console report --session {name}   At a glance: l2console status
# Kill switch (as the service's user; the session keeps running with entries blocked):
#   cd {workdir} && {shlex.join(flatten)}
# Every restart resumes the same session: nothing is lost or counted twice.
[Unit]
Description=l2console paper session {name}
After=network-online.target
Wants=network-online.target

[Service]
# The process says READY once its book is live, then sends a heartbeat from its event loop every
# {WATCHDOG_S // 2} s while the loop is responsive: a hung process is killed and restarted.
Type=notify
NotifyAccess=main
WatchdogSec={WATCHDOG_S}
TimeoutStartSec={START_TIMEOUT_S}
{user}WorkingDirectory={workdir}
ExecStart={shlex.join(command)}
Restart=always
RestartSec=10
# SIGTERM flattens the paper position, prints the summary and records the run's end.
KillSignal=SIGTERM
TimeoutStopSec=90
Environment=PYTHONUNBUFFERED=1

[Install]
WantedBy=multi-user.target
"""
