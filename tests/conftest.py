"""Every run the tests start keeps its status file (``l2console status``) in a folder of the
test session's own, never in the user's runtime folder."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session", autouse=True)
def tests_run_dir() -> Iterator[str]:
    folder = tempfile.mkdtemp(prefix="l2console-test-run-")
    before = os.environ.get("L2CONSOLE_RUN_DIR")
    os.environ["L2CONSOLE_RUN_DIR"] = folder
    yield folder
    if before is None:
        os.environ.pop("L2CONSOLE_RUN_DIR", None)
    else:
        os.environ["L2CONSOLE_RUN_DIR"] = before
    shutil.rmtree(folder, ignore_errors=True)
