"""``l2console notify-test``: one message to each ``NOTIFY_URLS`` URL, and which worked."""

from __future__ import annotations

import argparse
import socket

from console.commands.errors import UsageError
from console.settings import Settings

EXIT_SOME_FAILED = 1


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    test = commands.add_parser(
        "notify-test", help="send one test message to each NOTIFY_URLS URL and say which worked"
    )
    test.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings) -> int:
    from console.unattended.channels import NotifyUnavailable, open_channels  # noqa: PLC0415

    urls = settings.notify_url_list
    if not urls:
        raise UsageError("NOTIFY_URLS is not set: give one apprise URL or more, comma separated")
    try:
        channels = open_channels(urls)
    except NotifyUnavailable as exc:
        raise UsageError(str(exc)) from None
    host = socket.gethostname()
    failed = 0
    for number, channel in enumerate(channels, 1):
        ok = channel.send("l2console: test message", f"notify-test from {host}: this URL works")
        failed += not ok
        print(f"#{number} {channel.name}: {'sent' if ok else 'FAILED'}", flush=True)
    print(f"{len(channels) - failed} of {len(channels)} URLs worked")
    return EXIT_SOME_FAILED if failed else 0
