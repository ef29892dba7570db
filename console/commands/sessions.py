"""``l2console sessions``: every session in the database, one line each."""

from __future__ import annotations

import argparse
import sys

from console.commands.errors import UsageError
from console.commands.run import add_db_argument
from console.report import render_sessions
from console.settings import Settings
from core.store import NoDatabaseError, SessionReader, StoreError


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    sessions = commands.add_parser("sessions", help="list the recorded sessions")
    add_db_argument(sessions)
    sessions.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings) -> int:
    db_path = args.db or settings.l2console_db
    try:
        with SessionReader(db_path) as reader:
            text = render_sessions(reader.summaries())
    except NoDatabaseError as exc:
        print(f"no sessions yet ({exc})")
        return 0
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0
