"""Analysis-ready files for pandas, polars and DuckDB users: Apache Parquet through pyarrow.

``features`` writes one row per book update of a recording (``l2console export``),
``round_trips`` a session's round trips (``l2console report --format parquet``). pyarrow is the
optional extra ``parquet``; without it, ``ParquetUnavailable`` says how to install it in a line.
"""

from console.parquet.arrow import PARQUET_HINT, ParquetUnavailable, pyarrow_modules

__all__ = ["PARQUET_HINT", "ParquetUnavailable", "pyarrow_modules"]
