"""The venue registry: one name per venue, old spellings accepted, venues loaded on first use."""

from __future__ import annotations

import ast
import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from brokers import registry
from brokers.kraken_futures.replay import KrakenFuturesReplay
from brokers.venue import VenueSpec
from console.cli import build_parser
from console.commands.paper import session_name
from tests.brokers.recording.helpers import header

ROOT = Path(__file__).resolve().parents[2]
CONCRETE_VENUE_PACKAGES = (
    "brokers.kraken_futures",
    "brokers.binance_us",
    "brokers.sim.kraken_futures",
    "brokers.sim.binance_us",
)


@pytest.mark.parametrize("name", registry.names())
def test_every_registered_venue_loads_a_spec_of_its_own_name(name: str) -> None:
    spec = registry.venue(name)
    assert isinstance(spec, VenueSpec)
    assert spec.name == name
    assert spec.title and spec.banner_name and spec.default_symbol
    assert spec.fee_setting in spec.settings


def test_the_old_kraken_futures_spelling_is_the_kraken_venue() -> None:
    assert registry.canonical("kraken_futures") == "kraken"
    assert registry.venue("kraken_futures") is registry.venue("kraken")


def test_an_unknown_venue_is_one_line_naming_the_known_ones() -> None:
    with pytest.raises(registry.UnknownVenue, match="unknown venue 'nope' \\(known: sim, kraken"):
        registry.venue("nope")


def test_a_recording_made_under_the_old_name_is_replayed_by_the_kraken_decoder() -> None:
    old = header()
    assert old.venue == "kraken_futures"
    assert isinstance(registry.decoder_for(old, _NullSink()), KrakenFuturesReplay)
    new = dataclasses.replace(old, venue="kraken")
    assert isinstance(registry.decoder_for(new, _NullSink()), KrakenFuturesReplay)


def test_the_cli_takes_the_old_name_and_keeps_the_session_names_it_made() -> None:
    parser = build_parser()
    args = parser.parse_args(["paper", "--broker", "kraken_futures"])
    assert args.broker == "kraken"
    assert session_name(args) == "kraken_pf_xbtusd"  # the name existing databases hold
    assert parser.parse_args(["sim", "--protocol", "kraken_futures"]).protocol == "kraken"


def test_listing_the_venues_loads_none_of_them() -> None:
    code = (
        "import sys, console.cli; from brokers import registry; registry.names(); "
        "print(sorted(m for m in sys.modules if m.startswith(('brokers.kraken', 'brokers.bin'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout
    assert out.strip() == "[]"


def test_the_console_reaches_concrete_venues_only_through_the_registry() -> None:
    offenders = []
    for path in sorted((ROOT / "console").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
            for name in names:
                if name.startswith(CONCRETE_VENUE_PACKAGES):
                    offenders.append(f"{path.relative_to(ROOT)} imports {name}")
    assert offenders == []


class _NullSink:
    def on_snapshot(self, snapshot: object) -> None: ...

    def on_delta(self, delta: object) -> None: ...

    def on_feed_event(self, event: object) -> None: ...
