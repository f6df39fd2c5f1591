"""`python -m bench [--quick] [--only SECTION] [--skip-orders]`: start the components, run the
benchmarks, print one table. `python -m bench forecast`: only the closing forecast's backtest
(pure, no components; the same as `--only forecast`).

Sizes come from arguments or BENCH_* variables; `--quick` divides them by 10 for a smoke run.
Sections: forecast (the backtest, first: it needs no components), event-store, relay, ...,
orders (the whole system through the gateway; the slowest).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import logging
import os
import secrets
import sys
import tempfile
from pathlib import Path

from bench import (
    about,
    board,
    costs,
    event_store,
    forecast,
    http_shell,
    media,
    orders,
    projections,
    relay,
    rounds,
    scheduling,
)
from bench.components import Components, components, fresh_database, server_version
from bench.orders_drive import REQUESTS_PER_ORDER
from bench.rounds import shown

# The services the benchmarks build in-process read it (plumbing/actor.py); any real key.
os.environ.setdefault("INTERNAL_SIGNING_KEY", secrets.token_urlsafe(48))

ROW = "{:<30}{:>12}{:>12}{:>9}"
STREAM_ROW = "{:<30}{:>12}{:>12}{:>12}{:>12}"
SECTIONS = (
    "forecast",
    "http-shell",
    "event-store",
    "relay",
    "scheduling",
    "media",
    "board",
    "projections",
    "rebuild",
    "orders",
)
# Sections that share one fresh database on the benchmark's PostgreSQL, in this order.
IN_DATABASE = ("event-store", "relay", "scheduling", "media", "board", "projections", "rebuild")
# Sections that need the broker: the others run without starting one.
NEED_BROKER = ("relay", "media", "projections", "orders")


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _sizes(text: str) -> tuple[int, ...]:
    return tuple(int(size) for size in text.split(",") if size.strip())


_LAG_RATE = 50.0  # events per second the projection-lag section publishes


def _lag_seconds(args: argparse.Namespace) -> float:
    # 20 s at 50 ev/s: 1,000 events, enough for the p99 it prints.
    return 5.0 if args.quick else 20.0


def _args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--events", type=int, default=_env_int("BENCH_EVENTS", 2000))
    parser.add_argument("--writers", type=int, default=_env_int("BENCH_WRITERS", 16))
    parser.add_argument(
        "--concurrent-events", type=int, default=_env_int("BENCH_CONCURRENT_EVENTS", 4000)
    )
    parser.add_argument("--relay-events", type=int, default=_env_int("BENCH_RELAY_EVENTS", 5000))
    parser.add_argument(
        "--orders", type=int, default=_env_int("BENCH_ORDERS", 100), help="round trips per run"
    )
    parser.add_argument(
        "--clients",
        type=int,
        default=_env_int("BENCH_CLIENTS", 8),
        help="concurrent clients driving orders (and the raw baseline)",
    )
    parser.add_argument(
        "--stream-sizes",
        type=_sizes,
        default=_sizes(os.environ.get("BENCH_STREAM_SIZES", "10,100,500,1000")),
        help="comments on the long-stream order at each measurement, comma-separated",
    )
    parser.add_argument(
        "--rebuild-events",
        type=int,
        default=_env_int("BENCH_REBUILD_EVENTS", 200_000),
        help="events in the orders log the rebuild replays",
    )
    parser.add_argument(
        "--latency-requests",
        type=int,
        default=_env_int("BENCH_LATENCY_REQUESTS", 1000),
        help="requests per side in the orders' paced runs (a p99 needs 1,000)",
    )
    parser.add_argument("--rounds", type=int, default=_env_int("BENCH_ROUNDS", 3))
    parser.add_argument("--quick", action="store_true", help="sizes divided by 10, one round")
    parser.add_argument(
        "--only", action="append", choices=SECTIONS, help="run only this section (repeatable)"
    )
    parser.add_argument("--skip-orders", action="store_true", help="leave out the orders section")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="also print where each side's time goes: CPU per process, statements (bench/costs.py)",
    )
    parser.add_argument(
        "--spy", action="store_true", help="with --profile: py-spy the Python processes"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.events, args.concurrent_events = args.events // 10, args.concurrent_events // 10
        args.relay_events, args.rounds = args.relay_events // 10, 1
        args.rebuild_events //= 10
        args.orders = max(args.clients, args.orders // 10)
        args.latency_requests //= 10
        args.stream_sizes = tuple(s // 10 for s in args.stream_sizes if s // 10)
    chosen = set(args.only or SECTIONS)
    if args.skip_orders:
        chosen.discard("orders")
    if not chosen:
        parser.error("--skip-orders leaves no section to run")
    args.sections = chosen
    return args


def _row(label: str, ours: float, raw: float) -> None:
    print(ROW.format(label, f"{ours:,.0f}", f"{raw:,.0f}", f"{ours / raw:.2f}"), flush=True)


def _settings(args: argparse.Namespace) -> None:
    print(about.machine())
    print(about.python())
    print(about.libraries())
    quiet = rounds.QUIET
    print(
        f"settings: {'quick, ' if args.quick else ''}rounds {args.rounds}; "
        f"sections {', '.join(s for s in SECTIONS if s in args.sections)}"
    )
    print(
        f"  appends {args.events:,} (1 writer) / {args.concurrent_events:,} ({args.writers} "
        f"writers); relay {args.relay_events:,} ev; rebuild {args.rebuild_events:,} ev"
    )
    print(
        f"  orders {args.orders} round trips x {REQUESTS_PER_ORDER} req, {args.clients} clients, "
        f"paced >= {args.latency_requests:,} req per side; long stream "
        f"{', '.join(map(str, args.stream_sizes))} comments; projection lag {_LAG_RATE:g} ev/s "
        f"for {_lag_seconds(args):g} s"
    )
    print(
        f"  settle before and after each timed run: CPU <= {quiet.busy:.0%} of all cores and "
        f"disk writes <= {quiet.write_mb_s:g} MB/s in {quiet.windows} windows of "
        f"{quiet.window_s:g} s, at most {quiet.max_wait_s:g} s"
    )


async def _header(parts: Components) -> None:
    version = await server_version(parts.server_url)
    print(f"postgres: {version}, {parts.postgres_origin}")
    print(about.broker(parts.broker_origin), flush=True)


async def _run(args: argparse.Namespace, parts: Components) -> None:
    async with fresh_database(parts.server_url) as url:
        if "event-store" in args.sections:
            print()
            print(ROW.format("event store appends", "ours ev/s", "raw ev/s", "ratio"))
            for writers, events in ((1, args.events), (args.writers, args.concurrent_events)):
                total, ours, raw = await event_store.measure(url, writers, events, args.rounds)
                label = f"  {writers} writer{'s' if writers > 1 else ''} ({total:,} ev)"
                _row(label, ours, raw)
        if "relay" in args.sections:
            print()
            print(ROW.format("relay to broker", "ours ev/s", "raw ev/s", "ratio"))
            ours, raw = await relay.measure(
                url, parts.kafka_bootstrap, args.relay_events, args.rounds
            )
            _row(f"  outbox -> topic ({args.relay_events:,} ev)", ours, raw)
        quick = args.quick
        if "scheduling" in args.sections:
            print()
            lines = await scheduling.run_scheduling_bench(
                url, bookings=100 if quick else 1000, rounds=args.rounds
            )
            print(*lines, sep="\n", flush=True)
        if "media" in args.sections:
            print()
            lines = await media.run_media_bench(
                url, parts.kafka_bootstrap, files=2 if quick else 8, rounds=args.rounds
            )
            print(*lines, sep="\n", flush=True)
        if "board" in args.sections:
            print()
            sizes = (1_000, 10_000) if quick else (10_000, 100_000)
            lines = await board.run_board_bench(url, sizes=sizes)
            print(*lines, sep="\n", flush=True)
        if "projections" in args.sections:
            print()
            lines = await projections.run_projections_bench(
                url,
                parts.kafka_bootstrap,
                rate=_LAG_RATE,
                seconds=_lag_seconds(args),
                rounds=args.rounds,
            )
            print(*lines, sep="\n", flush=True)
        if "rebuild" in args.sections:
            print()
            lines = await projections.run_rebuild_bench(url, args.rebuild_events, args.rounds)
            print(*lines, sep="\n", flush=True)


def _print_orders(result: orders.Result, clients: int) -> None:
    """Each figure as soon as it is measured: the section takes minutes."""
    match result:
        case orders.Setup(pipeline_version, payload_bytes):
            print(f"(gate-less pipeline v{pipeline_version}; raw body: {payload_bytes:,} B event)")
        case orders.Throughput(requests, ours, raw):
            per = REQUESTS_PER_ORDER
            print(ROW.format(f"order round trips, {clients} clients", "ours", "raw", "ratio"))
            _row(f"  req/s ({requests:,} req)", ours, raw)
            _row(f"  orders/s ({requests // per:,} x {per} req)", ours / per, raw / per)
        case orders.Latency(ours_offered, raw_offered, ours, raw):
            print(ROW.format("latency at half max rate", "ours ms", "raw ms", "ratio"))
            print(ROW.format("  offered req/s", f"{ours_offered:,.0f}", f"{raw_offered:,.0f}", ""))
            print(ROW.format("  served req/s", f"{ours.achieved:,.0f}", f"{raw.achieved:,.0f}", ""))
            timed = (f"{len(ours.samples_ms):,}", f"{len(raw.samples_ms):,}", "")
            print(ROW.format("  requests timed", *timed))
            for label, mine, theirs in (
                ("  p50 per request", ours.p50_ms, raw.p50_ms),
                ("  p99 per request", ours.p99_ms, raw.p99_ms),
            ):
                ratio = f"{mine / theirs:.1f}" if mine and theirs else ""
                print(ROW.format(label, shown(mine), shown(theirs), ratio), flush=True)
        case orders.StreamLoad(comments, events, card_ms, command_ms, fold_ms, select_ms):
            if comments == 0:
                print(
                    STREAM_ROW.format(
                        "long order stream", "card ms", "comment ms", "load ms", "SELECT ms"
                    )
                )
            label = f"  {comments:,} comments ({events:,} ev)"
            print(
                STREAM_ROW.format(
                    label,
                    f"{card_ms:.1f}",
                    f"{command_ms:.1f}",
                    f"{fold_ms:.1f}",
                    f"{select_ms:.2f}",
                ),
                flush=True,
            )


def _notes(args: argparse.Namespace) -> None:
    print()
    if rounds.unsettled:
        print(f"NOT SETTLED {len(rounds.unsettled)} time(s): the figures after these are suspect")
        for where, settled in rounds.unsettled:
            print(f"  {where}: {settled}")
    if rounds.SHOWN.few:
        print(
            "'few': a percentile needs ten samples beyond it (p95: 200, p99: 1,000); fewer "
            "were taken"
        )
    if args.sections & {"event-store", "relay"}:
        print(f"median of {args.rounds} round(s) per side; each round in fresh tables")
        print("raw: event store = BEGIN; INSERT; COMMIT into a table with the same keys;")
        print(
            "     relay = one aiokafka producer (acks=all, no idempotence) sending all, "
            "then awaiting"
        )
    if "orders" in args.sections:
        print(
            f"orders: median of {args.rounds} round(s) per side, settled before and after each "
            "run; one round trip = POST /orders + 8 transitions via the gateway"
        )
        print("     (gateway -> projections access check -> orders: load, decide, append)")
        print(
            "raw: FastAPI POST /raw/{stream} = the event appended at the stream's next version "
            "and its outbox row, one statement, one transaction; one uvicorn worker like each "
            "service,"
        )
        print("     same PostgreSQL, same httpx client and concurrency, 9 requests per 'order'")
        print(
            "latency: open loop, chains started at fixed intervals at half each side's max; "
            "per-request"
        )
        print(
            "long stream: medians; card = GET via the gateway, comment = a command on that stream,"
        )
        print(
            "     load = OrderService.load in-process (read, upcast, fold; no HTTP), "
            "SELECT = raw rows"
        )


def main(argv: list[str]) -> int:
    if argv[:1] == ["forecast"]:
        argv = ["--only", "forecast", *argv[1:]]
    args = _args(argv)
    if args.quick and "BENCH_SETTLE_MAX_S" not in os.environ:
        rounds.QUIET = dataclasses.replace(rounds.QUIET, max_wait_s=3.0)  # a smoke run
    if args.sections - {"forecast"}:
        _settings(args)
        print()
    if "forecast" in args.sections:
        print(*forecast.run_forecast_backtest(), sep="\n", flush=True)
        print()
    if "http-shell" in args.sections:  # in-process, no components either
        print(*asyncio.run(http_shell.measure(rounds=1 if args.quick else 5)), sep="\n")
        print()
    if not args.sections - {"forecast", "http-shell"}:
        return 0  # pure: no components to start
    # The relay logs its failures; without a handler a stuck run would say nothing.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = (
            {
                "shared_preload_libraries": "pg_stat_statements",
                "pg_stat_statements.track_planning": "on",
            }
            if args.profile
            else None
        )
        with (
            components(
                broker=bool(args.sections & set(NEED_BROKER)), postgres_settings=settings
            ) as parts,
            tempfile.TemporaryDirectory(prefix="oms-spy-") as spy_dir,
        ):
            if args.profile:
                profile = costs.Profile(
                    parts.server_url, parts.postgres_pid, Path(spy_dir) if args.spy else None
                )
                costs.enable(profile)
            asyncio.run(_header(parts))
            if args.sections & set(IN_DATABASE):
                asyncio.run(_run(args, parts))
            if "orders" in args.sections:
                print()
                plan = orders.Plan(
                    args.orders,
                    args.clients,
                    args.rounds,
                    args.stream_sizes,
                    latency_requests=args.latency_requests,
                )
                orders.run(parts, plan, lambda result: _print_orders(result, args.clients))
            _notes(args)
            if args.profile:
                print(*costs.report(profile), sep="\n", flush=True)
    except KeyboardInterrupt:
        # asyncio.run has already unwound the run (database dropped), components() and
        # orders.run stopped the servers: nothing is left behind, so a message is enough.
        print("\ninterrupted; components stopped", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
