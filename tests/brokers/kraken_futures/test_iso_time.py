"""Kraken's ISO 8601 times, read and written the one way every adapter module uses."""

from __future__ import annotations

import pytest

from brokers.kraken_futures.iso_time import iso_ns, iso_time

# 2019-09-05T16:33:50Z, the docs' example fill time, is this many seconds after the epoch.
DOCS_SECONDS = 1_567_701_230


@pytest.mark.parametrize(
    ("text", "ns"),
    [
        ("2019-09-05T16:33:50.734Z", DOCS_SECONDS * 10**9 + 734_000_000),
        ("2019-09-05T16:33:50.999999Z", DOCS_SECONDS * 10**9 + 999_999_000),  # no float rounding
        ("2019-09-05T16:33:50", DOCS_SECONDS * 10**9),  # no offset: UTC, as the docs print them
        ("2019-09-05T18:33:50+02:00", DOCS_SECONDS * 10**9),
    ],
)
def test_a_time_is_read_exactly_to_the_microsecond(text: str, ns: int) -> None:
    assert iso_ns(text) == ns


@pytest.mark.parametrize("text", ["", "yesterday", "2019-13-05T16:33:50Z"])
def test_a_text_that_is_not_a_time_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        iso_ns(text)


def test_a_written_time_reads_back_to_its_millisecond() -> None:
    wall_ns = DOCS_SECONDS * 10**9 + 734_567_891
    assert iso_time(wall_ns) == "2019-09-05T16:33:50.734Z"
    assert iso_ns(iso_time(wall_ns)) == DOCS_SECONDS * 10**9 + 734_000_000
