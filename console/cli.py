"""``l2console``: the command line. Every user-facing mistake is one line and exit status 2."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from console.commands import COMMANDS
from console.commands.errors import UsageError
from console.exit_status import HELP as EXIT_HELP
from console.exit_status import ExitStatus
from console.output import guarded_process_output
from console.settings import SettingsError, load_settings
from console.settings_sources import settings_file, settings_warnings

EXIT_USAGE = ExitStatus.USAGE


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a mistake is a single line naming the fix instead of a usage dump."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="l2console",
        description="Terminal trading console for an L2 order-book-imbalance strategy.",
        epilog=EXIT_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--env-file",
        type=Path,
        metavar="PATH",
        help="settings file (default: .env in the current folder, if there is one)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    for command in COMMANDS:
        command.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # stdout and stderr never raise: losing them is a stop, not a crash (console.output).
    with guarded_process_output():
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        env_file = settings_file(args.env_file)
        for warning in settings_warnings(env_file, os.environ):
            print(warning, file=sys.stderr)
        settings = load_settings(env_file)
        return int(args.handler(args, settings))
    except (UsageError, SettingsError) as exc:
        print(f"l2console: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
