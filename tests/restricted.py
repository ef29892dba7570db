"""Running a command where it cannot write: on a read-only mount, or as a user without rights.

Tests often run as root (CI containers), and root ignores file modes, so a ``chmod`` alone proves
nothing there. "No permission" is made real by running the command as ``nobody`` (``setpriv``)
when we are root, and by the modes alone when we are not. A read-only file system is a read-only
bind mount of one folder inside a private mount namespace of that one command (``unshare -m``,
or ``unshare -rm`` for a user allowed user namespaces): nothing else sees it, and it is gone
when the command exits. Each returns None, with the reason, when this machine cannot do it.
"""

from __future__ import annotations

import functools
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIND_READ_ONLY = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'


@contextmanager
def shared_folder() -> Iterator[Path]:
    """A fresh folder any user can enter and read (pytest's own tmp_path is private to us)."""
    folder = Path(tempfile.mkdtemp(prefix="l2console-test-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for parent, children, _ in os.walk(folder):  # give back what a test took away, top down
            for child in children:
                Path(parent, child).chmod(0o755)
        shutil.rmtree(folder)


def on_read_only_mount(folder: Path, argv: Sequence[str]) -> list[str]:
    """``argv`` run with ``folder`` mounted read-only (only for that process)."""
    unshare = _unshare()
    assert unshare is not None, read_only_mount_unavailable()
    return [*unshare, "sh", "-c", BIND_READ_ONLY, "sh", str(folder), *argv]


def read_only_mount_unavailable() -> str | None:
    """Why this machine cannot mount a folder read-only for one process; None when it can."""
    if _unshare() is None:
        return "cannot make a read-only mount here: needs `unshare -m` (root or user namespaces)"
    return None


def as_unprivileged(argv: Sequence[str]) -> list[str]:
    """``argv`` as a user that owns nothing of ours: ``nobody`` when we are root, else us."""
    if os.geteuid() != 0:
        return list(argv)
    nobody = pwd.getpwnam("nobody")
    return [
        "setpriv",
        f"--reuid={nobody.pw_uid}",
        f"--regid={nobody.pw_gid}",
        "--clear-groups",
        *argv,
    ]


def unprivileged_unavailable() -> str | None:
    """Why a command cannot be run without our rights here; None when it can."""
    return _unprivileged_problem()


@functools.cache
def _unprivileged_problem() -> str | None:
    if os.geteuid() != 0:
        return None
    if shutil.which("setpriv") is None:
        return "running as root without `setpriv`: cannot drop to an unprivileged user"
    try:
        pwd.getpwnam("nobody")
    except KeyError:
        return "running as root and there is no user `nobody` to drop to"
    probe = as_unprivileged([sys.executable, "-c", "import console.cli"])
    done = subprocess.run(
        probe, env=_env(), cwd="/", capture_output=True, text=True, timeout=60, check=False
    )
    if done.returncode != 0:
        return f"`nobody` cannot run this checkout's Python: {done.stderr.strip()[-200:]}"
    return None


@functools.cache
def _unshare() -> tuple[str, ...] | None:
    if shutil.which("unshare") is None or shutil.which("mount") is None:
        return None
    with shared_folder() as folder:
        for unshare in (("unshare", "-m"), ("unshare", "-r", "-m")):
            argv = [*unshare, "sh", "-c", BIND_READ_ONLY, "sh", str(folder)]
            probe = [*argv, "sh", "-c", 'touch "$0/probe" 2>/dev/null && exit 1 || exit 0', folder]
            done = subprocess.run(
                [str(part) for part in probe], capture_output=True, timeout=60, check=False
            )
            if done.returncode == 0 and not (folder / "probe").exists():
                return unshare
    return None


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"}
