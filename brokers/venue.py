"""What every venue folder exposes: one ``VenueSpec``, found by name in ``brokers.registry``.

A spec holds a venue's facts (names, default symbol, long only, the settings it reads: keys,
endpoints, fees) and builds everything the console, replays, the benchmark and ``l2console sim``
need from it: a connected feed and execution venue (``open``), the replay decoder, the live frame
parser and the simulated server. Nothing outside a venue's folder and the registry names a
concrete venue; everything else asks the registry and talks to these types.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import SecretStr

from brokers.maintenance import MaintenanceSource
from core.dead_man import DeadManView
from core.enums import Mode
from core.instrument import Instrument
from core.ports import ExecutionVenue, FeedSink, MarketFeed, VenueError, VenueUnreachable

if TYPE_CHECKING:
    from brokers.recording.decoding import RecordDecoder
    from brokers.recording.recorder import FrameRecorder

BPS = Decimal(10_000)


class VenueSetupError(Exception):
    """Why a venue cannot be opened, in one line for the user (missing keys, unlisted symbol…)."""


@dataclass(frozen=True, slots=True)
class ApiCredentials:
    """A key pair and the setting names it came from (for 'missing' messages; never the values)."""

    key: SecretStr | None
    secret: SecretStr | None
    key_setting: str
    secret_setting: str

    @property
    def missing(self) -> list[str]:
        return [
            name
            for name, value in ((self.key_setting, self.key), (self.secret_setting, self.secret))
            if value is None or not value.get_secret_value().strip()
        ]

    @property
    def fingerprint(self) -> str:
        """A non-secret name for the account: the first 12 hex digits of the key's SHA-256
        (never the key); "" without a key."""
        if self.key is None or not self.key.get_secret_value().strip():
            return ""
        return hashlib.sha256(self.key.get_secret_value().encode()).hexdigest()[:12]

    @classmethod
    def from_settings(
        cls, settings: Mapping[str, Any], key_setting: str, secret_setting: str
    ) -> ApiCredentials:
        """The pair the settings named ``key_setting`` and ``secret_setting`` hold."""
        return cls(settings[key_setting], settings[secret_setting], key_setting, secret_setting)


@dataclass(frozen=True, slots=True)
class RecordTo:
    """``--record FILE``: where every raw frame goes, and when a new part starts."""

    path: Path
    rotate_bytes: int


@dataclass(frozen=True, slots=True)
class VenueRequest:
    """What the console asks of a venue.

    ``settings`` holds exactly the settings the spec lists in ``VenueSpec.settings``, by their
    environment names (``KRAKEN_DEMO_API_KEY``…), as validated values.
    """

    symbol: str
    mode: Mode
    settings: Mapping[str, Any]
    production: bool = False
    real_money_ack: bool = False
    seed: int | None = None  # the simulated venue's market seed (None: the setting's)
    record: RecordTo | None = None

    @property
    def live(self) -> bool:
        return self.mode is Mode.LIVE


@dataclass(frozen=True, slots=True)
class Target:
    """Where an adapter connects and as whom: a venue environment, or a simulated server."""

    ws_url: str
    rest_url: str
    credentials: ApiCredentials
    venue_name: str  # shown in the status bar and the summary ("Kraken Futures demo")
    environment: str  # recorded in a recording's header: production, demo, custom endpoint, sim


class DeadMan(Protocol):
    """A venue-side dead-man's switch as the session drives it (armed for live trading)."""

    def report_to(self, on_problem: Callable[[str], None]) -> None: ...

    async def start(self) -> None: ...

    async def stop(self, *, disarm: bool = True) -> None: ...

    def view(self) -> DeadManView:
        """Its state as the console shows it (armed, refreshed when, fired and re-armed)."""
        ...


class SpotHoldings(Protocol):
    """A spot venue knows only what this process bought: a resumed long is handed over here."""

    def adopt_holding(self, symbol: str, quantity: Decimal, entry_price: Decimal) -> None: ...


class SimServer(Protocol):
    """A venue's protocol spoken on 127.0.0.1 over the synthetic market (``brokers.sim``)."""

    @property
    def ws_url(self) -> str: ...

    @property
    def rest_url(self) -> str: ...

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None: ...

    async def stop(self) -> None: ...


class ParserStats(Protocol):
    @property
    def dropped_total(self) -> int: ...


class FrameParser(Protocol):
    """A venue's live frame parser: raw frame in, events to its sink (the hot path)."""

    @property
    def stats(self) -> ParserStats: ...

    def parse(self, raw: bytes | str, recv_ns: int) -> object: ...


@dataclass(frozen=True, slots=True)
class VenueConnection:
    """An opened venue: what the session runs on. Everything in it is closed by the stack."""

    venue_name: str  # shown in the status bar and the summary
    banner_name: str  # "Kraken" in "Kraken L2 Demo initialized"
    feed: MarketFeed
    venue: ExecutionVenue  # instruments and, when keys are present, orders
    instrument: Instrument
    taker_fee_rate: Decimal
    long_only: bool
    can_trade_live: bool  # keys present for this venue/environment
    ws_url: str
    rest_url: str
    dead_man: DeadMan | None = None  # armed for live trading where the venue has one
    recorder: FrameRecorder | None = None  # ``--record``: every raw frame goes to a file
    spot_holdings: SpotHoldings | None = None  # spot venues: where a resumed long is handed
    account: str = ""  # ``ApiCredentials.fingerprint`` of the key: one live run per account
    maintenance: MaintenanceSource | None = None  # asks the venue's maintenance status
    # Where ``taker_fee_rate`` came from: "account, TradeVolume", or "" for the fee setting.
    taker_fee_source: str = ""


class VenueSpec(ABC):
    """One venue: its facts and its factories. Subclassed once per venue folder (``VENUE``)."""

    name: str  # the one name: CLI, recordings, sims, store (aliases live in the registry)
    title: str  # "Kraken Futures", "Binance.us"
    banner_name: str  # "Kraken" in "Kraken L2 Demo initialized"
    default_symbol: str
    long_only: bool = False
    has_demo: bool = False  # a fake-money environment that live trading uses by default
    simulated: bool = False  # a server in this process: live orders are a rehearsal
    fee_setting: str  # the taker fee in bps (``KRAKEN_TAKER_FEE_BPS``)
    ws_url_setting: str  # the endpoint overrides (``KRAKEN_FUTURES_WS_URL``)
    rest_url_setting: str
    settings: tuple[str, ...]  # every setting ``open`` reads, by environment name
    real_money_keys: tuple[str, ...] = ()  # the key settings that trade real money
    rehearsal_note: str = ""  # said when live without the real-money flag is refused
    sim_port: int | None = None  # ``l2console sim --protocol <name>``'s default port

    def __repr__(self) -> str:
        return f"<venue {self.name}>"

    def uses_demo(self, *, started_live: bool, production: bool) -> bool:
        """Whether the run connects to the venue's demo: live runs do, unless ``--production``.

        Dry-run and paper watch production, the only book worth validating a strategy on.
        """
        return self.has_demo and started_live and not production

    def real_money(self, *, started_live: bool, production: bool) -> bool:
        """Whether a live order on this run's connection would be real money."""
        return not self.simulated and not self.uses_demo(
            started_live=started_live, production=production
        )

    @abstractmethod
    async def open(
        self, request: VenueRequest, stack: contextlib.AsyncExitStack
    ) -> VenueConnection:
        """Connect for ``request``; everything opened is closed by ``stack``.

        A user-facing reason not to start (missing keys, an unlisted symbol, an unreachable
        venue) raises ``VenueSetupError`` with one line.
        """

    @abstractmethod
    async def connect(
        self, request: VenueRequest, stack: contextlib.AsyncExitStack, target: Target
    ) -> VenueConnection:
        """Connect the adapter to ``target`` (``open`` after choosing the environment, or a
        simulated server)."""

    @abstractmethod
    def replay_decoder(self, sink: FeedSink) -> RecordDecoder:
        """Recorded frames of this venue back into ``sink``, through the live parser."""

    @abstractmethod
    def frame_parser(self, sink: FeedSink) -> FrameParser:
        """The live feed's parser alone, delivering to ``sink`` (the pipeline benchmark)."""

    @abstractmethod
    def sim_server(self, *, seed: int, rate_hz: float, edge: float) -> SimServer:
        """This venue's protocol over the synthetic market, not yet started."""

    @property
    @abstractmethod
    def sim_credentials(self) -> ApiCredentials:
        """The public fake key pair the simulated server accepts."""

    # --- steps every ``connect`` shares -------------------------------------------------------
    async def listed_instrument(
        self, venue: ExecutionVenue, request: VenueRequest, target: Target
    ) -> Instrument:
        """``request.symbol`` as ``venue`` lists it, tradeable now."""
        name, url = target.venue_name, target.rest_url
        try:
            instruments = await venue.instruments()
        except VenueUnreachable as exc:
            raise VenueSetupError(f"cannot reach {name} at {url}: {exc}") from None
        except VenueError as exc:
            raise VenueSetupError(f"{name} refused the instrument list: {exc}") from None
        instrument = instruments.get(request.symbol.upper())
        if instrument is None:
            listed = ", ".join(sorted(instruments)[:8])
            raise VenueSetupError(
                f"{request.symbol} is not listed by {name} (listed: {listed}, ...)"
            )
        if not instrument.tradeable:
            raise VenueSetupError(f"{instrument.symbol} is listed by {name} but not tradeable now")
        return instrument

    async def start_recorder(
        self,
        request: VenueRequest,
        stack: contextlib.AsyncExitStack,
        target: Target,
        instrument: Instrument,
        *,
        ws_url: str,
    ) -> FrameRecorder | None:
        """``--record FILE``: a started recorder (closed by ``stack``) whose header names this
        venue, the target's environment and the instrument; None without the flag."""
        from brokers.recording import (  # noqa: PLC0415 - recording loads on demand
            FrameRecorder,
            RecordingError,
            RecordingHeader,
        )

        record = request.record
        if record is None:
            return None
        header = RecordingHeader(
            venue=self.name,
            environment=target.environment,
            venue_name=target.venue_name,
            products=(instrument.symbol,),
            instrument=instrument,
            recording_id=str(time.time_ns()),
            started_wall_ns=time.time_ns(),
            ws_url=ws_url,
            extra={"long_only": self.long_only},
        )
        recorder = FrameRecorder(record.path, rotate_bytes=record.rotate_bytes)
        try:
            await recorder.start(header)
        except RecordingError as exc:
            raise VenueSetupError(f"cannot record: {exc}") from None
        stack.push_async_callback(recorder.close)
        return recorder

    def connection(self, target: Target, **parts: Any) -> VenueConnection:
        """The ``VenueConnection`` of ``parts`` on ``target``, named and ruled as this venue."""
        return VenueConnection(
            venue_name=target.venue_name,
            banner_name=self.banner_name,
            long_only=self.long_only,
            account=target.credentials.fingerprint,
            **parts,
        )

    def fee_rate(self, settings: Mapping[str, Any]) -> Decimal:
        """The configured taker fee as a fraction of notional."""
        rate: Decimal = settings[self.fee_setting] / BPS
        return rate

    # --- the pipeline benchmark (a venue need not support it) ---------------------------------
    def synthetic_frames(self, count: int, products: tuple[str, ...], seed: int) -> list[str]:
        """``count`` raw frames of the simulated market, as this venue's feed receives them."""
        raise NotImplementedError(f"the benchmark has no synthetic {self.title} frames")

    def book_products(self, frames: Sequence[str | bytes]) -> tuple[str, tuple[str, ...]]:
        """In raw frames of this venue: the first product with a snapshot ("" if none), and every
        product with a book frame (that one first)."""
        raise NotImplementedError(f"the benchmark cannot read {self.title} frames")
