"""Keys never leak: run the program with distinctive fake keys and grep everything it produced.

The sim venue accepts exactly these fake keys, so the runs below really authenticate, trade,
fail to authenticate, and refuse bad settings — every path where a key is in the air. Then
stdout, stderr (with verbose logging), every file the runs left (control files, the session
database once runs write one), the text of the errors and the ``repr`` of every object holding
a key are searched for the key, the secret and the secret's decoded bytes.
"""

from __future__ import annotations

import base64
import contextlib
import signal
from pathlib import Path

import pytest
from pydantic import SecretStr

from brokers.kraken_futures import KrakenFuturesRest
from brokers.kraken_futures.unified.execution import KrakenUnifiedExecution
from brokers.kraken_futures.unified.token import TokenSource
from brokers.sim import KrakenFuturesSimServer
from brokers.sim.kraken_unified import KrakenUnifiedSimServer
from console.options import RunOptions
from console.session import TradingSession
from console.settings import load_settings
from console.venue_setup import open_venue
from core.enums import Mode
from core.ports import VenueError
from tests.e2e.conftest import clean_env
from tests.e2e.console_process import HOLD_POSITIONS, LIVE_FLAGS, ConsoleProcess, console
from tests.waiting import eventually

pytestmark = pytest.mark.e2e

KEY = "L2C-FAKE-KEY-7f3a9c1e5b2d8a4f"
SECRET_BYTES = b"l2c-fake-secret-9d8c7b6a5f4e3d2c1b0a-do-not-leak!"
SECRET = base64.b64encode(SECRET_BYTES).decode()
WRONG_SECRET = base64.b64encode(b"l2c-wrong-secret-0a1b2c3d4e5f-also-must-not-leak").decode()
NEEDLES = (KEY, SECRET, SECRET_BYTES.decode(), WRONG_SECRET, KEY.lower(), SECRET[:24])


def leaks(text: str | bytes, extra: tuple[str, ...] = ()) -> list[str]:
    """The needles (and ``extra`` ones: the Unified tokens the venue handed out) in ``text``."""
    data = text.decode(errors="replace") if isinstance(text, bytes) else text
    return [needle for needle in (*NEEDLES, *extra) if needle in data]


def env_file(
    tmp_path: Path,
    server: KrakenFuturesSimServer | KrakenUnifiedSimServer,
    secret: str,
    **extra: str,
) -> Path:
    if isinstance(server, KrakenUnifiedSimServer):
        venue = {
            "KRAKEN_PROTOCOL": "unified",
            "KRAKEN_WS_PUBLIC_URL": server.ws_url,
            "KRAKEN_REST_URL": server.rest_url,
        }
    else:
        venue = {
            "KRAKEN_PROTOCOL": "v1",
            "KRAKEN_FUTURES_WS_URL": server.ws_url,
            "KRAKEN_FUTURES_REST_URL": server.rest_url,
        }
    lines = {
        "KRAKEN_API_KEY": KEY,
        "KRAKEN_API_SECRET": secret,
        **venue,
        "L2CONSOLE_DB": str(tmp_path / "data" / "l2console.sqlite"),
        "COOLDOWN_SECONDS": "0.5",
        "STATE_INTERVAL_SECONDS": "1",
        **HOLD_POSITIONS,
        **extra,
    }
    path = tmp_path / f"keys-{len(list(tmp_path.glob('keys-*')))}.env"
    path.write_text("".join(f"{k}={v}\n" for k, v in lines.items()), encoding="utf-8")
    path.chmod(0o644)  # loose on purpose: the program must warn
    return path


async def run(tmp_path: Path, env_path: Path, *args: str) -> ConsoleProcess:
    process = await ConsoleProcess.start(
        "--env-file", str(env_path), "-v", *args, env=clean_env(), cwd=tmp_path
    )
    return process


async def test_no_key_or_secret_in_anything_a_run_produced(tmp_path: Path) -> None:
    async with KrakenFuturesSimServer(seed=2, rate_hz=400, credentials={KEY: SECRET}) as server:
        outputs: list[str] = []
        good = env_file(tmp_path, server, SECRET)
        live = ("run", "--broker", "kraken", "--live", "--no-ui", "--session", "keys", *LIVE_FLAGS)
        async with console(
            "--env-file", str(good), "-v", *live, env=clean_env(), cwd=tmp_path
        ) as session:
            await session.line(r"^SIGNAL #\d+: (BUY|SELL) (?!.*BLOCKED)", timeout_s=30)
            flatten = await run(tmp_path, good, "flatten", "--session", "keys")
            assert await flatten.wait(60) == 0, flatten.stderr
            session.signal(signal.SIGTERM)
            assert await session.wait() == 0, session.stderr
        assert "KILL SWITCH | FLAT" in session.stdout, "it really traded and flattened"
        assert "readable by other users" in session.stderr and "chmod 600" in session.stderr
        outputs += [session.stdout, session.stderr, flatten.stdout, flatten.stderr]

        wrong = env_file(tmp_path, server, WRONG_SECRET)
        refused = await run(tmp_path, wrong, *live, "--duration", "3")
        assert await refused.wait(60) == 2
        assert "authentication" in refused.stderr
        outputs += [refused.stdout, refused.stderr]

        garbled = env_file(tmp_path, server, SECRET + "!!not-base64")
        bad = await run(tmp_path, garbled, *live, "--duration", "3")
        assert await bad.wait(60) == 2 and "not valid base64" in bad.stderr
        outputs += [bad.stdout, bad.stderr]

        rule = env_file(tmp_path, server, SECRET, DEAD_MAN_REFRESH_SECONDS="90")
        refused_settings = await run(tmp_path, rule, *live)
        assert await refused_settings.wait(60) == 2
        assert "DEAD_MAN_REFRESH_SECONDS" in refused_settings.stderr
        outputs += [refused_settings.stdout, refused_settings.stderr]

        for text in outputs:
            assert not leaks(text), (leaks(text), text[-2000:])
        files = left_behind(tmp_path)
        assert files, "the runs left files to check (control lock at least)"
        for path, data in files.items():
            assert not leaks(data), path


def left_behind(root: Path) -> dict[Path, bytes]:
    """Every file the runs wrote (the .env files we wrote ourselves excepted)."""
    return {
        p: p.read_bytes() for p in root.rglob("*") if p.is_file() and not p.name.startswith("keys-")
    }


async def test_no_key_or_secret_in_reprs_or_error_text(tmp_path: Path) -> None:
    async with KrakenFuturesSimServer(seed=2, credentials={KEY: SECRET}) as server:
        settings = load_settings(env_file(tmp_path, server, SECRET))
        options = RunOptions(
            broker="kraken",
            symbol="PF_XBTUSD",
            mode=Mode.LIVE,
            duration_s=None,
            ui=False,
            real_money_ack=True,  # no Kraken demo: live is real money; this is the sim
        )
        async with contextlib.AsyncExitStack() as stack:
            connection = await open_venue(options, settings, stack)
            session = TradingSession(options, settings, connection)
            texts = [
                repr(settings),
                str(settings),
                settings.model_dump_json(),
                repr(settings.kraken_credentials),
                repr(connection),
                repr(session.engine.config),
                repr(connection.dead_man),
            ]
        wrong = KrakenFuturesRest(
            rest_url=server.rest_url, api_key=SecretStr(KEY), api_secret=SecretStr(WRONG_SECRET)
        )
        try:
            with pytest.raises(VenueError) as refused:
                await wrong.open_positions()
        finally:
            await wrong.close()
        texts += [str(refused.value), repr(refused.value), repr(wrong)]
        assert "authentication" in str(refused.value)
        for text in texts:
            assert not leaks(text), text


async def test_no_key_secret_or_token_in_anything_a_unified_run_produced(tmp_path: Path) -> None:
    """The same over the Unified WebSocket: the key signs ``GetWebSocketsToken``, the token rides
    in every private request (with ``-v`` logging on); neither the keys nor any token the venue
    handed out may show in the output, the files or the database, even across a reconnect with a
    new token."""
    async with KrakenUnifiedSimServer(seed=2, rate_hz=400, credentials={KEY: SECRET}) as server:
        outputs: list[str] = []
        good = env_file(tmp_path, server, SECRET)
        live = ("run", "--broker", "kraken", "--live", "--no-ui", "--session", "keys", *LIVE_FLAGS)
        async with console(
            "--env-file", str(good), "-v", *live, env=clean_env(), cwd=tmp_path
        ) as session:
            await session.line(r"^SIGNAL #\d+: (BUY|SELL) (?!.*BLOCKED)", timeout_s=30)
            server.expire_tokens()  # the next private request is refused: a new token follows
            await eventually(lambda: server.tokens.issued >= 2, 30, what="a second token")
            flatten = await run(tmp_path, good, "flatten", "--session", "keys")
            assert await flatten.wait(60) == 0, flatten.stderr
            session.signal(signal.SIGTERM)
            assert await session.wait() == 0, session.stderr
        assert "KILL SWITCH | FLAT" in session.stdout, "it really traded and flattened"
        outputs += [session.stdout, session.stderr, flatten.stdout, flatten.stderr]

        wrong = env_file(tmp_path, server, WRONG_SECRET)
        refused = await run(tmp_path, wrong, *live, "--duration", "3")
        assert await refused.wait(60) == 2
        assert "Invalid signature" in refused.stderr, refused.stderr[-2000:]
        outputs += [refused.stdout, refused.stderr]

        garbled = env_file(tmp_path, server, SECRET + "!!not-base64")
        bad = await run(tmp_path, garbled, *live, "--duration", "3")
        assert await bad.wait(60) == 2 and "valid base64" in bad.stderr, bad.stderr[-2000:]
        outputs += [bad.stdout, bad.stderr]

        tokens = tuple(server.tokens.handed_out)
        assert len(tokens) >= 2
        for text in outputs:
            assert not leaks(text, tokens), (leaks(text, tokens), text[-2000:])
        files = left_behind(tmp_path)
        assert any(p.suffix == ".sqlite" for p in files), "the run wrote its database"
        for path, data in files.items():
            assert not leaks(data, tokens), path


async def test_no_key_secret_or_token_in_unified_reprs_or_error_text(tmp_path: Path) -> None:
    async with KrakenUnifiedSimServer(seed=2, credentials={KEY: SECRET}) as server:
        settings = load_settings(env_file(tmp_path, server, SECRET))
        options = RunOptions(
            broker="kraken",
            symbol="PF_XBTUSD",
            mode=Mode.LIVE,
            duration_s=None,
            ui=False,
            real_money_ack=True,  # no Kraken demo: live is real money; this is the sim
        )
        async with contextlib.AsyncExitStack() as stack:
            connection = await open_venue(options, settings, stack)
            venue = connection.venue
            assert isinstance(venue, KrakenUnifiedExecution) and venue.session is not None
            await venue.session.start()
            texts = [
                repr(settings),
                settings.model_dump_json(),
                repr(connection),
                repr(venue),
                repr(venue.session),
                repr(venue.session.tokens),
                repr(connection.dead_man),
                repr(venue.session.counters),
            ]
        wrong = TokenSource(server.rest_url, SecretStr(KEY), SecretStr(WRONG_SECRET))
        try:
            with pytest.raises(VenueError) as refused:
                await wrong.fetch()
        finally:
            await wrong.close()
        texts += [str(refused.value), repr(refused.value), repr(wrong)]
        assert "Invalid signature" in str(refused.value)
        tokens = tuple(server.tokens.handed_out)
        assert tokens
        for text in texts:
            assert not leaks(text, tokens), text
