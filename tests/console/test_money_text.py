"""Money on screen: exact, so what a trader adds up on screen is what the ledger holds."""

from __future__ import annotations

from decimal import Decimal

import pytest

from console.report.formatting import average, average_or_na, usd

D = Decimal


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        ("4235.67", "$4,235.67"),
        ("-32.18", "-$32.18"),
        ("0.1", "$0.10"),
        ("-0.12758295", "-$0.12758295"),
        ("0.09568295", "$0.09568295"),
        ("1E+3", "$1,000.00"),
        ("1234567.891", "$1,234,567.891"),
        ("0", "$0.00"),
        ("-0.000000000001", "$0.00"),  # below the ledger's quantum: nothing
    ],
)
def test_an_amount_prints_every_decimal_it_has_and_at_least_cents(amount: str, text: str) -> None:
    assert usd(D(amount)) == text


def test_a_signed_gain_reads_plus() -> None:
    assert usd(D("0.0011"), signed=True) == "+$0.0011"
    assert usd(D("-0.0011"), signed=True) == "-$0.0011"


def test_micro_size_parts_and_their_total_add_up_on_screen() -> None:
    """A $100 BTC position: 0.0022 at 43,499.5 out at 43,485.0, 5 bps taker each way."""
    realized = D("0.0022") * (D("43485.0") - D("43499.5"))
    fees = D("0.0022") * D("43499.5") * D("0.0005") + D("0.0022") * D("43485.0") * D("0.0005")
    net = realized - fees
    shown = [usd(realized), usd(fees), usd(net)]
    assert shown == ["-$0.0319", "$0.09568295", "-$0.12758295"]
    back = [D(t.replace("$", "").replace(",", "")) for t in shown]
    assert back[0] - back[1] == back[2]


def test_two_micro_losses_add_up_where_cents_did_not() -> None:
    a, b = D("-0.1249"), D("-0.1349")  # cents would show -$0.12 + -$0.13 = -$0.26
    assert (usd(a), usd(b), usd(a + b)) == ("-$0.1249", "-$0.1349", "-$0.2598")


@pytest.mark.parametrize(
    ("value", "text"),
    [("64.6957671957", "$64.70"), ("-50.5812", "-$50.58"), ("-0.051234", "-$0.0512")],
)
def test_averages_are_statistics_rounded_to_the_cent_or_below_a_dollar_finer(
    value: str, text: str
) -> None:
    assert average_or_na(D(value)) == text
    assert usd(average(D(value))) == text
