"""A notification service on 127.0.0.1: apprise's ``json://`` URLs post here, and it keeps what
arrived. ``refuse()`` makes it answer 500, as a service that is down."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    def __init__(self, server: ThreadingHTTPServer) -> None:
        self._server = server
        self.messages: list[dict[str, Any]] = []
        self.refusing = False
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"json://{host}:{port}/notify"

    def texts(self) -> list[str]:
        with self.lock:
            return [f"{m.get('title', '')}\n{m.get('message', '')}" for m in self.messages]

    def wait_for(self, part: str, timeout_s: float = 30.0) -> str:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            for text in self.texts():
                if part in text:
                    return text
            time.sleep(0.02)
        raise TimeoutError(f"no notification with {part!r} within {timeout_s:g}s: {self.texts()}")


@contextmanager
def receiver() -> Iterator[Receiver]:
    holder: list[Receiver] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            got = holder[0]
            if got.refusing:
                self.send_response(500)
                self.end_headers()
                return
            with got.lock:
                got.messages.append(json.loads(body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder.append(Receiver(server))
    thread = threading.Thread(target=server.serve_forever, name="notify receiver", daemon=True)
    thread.start()
    try:
        yield holder[0]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
