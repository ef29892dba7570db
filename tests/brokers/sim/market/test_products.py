"""Product specs: the defaults the issue names, and symbol lookup for the CLI."""

from __future__ import annotations

from decimal import Decimal

import pytest

from brokers.sim import KRAKEN_FUTURES_PRODUCTS, PF_ETHUSD, PF_XBTUSD, PI_XBTUSD, resolve_products
from brokers.sim.market.products import SimProductSpec
from core.enums import ContractType


def test_default_products_have_the_documented_rules() -> None:
    assert [p.symbol for p in KRAKEN_FUTURES_PRODUCTS] == ["PF_XBTUSD", "PF_ETHUSD", "PI_XBTUSD"]
    assert (PF_XBTUSD.tick_size, PF_XBTUSD.size_step, PF_XBTUSD.size_decimals) == (
        Decimal("0.5"),
        Decimal("0.0001"),
        4,
    )
    assert (PF_ETHUSD.tick_size, PF_ETHUSD.size_decimals) == (Decimal("0.1"), 3)
    assert PI_XBTUSD.contract_type is ContractType.INVERSE
    assert (PI_XBTUSD.size_decimals, PI_XBTUSD.contract_size) == (0, Decimal(1))


def test_symbols_resolve_case_insensitively_and_unknown_ones_are_refused() -> None:
    assert resolve_products(["pf_ethusd", PF_XBTUSD]) == (PF_ETHUSD, PF_XBTUSD)
    assert resolve_products(None) == KRAKEN_FUTURES_PRODUCTS
    with pytest.raises(ValueError, match="unknown simulated product 'PF_NOPE'"):
        resolve_products(["PF_NOPE"])
    with pytest.raises(ValueError, match="twice"):
        resolve_products(["PF_XBTUSD", "pf_xbtusd"])


def test_a_spec_off_its_own_grid_is_refused() -> None:
    with pytest.raises(ValueError, match="start price"):
        SimProductSpec(
            "PF_X",
            ContractType.LINEAR,
            Decimal("0.5"),
            Decimal("0.1"),
            Decimal("100.25"),
            Decimal("1"),
        )
