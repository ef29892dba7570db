"""One live session per venue account and product on this machine, whatever its database.

Two live runs on one account and product would each flatten the other's position at start-up
and then fight over it. So a live run first takes an ``flock`` on a file named after the venue
(its REST endpoint: demo, production or one simulated server), the account (a fingerprint of
the API key: the first 12 hex digits of its SHA-256, never the key) and the product, in
``ACCOUNT_LOCK_DIR`` (default ``$XDG_RUNTIME_DIR/l2console/locks``, else
``~/.local/state/l2console/locks``): the same for every database and data dir of this user.
The lock dies with its process (``kill -9`` included), and the file says who holds it, so a
refusal names the other session and its pid. The lock is taken before the start-up
reconciliation, so that check can never flatten a position another running session owns.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path


class AccountLockError(Exception):
    """Another live session trades this account and product; the message names it (one line)."""


def default_lock_dir() -> Path:
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime:
        return Path(runtime) / "l2console" / "locks"
    return Path.home() / ".local" / "state" / "l2console" / "locks"


@dataclass(frozen=True, slots=True)
class AccountKey:
    venue: str  # the venue's REST endpoint
    account: str  # ``ApiCredentials.fingerprint`` of the API key
    product: str
    venue_name: str = ""  # for messages: "Kraken Futures demo"

    @property
    def file_name(self) -> str:
        key = f"{self.venue}\0{self.account}\0{self.product.upper()}"
        return hashlib.sha256(key.encode()).hexdigest()[:32] + ".lock"


class AccountLock:
    """Held for as long as a run trades live (``acquire`` … ``release``)."""

    def __init__(self, directory: Path, key: AccountKey, *, session: str | None) -> None:
        self.path = directory.expanduser() / key.file_name
        self.key = key
        self.session = session
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        """Take the lock, or raise ``AccountLockError`` naming the session that holds it."""
        if self._fd is not None:
            return
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._fd = self._take()
        except OSError as error:
            reason = error.strerror or str(error)
            raise AccountLockError(
                f"cannot take the account lock {self.path}: {reason} (set ACCOUNT_LOCK_DIR)"
            ) from None

    def _take(self) -> int:
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read(fd)
                os.close(fd)
                raise AccountLockError(self._refusal(holder)) from None
            # The holder before us may have removed the file between our open and our lock:
            # then we locked a file nobody else will ever see. Lock the one at the path.
            try:
                same = os.fstat(fd).st_ino == self.path.stat().st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        holder = {"session": self.session, "pid": os.getpid(), "product": self.key.product}
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(holder).encode())
        return fd

    def _refusal(self, holder: dict[str, object]) -> str:
        key = self.key
        session = holder.get("session")
        who = f"session {session!r}" if session else "an unnamed live run"
        pid = holder.get("pid", "unknown")
        return (
            f"another live session trades {key.product} on this {key.venue_name or key.venue} "
            f"account ({key.account}): {who}, pid {pid}; stop it first"
        )

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            self.path.unlink()  # under our lock: a waiting taker re-checks the path (``_take``)
        os.close(fd)


def _read(fd: int) -> dict[str, object]:
    try:
        text = os.pread(fd, 4096, 0).decode(errors="replace")
        holder = json.loads(text)
    except (OSError, ValueError):
        return {}
    return holder if isinstance(holder, dict) else {}
