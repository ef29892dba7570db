from __future__ import annotations

import pytest

from console.durations import DurationError, format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "bare", "seconds"),
    [
        ("300", "s", 300),
        ("90s", "s", 90),
        ("5m", "s", 300),
        ("24h", "s", 86_400),
        ("1440", "m", 86_400),
        ("7d", "m", 604_800),
        ("1.5h", "s", 5_400),
        (" 10 M ", "s", 600),
    ],
)
def test_durations_as_users_type_them(text: str, bare: str, seconds: float) -> None:
    assert parse_duration(text, bare_unit=bare) == seconds


@pytest.mark.parametrize("text", ["", "abc", "5w", "-3", "0", "5 minutes"])
def test_bad_durations_are_one_clear_line(text: str) -> None:
    with pytest.raises(DurationError) as info:
        parse_duration(text)
    assert "\n" not in str(info.value)
    assert "bad duration" in str(info.value)


def test_format_duration_matches_the_banner() -> None:
    assert format_duration(300) == "300s"
    assert format_duration(5400) == "1h30m"
    assert format_duration(86_400 * 60) == "60d"
