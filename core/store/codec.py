"""Exact values in and out of SQLite: ``Decimal`` as TEXT, settings as JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from decimal import Decimal
from enum import Enum

from core.ledger import TripProgress

_SECRET_NAME = re.compile(r"secret|api_?key|password|passphrase|token", re.IGNORECASE)


def money(value: Decimal) -> str:
    """A finite ``Decimal`` as plain decimal text, digit for digit (never exponent notation)."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise ValueError(f"money and quantities must be finite Decimals, got {value!r}")
    return format(value, "f")


def optional_money(value: Decimal | None) -> str | None:
    return None if value is None else money(value)


def decimal(text: str) -> Decimal:
    return Decimal(text)


def optional_decimal(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def settings_json(parameters: Mapping[str, object]) -> str:
    """Settings as JSON (sorted keys). Refuses anything named like a secret: those never land in
    the database."""
    _refuse_secrets(parameters)
    return json.dumps(parameters, sort_keys=True, default=_plain, ensure_ascii=False)


def details_json(details: Mapping[str, object]) -> str:
    return json.dumps(details, sort_keys=True, default=_plain, ensure_ascii=False)


def from_json(text: str) -> dict[str, object]:
    value = json.loads(text)
    return value if isinstance(value, dict) else {}


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value, "f") if value.is_finite() else str(value)
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} cannot be stored as a setting")


def _refuse_secrets(parameters: object, path: str = "") -> None:
    if isinstance(parameters, Mapping):
        for key, value in parameters.items():
            if _SECRET_NAME.search(str(key)):
                raise ValueError(f"setting {path}{key} looks like a secret: it is never stored")
            _refuse_secrets(value, f"{path}{key}.")


_PROGRESS_FIELDS = (
    "basis",
    "entry_quantity",
    "entry_basis",
    "exit_quantity",
    "exit_basis",
    "gross_pnl",
)


def encode_progress(progress: TripProgress | None) -> str | None:
    """The ledger's working state as JSON of exact decimal strings (None when flat)."""
    if progress is None:
        return None
    return json.dumps({name: money(getattr(progress, name)) for name in _PROGRESS_FIELDS})


def decode_progress(text: str | None) -> TripProgress | None:
    if text is None:
        return None
    values = json.loads(text)
    return TripProgress(**{name: Decimal(values[name]) for name in _PROGRESS_FIELDS})
