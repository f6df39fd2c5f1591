"""The load and soak runs' pure parts (load/): percentiles, what counts as an error, a step's
figures, the breaking point, the soak's 10 % comparison, the mix's order, endpoint names and
the server-sent events parser."""

from __future__ import annotations

import asyncio
import itertools
import json
import math
import socket
import time
from collections import Counter
from collections.abc import AsyncIterator

import httpx
import psutil
import pytest

from load import procs
from load.mix import MIX, ramp, schedule, streams_for
from load.session import Session
from load.stats import (
    Drift,
    Endpoint,
    Recorder,
    Step,
    breaking_point,
    drifts,
    is_error,
    percentile,
    summarise,
)
from load.streams import Frame, Stream, frames, key_of
from load.timing import endpoint_of


def test_percentiles_are_nearest_rank_of_unsorted_values() -> None:
    values = [float(v) for v in range(100, 0, -1)]  # 100..1, unsorted on purpose
    assert percentile(values, 50) == 50.0
    assert percentile(values, 95) == 95.0
    assert percentile(values, 99) == 99.0
    assert percentile(values, 100) == 100.0
    assert percentile(values, 0) == 1.0
    assert percentile([0.2], 99) == 0.2
    assert percentile([], 99) == 0.0
    # Ten answers: p99 is the slowest one, never an interpolation below it.
    assert percentile([0.1] * 9 + [3.0], 99) == 3.0
    with pytest.raises(ValueError, match="within"):
        percentile([1.0], 101)


def test_errors_are_failures_of_the_system_not_the_read_side_catching_up() -> None:
    assert is_error(500)
    assert is_error(503)
    assert is_error(429)
    assert is_error(422)
    assert is_error("timeout")
    assert is_error("shed")
    assert not is_error(200)
    assert not is_error(201)
    assert not is_error(404)  # scheduling has not heard of the order yet
    assert not is_error(409)  # a gate whose fact is on its way


def _step(rate: float, p99: float, errors: int = 0, requests: int = 1000) -> Step:
    rec = Recorder()
    for i in range(requests):
        slow = i >= requests * 0.98  # the slowest 2 %: the p99 falls among them
        rec.record("GET /x", p99 if slow else 0.01, 500 if i < errors else 200)
    return summarise(rate, 10, 10.0, rec.take())


def test_a_step_holds_under_one_per_cent_errors_and_a_second_of_p99() -> None:
    assert _step(10, 0.5).holds
    assert _step(10, 0.5, errors=9).holds  # 0.9 %
    assert not _step(10, 0.5, errors=10).holds  # 1 %
    assert not _step(10, 1.0).holds
    assert not Step(10, 10, 10.0, (), 0.0, Counter()).holds  # nothing answered holds nothing


def test_a_steps_figures_per_endpoint_and_overall() -> None:
    rec = Recorder()
    for ms in range(1, 101):
        rec.record("GET /a", ms / 1000, 200)
    rec.record("GET /a", None, "timeout")
    rec.record("GET /stream", 30.0, 200)  # a stream's opening: counted, never in p99
    step = summarise(5, 12, 20.0, rec.take(), untimed=["GET /stream"])
    a = next(r for r in step.rows if r.endpoint == "GET /a")
    assert (a.count, a.errors, a.p50, a.p95, a.p99) == (101, 1, 0.05, 0.095, 0.099)
    assert step.p99 == 0.099
    assert step.requests == 102
    assert step.throughput == 102 / 20.0
    assert step.errors == Counter({"timeout": 1})
    assert rec.take() == {}  # taken: the next step starts afresh


def test_the_breaking_point_is_the_highest_rate_that_held_with_every_lower_one() -> None:
    steps = [_step(4, 0.1), _step(6, 0.2), _step(9, 0.6), _step(14, 1.4), _step(20, 0.3)]
    best = breaking_point(steps)
    assert best is not None
    assert best.rate == 9  # 20 held by luck after 14 broke: not capacity
    assert breaking_point(list(reversed(steps))) is best  # the order given does not matter
    assert breaking_point([_step(4, 2.0), _step(6, 0.1)]) is None
    assert breaking_point([]) is None


def test_the_soak_fails_a_figure_that_moved_ten_per_cent_or_more() -> None:
    assert Drift("gateway", "rss_mb", 100.0, 109.9).ok
    assert not Drift("gateway", "rss_mb", 100.0, 110.0).ok
    assert not Drift("gateway", "rss_mb", 100.0, 89.0).ok  # shrinking is a change too
    assert Drift("mail", "rss_mb", 0.0, 0.0).ok
    assert Drift("mail", "rss_mb", 0.0, 1.0).change == math.inf
    # Counts have a slack of two: a pool's connection or two come and go with the moment.
    assert Drift("media", "connections", 8.0, 10.0).ok
    assert not Drift("media", "connections", 8.0, 11.0).ok
    assert not Drift("gateway", "connections", 40.0, 46.0).ok
    assert Drift("postgres backends", "connections", 40.0, 43.0).ok  # 7.5 %


def test_own_memory_may_move_by_less_than_a_megabyte() -> None:
    # The broker keeps about 3 MB of its own: one buffer more is 10 % of it.
    assert Drift("broker", "own_mb", 2.8, 3.4).ok
    assert not Drift("broker", "own_mb", 2.8, 3.9).ok
    # A service's 10 % is several MB: the floor changes nothing there.
    assert not Drift("media", "own_mb", 96.4, 110.5).ok
    # RSS has no floor: the issue's own figure.
    assert not Drift("broker", "rss_mb", 2.8, 3.4).ok


def test_connections_a_peer_opened_are_judged_at_the_peer_only() -> None:
    assert Drift("projections", "accepted", 12.0, 4.0).ok
    assert Drift("projections", "accepted", 12.0, 4.0).not_judged
    assert not Drift("projections", "connections", 20.0, 26.0).ok


def test_a_connection_is_opened_at_one_end_and_accepted_at_the_other() -> None:
    me = psutil.Process()
    with socket.create_server(("127.0.0.1", 0)) as server:
        client = socket.create_connection(server.getsockname())
        accepted, _ = server.accept()
        try:
            opened, taken = procs._established([me], ours=set())
            # Both ends are this process: one opened, one accepted on its listening port.
            assert opened >= 1
            assert taken >= 1
            before = (opened, taken)
            extra = socket.create_connection(server.getsockname())
            extra_accepted, _ = server.accept()
            try:
                assert procs._established([me], ours=set()) == (before[0] + 1, before[1] + 1)
            finally:
                extra.close()
                extra_accepted.close()
        finally:
            client.close()
            accepted.close()


def test_the_soak_shows_but_does_not_judge_what_is_not_the_process_own() -> None:
    # PostgreSQL's RSS counts the shared buffer pool as it is touched; its own memory counts.
    assert Drift("postgres backends", "rss_mb", 1100.0, 1300.0).ok
    assert Drift("postgres backends", "rss_mb", 1100.0, 1300.0).not_judged
    assert not Drift("postgres backends", "own_mb", 100.0, 120.0).ok
    assert not Drift("gateway", "own_mb", 80.0, 90.0).ok
    # The local S3 stand-in grows with the objects it keeps.
    assert Drift("object-store", "own_mb", 40.0, 80.0).ok
    assert Drift("gateway", "rss_mb", 100.0, 100.0).not_judged is None


def test_a_process_own_memory_is_read_beside_its_rss() -> None:
    found = procs._usage([psutil.Process()], connections=0)
    assert 0 < found["own_mb"] < found["rss_mb"]


def test_drifts_pair_each_process_figure_and_show_one_gone_as_zero() -> None:
    before = {"orders": {"rss_mb": 80.0, "connections": 9.0}, "media": {"rss_mb": 120.0}}
    after = {"orders": {"rss_mb": 81.0, "connections": 9.0}}
    found = {(d.name, d.what): d for d in drifts(before, after)}
    assert set(found) == {("orders", "rss_mb"), ("orders", "connections"), ("media", "rss_mb")}
    assert found[("orders", "rss_mb")].ok
    assert found[("media", "rss_mb")].after == 0.0
    assert not found[("media", "rss_mb")].ok


def test_a_minutes_figure_is_the_median_of_its_samples() -> None:
    samples = [
        {"gateway": {"connections": 30.0, "rss_mb": 100.0}},
        {"gateway": {"connections": 12.0, "rss_mb": 101.0}},  # a pool mid-refill
        {"gateway": {"connections": 31.0, "rss_mb": 102.0}},
    ]
    assert procs.median(samples) == {"gateway": {"connections": 30.0, "rss_mb": 101.0}}


def test_the_mix_comes_in_its_proportions_spread_evenly() -> None:
    total = sum(MIX.values())
    picks = list(itertools.islice(schedule(MIX), total * 3))
    for window in (picks[:total], picks[total : 2 * total]):
        assert Counter(window) == Counter(MIX)
    # Spread: no kind comes more than twice in a row (commands are 30 of every 100).
    longest = max(len(list(g)) for _, g in itertools.groupby(picks))
    assert longest <= 2
    assert list(itertools.islice(schedule({"a": 3, "b": 1}), 8)) == list("aaba" * 2)


def test_the_mix_refuses_weights_it_cannot_spread() -> None:
    for weights in ({}, {"a": 0}, {"a": -1, "b": 2}):
        with pytest.raises(ValueError, match="weights"):
            next(schedule(weights))


def test_ramps_and_streams_per_rate() -> None:
    assert ramp(4, 31) == [4.0, 6.0, 9.0, 14.0, 20.0, 30.0]  # 4·1.5⁵ = 30.4, rounded
    assert ramp(1, 3, factor=1.2) == [1.0, 2.0, 3.0]  # repeats of a rounded rate left out
    with pytest.raises(ValueError, match="ramp"):
        ramp(0, 10)
    assert streams_for(2) == 10  # at least the office's few PCs
    assert streams_for(30) == 60


def test_endpoints_fold_ids_and_name_the_object_store() -> None:
    gateway = "127.0.0.1:8000"
    oid = "3f0c8f5e-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
    url = httpx.URL(f"http://127.0.0.1:8000/api/v1/orders/{oid}/media?x=1")
    assert endpoint_of("POST", url, gateway) == "POST /api/v1/orders/{id}/media"
    assert endpoint_of("GET", httpx.URL("http://127.0.0.1:8000/api/v1/board"), gateway) == (
        "GET /api/v1/board"
    )
    upload = httpx.URL(f"http://127.0.0.1:9000/media/{oid}?X-Amz-Signature=abc")
    assert endpoint_of("PUT", upload, gateway) == "PUT s3"


async def _lines(*lines: str) -> AsyncIterator[str]:
    for line in lines:
        yield line


async def test_server_sent_events_are_parsed_as_the_gateway_writes_them() -> None:
    got = [
        f
        async for f in frames(
            _lines(
                "event: ready",
                'data: {"seq": 7, "cursor": "7.3"}',
                "id: 7.3",
                "",
                ": heartbeat",
                "",
                "event: board",
                'data: {"seq": 8, "order_id": "o1"}',
                "id: 8.3",
                "",
                "event: notification",
                'data: {"id": "n1"}',
                "id: 8.4",
                "",
            )
        )
    ]
    assert got == [
        Frame("ready", '{"seq": 7, "cursor": "7.3"}', "7.3"),
        Frame("board", '{"seq": 8, "order_id": "o1"}', "8.3"),
        Frame("notification", '{"id": "n1"}', "8.4"),
    ]
    assert [key_of(f) for f in got] == [None, ("change", "8"), ("notification", "n1")]
    assert key_of(Frame("board", "not json", None)) is None


def test_an_endpoint_counts_its_errors() -> None:
    seen = Endpoint()
    seen.outcomes.update({200: 5, 404: 2, 503: 1, "connection": 1})
    assert (seen.count, seen.errors) == (9, 2)


async def test_a_board_stream_reads_a_card_once_at_a_time_and_once_more_after() -> None:
    """As the app's refreshCard: frames for a card being read cost one read more, not one
    each; another card's frame is read beside it."""
    release = asyncio.Event()
    reads: list[str] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        reads.append(request.url.path)
        await release.wait()
        return httpx.Response(200, json={})

    async with httpx.AsyncClient(
        transport=httpx.MockTransport(answer), base_url="http://gateway"
    ) as api:
        session = Session(api, "manager", token="t", expires_at=time.time() + 600)
        stream = Stream(api, session, "board")
        for seq in range(1, 6):
            stream._take(Frame("board", json.dumps({"seq": seq, "order_id": "a"}), str(seq)))
        stream._take(Frame("board", json.dumps({"seq": 6, "order_id": "b"}), "6"))
        await asyncio.sleep(0.05)
        assert reads == ["/api/v1/board/cards/a", "/api/v1/board/cards/b"]
        release.set()
        for _ in range(100):
            await asyncio.sleep(0.01)
            if not stream._cards:
                break
    assert reads.count("/api/v1/board/cards/a") == 2  # five frames: the read, and one after
    assert reads.count("/api/v1/board/cards/b") == 1
