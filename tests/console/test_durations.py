from __future__ import annotations

import pytest

from console.durations import DurationError, describe_duration, format_duration, parse_duration


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
        ("5 minutes", "s", 300),
        ("2 min", "s", 120),
        ("2min", "m", 120),
        ("1h30m", "s", 5_400),
        ("1h 30m", "m", 5_400),
        ("90 sec", "m", 90),
        ("7 days", "s", 604_800),
        ("2 hours", "m", 7_200),
    ],
)
def test_durations_as_users_type_them(text: str, bare: str, seconds: float) -> None:
    assert parse_duration(text, bare_unit=bare) == seconds


@pytest.mark.parametrize("text", ["", "abc", "5w", "-3", "0", "1h 30", "5 fortnights", "0m"])
def test_bad_durations_are_one_clear_line(text: str) -> None:
    with pytest.raises(DurationError) as info:
        parse_duration(text)
    assert "\n" not in str(info.value)
    assert "bad duration" in str(info.value)


def test_format_duration_matches_the_banner() -> None:
    assert format_duration(300) == "300s"
    assert format_duration(5400) == "1h30m"
    assert format_duration(86_400 * 60) == "60d"


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (4, "4 s"),
        (0.5, "0.5 s"),
        (120, "2 min"),
        (90, "1 min 30 s"),
        (5_400, "1 h 30 min"),
        (86_400, "1 day"),
        (86_400 * 7 + 3600 * 4 + 60, "7 days 4 h"),
    ],
)
def test_the_resolved_length_is_echoed_in_words(seconds: float, words: str) -> None:
    assert describe_duration(seconds) == words


def test_a_bare_number_means_the_commands_unit_and_says_so_in_words() -> None:
    assert describe_duration(parse_duration("2", bare_unit="m")) == "2 min"  # paper
    assert describe_duration(parse_duration("2", bare_unit="s")) == "2 s"  # run
