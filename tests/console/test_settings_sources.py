"""Where settings come from: a settings file that is missing or unreadable is an error; a name
that is no setting, or a line that is not NAME=value, is a warning in our own words."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.settings import SettingsError, load_settings
from console.settings_sources import (
    env_file_warnings,
    environment_warnings,
    read_text,
    setting_names,
    settings_file,
)
from tests.console.cli_process import assert_one_line_error, l2console
from tests.restricted import as_unprivileged, shared_folder, unprivileged_unavailable

KNOWN = setting_names()
EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"
BINANCE_LIKE_KEY = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"


@pytest.fixture(autouse=True)
def no_ambient_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith(("KRAKEN", "BINANCE", "MAX_", "SIM_", "L2CONSOLE")):
            monkeypatch.delenv(name)


def warnings_for(text: str) -> list[str]:
    return env_file_warnings(Path(".env"), text, KNOWN)


# --- the settings file ------------------------------------------------------------------------


def test_the_example_file_draws_no_warning() -> None:
    assert env_file_warnings(EXAMPLE, read_text(EXAMPLE), KNOWN) == []


@pytest.mark.parametrize(
    ("line", "closest"),
    [
        ("MAX_DAILY_LOSS_USDD=20", "MAX_DAILY_LOSS_USD"),
        ("max_daily_los_usd=20", "MAX_DAILY_LOSS_USD"),
        ("KRAKEN_API_KYE=abc", "KRAKEN_API_KEY"),
        ("TAKE_PROFIT=0.3", "TAKE_PROFIT_PCT"),
        ("export SIM_SEEED=3", "SIM_SEED"),
    ],
)
def test_a_misspelt_setting_is_a_warning_naming_the_closest_real_one(
    line: str, closest: str
) -> None:
    name = line.removeprefix("export ").split("=")[0]
    assert warnings_for(f"# risk\n{line}\n") == [
        f"warning: .env line 2: {name} is not a setting (did you mean {closest}?); ignored"
    ]


def test_a_name_like_no_setting_is_still_a_warning() -> None:
    assert warnings_for("COMPOSE_PROJECT_NAME=desk\n") == [
        "warning: .env line 1: COMPOSE_PROJECT_NAME is not an l2console setting; ignored"
    ]


@pytest.mark.parametrize(
    "pasted", [BINANCE_LIKE_KEY, "abc+def/GHIjkl==", "a1b2c3d4e5f60718293a4b5c"]
)
def test_a_key_pasted_on_a_line_of_its_own_is_never_echoed(pasted: str) -> None:
    (warning,) = warnings_for(f"BINANCE_US_API_KEY=\n{pasted}\n")
    assert warning.startswith("warning: .env line 2: a name that is not an l2console setting")
    assert pasted not in warning and pasted[:8] not in warning


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SIM_SEED=3\nthis is not valid\n", "warning: .env line 2 is not NAME=value; ignored"),
        (
            "MAX_DAILY_LOSS_USD 20\n",
            "warning: .env line 1 is not NAME=value; ignored (MAX_DAILY_LOSS_USD is not set by it)",
        ),
        (
            'KRAKEN_API_SECRET="s3cr3t\nSIM_SEED=3\nSIM_EDGE="0\n',
            "warning: .env lines 1-3 are not NAME=value (an unclosed quote on line 1?); ignored "
            "(KRAKEN_API_SECRET is not set by it)",
        ),
    ],
)
def test_a_malformed_line_is_our_one_line_never_its_text(text: str, expected: str) -> None:
    warnings = warnings_for(text)
    assert warnings == [expected]
    assert "s3cr3t" not in "".join(warnings)


def test_a_setting_without_a_value_and_a_setting_given_twice_are_warnings() -> None:
    assert warnings_for("MAX_POSITION_USD=100\nKRAKEN_API_KEY\nMAX_POSITION_USD=50\n") == [
        "warning: .env line 2: KRAKEN_API_KEY has no value (write KRAKEN_API_KEY=...); ignored",
        "warning: .env line 3: MAX_POSITION_USD again; the value on line 1 is ignored",
    ]


def test_warnings_leave_the_good_lines_loaded(tmp_path: Path) -> None:
    env = tmp_path / "settings.env"
    env.write_text("MAX_DAILY_LOSS_USDD=20\nnot valid\nMAX_TRADES_PER_DAY=3\n", encoding="utf-8")
    assert len(warnings_for(read_text(env))) == 2
    settings = load_settings(env)
    assert settings.max_trades_per_day == 3
    assert settings.max_daily_loss_usd == 50  # the misspelt line set nothing


def test_a_settings_file_named_on_the_command_line_must_exist(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"^--env-file .*missing\.env: no such file$"):
        settings_file(tmp_path / "missing.env")
    with pytest.raises(SettingsError, match="is a directory"):
        settings_file(tmp_path)
    assert settings_file(Path(os.devnull)) == Path(os.devnull)


def test_without_env_file_the_local_env_is_read_when_there_is_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert settings_file(None) is None
    Path(".env").write_text("SIM_SEED=3\n", encoding="utf-8")
    assert settings_file(None) == Path(".env")


def test_a_settings_file_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    env = tmp_path / "latin1.env"
    env.write_bytes("KRAKEN_API_KEY=clé\n".encode("latin-1"))
    with pytest.raises(SettingsError, match=r"is not UTF-8 text \(byte 0xe9 .*save it as UTF-8"):
        read_text(env)


# --- the environment ----------------------------------------------------------------------------


def test_environment_variables_meant_for_us_but_misspelt_are_warnings() -> None:
    environ = {
        "L2CONSOLE_DBB": "x",  # our prefix
        "kraken_api_kye": "x",  # a venue's prefix, any case
        "BINANCE_US_KEY": "x",
        "MAX_DAILY_LOSS_USDD": "20",  # no prefix, but very close to a setting
        "MAX_DAILY_LOSS_USD": "20",  # a setting: fine
    }
    assert environment_warnings(environ, KNOWN) == [
        "warning: environment variable BINANCE_US_KEY is not a setting "
        "(did you mean BINANCE_US_API_KEY?); ignored",
        "warning: environment variable L2CONSOLE_DBB is not a setting "
        "(did you mean L2CONSOLE_DB?); ignored",
        "warning: environment variable MAX_DAILY_LOSS_USDD is not a setting "
        "(did you mean MAX_DAILY_LOSS_USD?); ignored",
        "warning: environment variable kraken_api_kye is not a setting "
        "(did you mean KRAKEN_API_KEY?); ignored",
    ]


def test_the_retired_demo_keys_get_one_line_pointing_to_the_rehearsal() -> None:
    warnings = environment_warnings({"KRAKEN_DEMO_API_KEY": "x"}, KNOWN)
    assert len(warnings) == 1
    assert "retired its Futures demo on 14 July 2026" in warnings[0]
    assert "real money" in warnings[0] and "l2console run --live" in warnings[0]


def test_other_programs_environment_variables_are_left_alone() -> None:
    environ = dict.fromkeys(
        ["PATH", "HOME", "LANG", "TERM", "PIP_CERT", "DEBIAN_FRONTEND", "MAX_OPEN_FILES",
         "TIMEOUT", "SSL_CERT_DIR", "PYTHONUNBUFFERED", "STATE", "DB"],
        "x",
    )  # fmt: skip
    assert environment_warnings(environ, KNOWN) == []


# --- the command line -------------------------------------------------------------------------


@pytest.fixture
def folder() -> Iterator[Path]:
    with shared_folder() as path:
        yield path


def test_the_cli_refuses_a_missing_env_file(folder: Path) -> None:
    done = l2console("sessions", cwd=folder, env_file=str(folder / "typo.env"))
    assert_one_line_error(done, f"--env-file {folder / 'typo.env'}: no such file")


def test_the_cli_warns_in_its_own_words_and_carries_on(folder: Path) -> None:
    env = folder / ".env"
    env.write_text("MAX_DAILY_LOSS_USDD=20\nMAX_POSITION_USD: 80\n", encoding="utf-8")
    env.chmod(0o600)
    done = l2console(
        "-v",
        "sessions",
        "--db",
        str(folder / "none.sqlite"),
        cwd=folder,
        env={"L2CONSOLE_DBB": "x"},
        env_file=".env",
    )
    assert done.returncode == 0, done
    assert done.stdout.startswith("no sessions yet")
    assert done.stderr.splitlines() == [
        "warning: .env line 1: MAX_DAILY_LOSS_USDD is not a setting "
        "(did you mean MAX_DAILY_LOSS_USD?); ignored",
        "warning: .env line 2 is not NAME=value; ignored (MAX_POSITION_USD is not set by it)",
        "warning: environment variable L2CONSOLE_DBB is not a setting "
        "(did you mean L2CONSOLE_DB?); ignored",
    ]


def test_the_cli_refuses_an_env_file_it_cannot_read(folder: Path) -> None:
    reason = unprivileged_unavailable()
    if reason:
        pytest.skip(reason)
    env = folder / "keys.env"
    env.write_text("KRAKEN_API_KEY=abc\n", encoding="utf-8")
    env.chmod(0o600)
    done = l2console("sessions", cwd=folder, env_file=str(env), wrap=as_unprivileged)
    assert_one_line_error(done, f"cannot read settings file {env}: permission denied")
