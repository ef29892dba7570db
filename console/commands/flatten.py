"""``l2console flatten --session NAME``: pull the kill switch of a running named session.

Reaches the process through its control socket (``console.control``: why a socket), waits for
the kill switch to finish, prints its progress and the result. Exit status: 0 confirmed flat,
1 not confirmed (the last line says what is still open), 2 no such running session or another
mistake. The session keeps running with the kill switch engaged (no new entries) until it is
stopped or resumed: a supervisor that restarts it would otherwise just trade again.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from console.commands.errors import UsageError
from console.durations import DurationError, parse_duration
from console.settings import Settings

EXIT_FLAT = 0
EXIT_NOT_FLAT = 1


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    flatten = commands.add_parser(
        "flatten", help="kill switch of a running session: cancel, close, confirm flat"
    )
    flatten.add_argument("--session", required=True, metavar="NAME")
    flatten.add_argument(
        "--db", type=Path, help="the session database (default: L2CONSOLE_DB); its folder is used"
    )
    flatten.add_argument(
        "--timeout", default="120", help="how long to wait for the result: seconds, or 2m (120)"
    )
    flatten.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings) -> int:
    from console.control import ControlError, request  # noqa: PLC0415 - keep --help instant

    data_dir = args.db.parent if args.db else settings.data_dir
    try:
        timeout_s = parse_duration(args.timeout)
    except DurationError as exc:
        raise UsageError(f"--timeout: {exc}") from None
    try:
        result = asyncio.run(
            request(data_dir, args.session, "flatten", timeout_s=timeout_s, progress=sys.stdout)
        )
    except ControlError as exc:
        raise UsageError(str(exc)) from None
    flat = result.get("phase") == "flat"
    where = f"{result.get('symbol', '?')} on {result.get('venue', '?')}"
    verdict = "FLAT" if flat else "NOT FLAT"
    print(f"{verdict}: {result.get('detail', '')} ({args.session}: {where})", flush=True)
    return EXIT_FLAT if flat else EXIT_NOT_FLAT
