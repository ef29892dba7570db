"""pyarrow, when it is installed (the optional extra ``parquet``)."""

from __future__ import annotations

from types import ModuleType

PARQUET_HINT = "Parquet files need pyarrow: pip install 'l2console[parquet]'"


class ParquetUnavailable(Exception):
    """pyarrow is not installed (the message says how to install it)."""


def pyarrow_modules() -> tuple[ModuleType, ModuleType]:
    """``(pyarrow, pyarrow.parquet)``; ``ParquetUnavailable`` without the extra."""
    try:
        import pyarrow  # noqa: PLC0415 - optional extra
        import pyarrow.parquet  # noqa: PLC0415
    except ImportError:
        raise ParquetUnavailable(PARQUET_HINT) from None
    return pyarrow, pyarrow.parquet
