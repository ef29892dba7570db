"""The simulated venue as the registry knows it (``sim``): a protocol's server in this process.

``--broker sim`` starts the simulated server of the default market venue
(``brokers.registry.DEFAULT_MARKET_VENUE``) on an ephemeral port of 127.0.0.1
and connects that venue's real adapter to it, signed with the public fake sim keys: nothing to
configure, nothing at risk, and live orders are a rehearsal. It is the default venue.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from brokers import registry
from brokers.venue import (
    ApiCredentials,
    FrameParser,
    SimServer,
    Target,
    VenueConnection,
    VenueRequest,
    VenueSpec,
)
from core.ports import FeedSink

if TYPE_CHECKING:
    from brokers.recording.decoding import RecordDecoder

SETTINGS = ("SIM_SEED", "SIM_RATE_HZ", "SIM_EDGE")


class SimulatedVenue(VenueSpec):
    """Another venue's spec, served by its simulated server. Its facts are that venue's."""

    name = "sim"
    simulated = True

    def __init__(self, protocol: str) -> None:
        self._protocol_name = protocol

    @property
    def protocol(self) -> VenueSpec:
        return registry.venue(self._protocol_name)

    # Its facts are the protocol's: what the user sees, the symbol, the fee and URL settings.
    @property
    def title(self) -> str:  # type: ignore[override]
        return self.protocol.title

    @property
    def banner_name(self) -> str:  # type: ignore[override]
        return self.protocol.banner_name

    @property
    def default_symbol(self) -> str:  # type: ignore[override]
        return self.protocol.default_symbol

    @property
    def long_only(self) -> bool:  # type: ignore[override]
        return self.protocol.long_only

    @property
    def fee_setting(self) -> str:  # type: ignore[override]
        return self.protocol.fee_setting

    @property
    def ws_url_setting(self) -> str:  # type: ignore[override]
        return self.protocol.ws_url_setting

    @property
    def rest_url_setting(self) -> str:  # type: ignore[override]
        return self.protocol.rest_url_setting

    @property
    def settings(self) -> tuple[str, ...]:  # type: ignore[override]
        return (*SETTINGS, *self.protocol.settings)

    async def open(
        self, request: VenueRequest, stack: contextlib.AsyncExitStack
    ) -> VenueConnection:
        protocol = self.protocol
        settings = request.settings
        server = protocol.sim_server(
            seed=settings["SIM_SEED"] if request.seed is None else request.seed,
            rate_hz=settings["SIM_RATE_HZ"],
            edge=settings["SIM_EDGE"],
        )
        await server.start(host="127.0.0.1", port=0)
        stack.push_async_callback(server.stop)
        target = Target(
            ws_url=server.ws_url,
            rest_url=server.rest_url,
            credentials=protocol.sim_credentials,
            venue_name=f"{protocol.title} (simulated)",
            environment="sim",
        )
        return await protocol.connect(request, stack, target)

    async def connect(
        self, request: VenueRequest, stack: contextlib.AsyncExitStack, target: Target
    ) -> VenueConnection:
        return await self.protocol.connect(request, stack, target)

    def replay_decoder(self, sink: FeedSink) -> RecordDecoder:
        return self.protocol.replay_decoder(sink)

    def frame_parser(self, sink: FeedSink) -> FrameParser:
        return self.protocol.frame_parser(sink)

    def synthetic_frames(self, count: int, products: tuple[str, ...], seed: int) -> list[str]:
        return self.protocol.synthetic_frames(count, products, seed)

    def book_products(self, frames: Sequence[str | bytes]) -> tuple[str, tuple[str, ...]]:
        return self.protocol.book_products(frames)

    def sim_server(self, *, seed: int, rate_hz: float, edge: float) -> SimServer:
        return self.protocol.sim_server(seed=seed, rate_hz=rate_hz, edge=edge)

    @property
    def sim_credentials(self) -> ApiCredentials:
        return self.protocol.sim_credentials


VENUE = SimulatedVenue(registry.DEFAULT_MARKET_VENUE)
