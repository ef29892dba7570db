from __future__ import annotations

from pathlib import Path

import pytest

from tests.core.store.builders import FakeClock


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "l2console.db"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
