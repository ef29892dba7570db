"""Where settings come from, checked before they are loaded: nothing is silently ignored.

The settings file is read by pydantic-settings (through python-dotenv), which skips what it
cannot use without a word: a missing file, a line that is not ``NAME=value``, a name that is
no setting. Here the same file is parsed with python-dotenv's own parser, so both agree on what
a line means, and each of those becomes one line for the user: an error for a settings file that
cannot be read, a warning naming the closest real setting for a misspelt name.
"""

from __future__ import annotations

import difflib
import io
import re
from collections.abc import Mapping
from pathlib import Path

from dotenv.parser import Binding, parse_stream

from console.retired import DEMO_RETIRED, REHEARSAL
from console.settings import Settings, SettingsError, env_file_permission_warning

DEFAULT_ENV_FILE = Path(".env")
# Environment variables with these prefixes are meant for us even when misspelt: the console's
# own and the venues' (the simulated venue included).
OUR_PREFIXES = ("L2CONSOLE_", "KRAKEN_", "BINANCE_", "SIM_")
# How alike a name must be to a setting's to be taken for a misspelling of it. Unprefixed
# environment variables must be very close (unrelated ones, PATH, PIP_CERT, DEBIAN_FRONTEND...,
# score at most ~0.5 against the settings; MAX_DAILY_LOSS against MAX_DAILY_LOSS_USD is 0.88).
RETIRED = {
    name: (
        f"{name} is ignored: {DEMO_RETIRED}, so --live on Kraken is real money "
        f"(KRAKEN_API_KEY); {REHEARSAL}"
    )
    for name in ("KRAKEN_DEMO_API_KEY", "KRAKEN_DEMO_API_SECRET")
}
"""Settings that no longer exist, and the one line that says why."""
LOOKS_LIKE_A_SETTING = 0.8
SUGGESTION = 0.6
NAME = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)")
# What a setting-like name looks like, as opposed to an API key pasted on a line of its own.
NAME_LIKE = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|[A-Z][A-Z0-9]{0,11}")


def setting_names() -> frozenset[str]:
    return frozenset((field.alias or name).upper() for name, field in Settings.model_fields.items())


def settings_file(given: Path | None) -> Path | None:
    """The settings file to read: ``--env-file`` (which must exist), else ``./.env`` if there is
    one. A file that is there but cannot be read is an error either way."""
    path = DEFAULT_ENV_FILE if given is None else given
    try:
        if not path.exists():
            if given is None:
                return None
            raise SettingsError(f"--env-file {path}: no such file")
        if path.is_dir():
            raise SettingsError(f"settings file {path} is a directory, not a file")
    except OSError as exc:
        raise SettingsError(f"cannot reach settings file {path}: {_reason(exc)}") from None
    return path


def read_text(path: Path) -> str:
    """The settings file's text, or one line saying why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SettingsError(
            f"settings file {path} is not UTF-8 text (byte {exc.object[exc.start]:#04x} at "
            f"offset {exc.start}); save it as UTF-8"
        ) from None
    except OSError as exc:
        raise SettingsError(f"cannot read settings file {path}: {_reason(exc)}") from None


def settings_warnings(env_file: Path | None, environ: Mapping[str, str]) -> list[str]:
    """Every warning about where settings come from, one line each, in file order."""
    known = setting_names()
    warnings: list[str] = []
    if env_file is not None:
        permission = env_file_permission_warning(env_file)
        if permission:
            warnings.append(permission)
        warnings += env_file_warnings(env_file, read_text(env_file), known)
    warnings += environment_warnings(environ, known)
    return warnings


def env_file_warnings(env_file: Path, text: str, known: frozenset[str]) -> list[str]:
    warnings = []
    set_on: dict[str, int] = {}  # setting -> the line that last gave it a value
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            warnings.append(_unreadable(env_file, binding, known))
            continue
        if binding.key is None:  # a comment or a blank line
            continue
        line, key, name = binding.original.line, binding.key, binding.key.upper()
        where = f"warning: {env_file} line {line}"
        if name not in known:
            warnings.append(f"{where}: {_not_a_setting(key, known)}")
        elif binding.value is None:
            warnings.append(f"{where}: {key} has no value (write {name}=...); ignored")
        else:
            if name in set_on:
                warnings.append(
                    f"{where}: {key} again; the value on line {set_on[name]} is ignored"
                )
            set_on[name] = line
    return warnings


def environment_warnings(environ: Mapping[str, str], known: frozenset[str]) -> list[str]:
    """Environment variables that look meant for us but are no setting."""
    warnings = []
    for variable in sorted(environ):
        name = variable.upper()
        if name in known:
            continue
        ours = name.startswith(OUR_PREFIXES)
        if ours or difflib.get_close_matches(name, known, n=1, cutoff=LOOKS_LIKE_A_SETTING):
            warnings.append(f"warning: environment variable {_not_a_setting(variable, known)}")
    return warnings


def _not_a_setting(name: str, known: frozenset[str]) -> str:
    if name.upper() in RETIRED:
        return RETIRED[name.upper()]
    closest = difflib.get_close_matches(name.upper(), known, n=1, cutoff=SUGGESTION)
    if closest:
        return f"{name} is not a setting (did you mean {closest[0]}?); ignored"
    if name in (name.upper(), name.lower()) and NAME_LIKE.fullmatch(name.upper()):
        return f"{name} is not an l2console setting; ignored"
    # A key pasted on a line of its own reads as a name: never echo what may be a secret.
    return "a name that is not an l2console setting (not shown: it may be a key); ignored"


def _unreadable(env_file: Path, binding: Binding, known: frozenset[str]) -> str:
    """A line python-dotenv could not parse. Never shows the line itself: it may hold a key."""
    first = binding.original.line
    last = first + max(len(binding.original.string.splitlines()), 1) - 1
    if last > first:
        where = f"{env_file} lines {first}-{last} are"
        hint = f" (an unclosed quote on line {first}?)"
    else:
        where, hint = f"{env_file} line {first} is", ""
    named = NAME.match(binding.original.string)
    name = named.group(1).upper() if named else ""
    unset = f" ({name} is not set by it)" if name in known else ""
    return f"warning: {where} not NAME=value{hint}; ignored{unset}"


def _reason(exc: OSError) -> str:
    text = exc.strerror or str(exc)
    return text[:1].lower() + text[1:]
