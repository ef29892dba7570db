"""Each fault knob does exactly what it says, observed from a raw client over real sockets."""

from __future__ import annotations

import asyncio
import itertools
from urllib.parse import urlencode

import orjson
import pytest
from websockets.exceptions import ConnectionClosed

from brokers.sim import KrakenFuturesSimServer, SimFaults

from .conftest import RestProbe, WsProbe, manual_venue, ws_client


async def book_seqs(client: WsProbe, count: int) -> list[int]:
    return [(await client.until(lambda m: m.get("feed") == "book"))["seq"] for _ in range(count)]


@pytest.mark.parametrize("count", [1, 3])
async def test_drop_next_seq_makes_exactly_one_gap_of_that_size(
    fast_server: KrakenFuturesSimServer, count: int
) -> None:
    async with ws_client(fast_server.ws_url) as client:
        _, [snapshot] = await client.subscribe_book("PF_XBTUSD")
        fast_server.faults.drop_next_seq("pf_xbtusd", count)
        seqs = [snapshot["seq"], *await book_seqs(client, 40)]
        steps = [b - a for a, b in itertools.pairwise(seqs)]
        assert sorted(steps)[-1] == count + 1 and steps.count(count + 1) == 1
        assert all(step in (1, count + 1) for step in steps)
        assert not fast_server.faults.take_drop("PF_XBTUSD"), "the knob is used up"


async def test_drop_next_seq_leaves_other_products_alone(
    fast_server: KrakenFuturesSimServer,
) -> None:
    async with ws_client(fast_server.ws_url) as client:
        _, [snapshot] = await client.subscribe_book("PF_ETHUSD")
        fast_server.faults.drop_next_seq("PF_XBTUSD")
        seqs = [snapshot["seq"], *await book_seqs(client, 20)]
        assert all(b - a == 1 for a, b in itertools.pairwise(seqs))


@pytest.mark.parametrize("abrupt", [False, True])
async def test_disconnect_all_drops_every_client_and_new_connections_still_work(
    server: KrakenFuturesSimServer, abrupt: bool
) -> None:
    async with ws_client(server.ws_url) as first, ws_client(server.ws_url) as second:
        await first.subscribe_book("PF_XBTUSD")
        server.faults.disconnect_all(abrupt=abrupt)
        for client in (first, second):
            with pytest.raises(ConnectionClosed) as closed:
                await client.until(lambda m: False, within=3)
            if abrupt:
                assert closed.value.rcvd is None, "no close frame on an abrupt drop"
            else:
                assert closed.value.rcvd is not None and closed.value.rcvd.code == 1001
    async with ws_client(server.ws_url) as again:
        ack, _ = await again.subscribe_book("PF_XBTUSD")
        assert ack["event"] == "subscribed"


async def test_send_malformed_sends_broken_json_in_stream_without_breaking_the_sequence(
    fast_server: KrakenFuturesSimServer,
) -> None:
    async with ws_client(fast_server.ws_url) as client:
        _, [snapshot] = await client.subscribe_book("PF_XBTUSD")
        fast_server.faults.send_malformed(2)
        frames = [await client.recv_text() for _ in range(30)]
        broken = [i for i, f in enumerate(frames) if not _parses(f)]
        assert len(broken) == 2 and broken[1] == broken[0] + 1
        seqs = [snapshot["seq"]] + [
            orjson.loads(f)["seq"] for f in frames if _parses(f) and '"feed":"book"' in f
        ]
        assert all(b - a == 1 for a, b in itertools.pairwise(seqs))


def _parses(frame: str) -> bool:
    try:
        orjson.loads(frame)
    except orjson.JSONDecodeError:
        return False
    return True


async def test_delay_outgoing_holds_frames_back_in_order() -> None:
    async with (
        manual_venue(seed=4, rate_hz=500) as venue,
        ws_client(venue.server.ws_url) as client,
    ):
        server = venue.server
        _, [snapshot] = await client.subscribe_book("PF_XBTUSD")
        server.faults.delay_outgoing(400, frames=5)
        while server.seq("PF_XBTUSD") < snapshot["seq"] + 8:
            venue.tick(10)
        with pytest.raises(TimeoutError):
            await client.recv(within=0.15)  # held for 400 ms: cannot be here yet
        seqs = [(await client.recv(within=3))["seq"] for _ in range(8)]
        assert seqs == list(range(snapshot["seq"] + 1, snapshot["seq"] + 9))
        venue.tick(50)
        assert server.faults.take_delay_ms() == 0, "only the next 5 frames were delayed"


async def test_fail_rest_answers_the_status_exactly_the_next_n_times(
    server: KrakenFuturesSimServer, rest: RestProbe
) -> None:
    server.faults.fail_rest("sendorder", times=2, status=503)
    order = {"orderType": "mkt", "symbol": "PF_XBTUSD", "side": "buy", "size": "0.01"}
    for _ in range(2):
        async with rest.http.post(
            f"{rest.base_url}/sendorder", data=order, headers=rest.headers("sendorder", "")
        ) as response:
            assert response.status == 503
            assert await response.text() == "503 Service Unavailable"
    _, positions = await rest.get("openpositions")
    assert positions["openPositions"] == [], "a failed call had no effect"
    answer = await rest.send_order(**order)
    assert answer["sendStatus"]["status"] == "placed"
    status, other = await rest.get("openorders")
    assert status == 200 and other["result"] == "success", "only the named endpoint fails"


async def test_fail_rest_with_a_documented_error_body(
    server: KrakenFuturesSimServer, rest: RestProbe
) -> None:
    server.faults.fail_rest("accounts", status=429, error="apiLimitExceeded")
    status, answer = await rest.get("accounts")
    assert status == 429
    assert answer["result"] == "error" and answer["error"] == "apiLimitExceeded"
    assert set(answer) == {"result", "error", "serverTime"}
    status, answer = await rest.get("accounts")
    assert status == 200 and answer["result"] == "success"


async def test_fail_rest_after_execute_places_the_order_then_loses_the_answer(
    server: KrakenFuturesSimServer, rest: RestProbe
) -> None:
    server.faults.fail_rest("sendorder", status=500, after_execute=True)
    status, _ = await _post_raw(
        rest,
        {
            "orderType": "mkt",
            "symbol": "PF_XBTUSD",
            "side": "buy",
            "size": "0.01",
            "cliOrdId": "lost-1",
        },
    )
    assert status == 500
    _, known = await rest.post("orders/status", {"cliOrdIds": "lost-1"})
    [entry] = known["orders"]
    assert entry["status"] == "FULLY_EXECUTED"


async def _post_raw(rest: RestProbe, params: dict[str, str]) -> tuple[int, str]:
    body = urlencode(params)
    headers = {
        **rest.headers("sendorder", body),
        "Content-Type": "application/x-www-form-urlencoded",
    }
    async with rest.http.post(f"{rest.base_url}/sendorder", data=body, headers=headers) as r:
        return r.status, await r.text()


def test_knobs_are_consumed_exactly() -> None:
    faults = SimFaults()
    faults.drop_next_seq("pf_xbtusd", 2)
    assert [faults.take_drop("PF_XBTUSD") for _ in range(3)] == [True, True, False]
    faults.delay_outgoing(10, frames=2)
    assert [faults.take_delay_ms() for _ in range(3)] == [10, 10, 0]
    faults.send_malformed()
    assert (faults.take_malformed(), faults.take_malformed()) == (1, 0)
    faults.disconnect_all()
    assert faults.take_disconnect() == (True, False)
    assert faults.take_disconnect() == (False, False)
    faults.fail_rest("/sendorder/", times=1, status=500)
    faults.fail_rest("sendorder", times=1, status=429, error="apiLimitExceeded")
    first, second = faults.take_rest("sendorder"), faults.take_rest("sendorder")
    assert first is not None and first.status == 500
    assert second is not None and second.error == "apiLimitExceeded"
    assert faults.take_rest("sendorder") is None
    with pytest.raises(ValueError):
        faults.fail_rest("sendorder", times=0)


async def test_delay_can_be_switched_off(server: KrakenFuturesSimServer) -> None:
    server.faults.delay_outgoing(5000)
    server.faults.delay_outgoing(0)
    async with ws_client(server.ws_url) as client:
        ack, _ = await client.subscribe_book("PF_XBTUSD")
        assert ack["event"] == "subscribed"
    await asyncio.sleep(0)


async def test_drop_next_seq_can_be_armed_before_anyone_subscribes(
    fast_server: KrakenFuturesSimServer,
) -> None:
    fast_server.faults.drop_next_seq("PF_XBTUSD")
    await asyncio.sleep(0.1)  # messages flow meanwhile, to nobody: they do not use the knob
    async with ws_client(fast_server.ws_url) as client:
        _, [snapshot] = await client.subscribe_book("PF_XBTUSD")
        seqs = [snapshot["seq"], *await book_seqs(client, 20)]
        steps = [b - a for a, b in itertools.pairwise(seqs)]
        assert steps.count(2) == 1 and steps.count(1) == len(steps) - 1
