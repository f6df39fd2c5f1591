"""`python -m bench [--quick]`: start the components, run every benchmark, print one table.

Sizes come from arguments or BENCH_* variables; `--quick` divides them by 10 for a smoke run.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import platform
import sys

from bench import event_store, relay
from bench.components import Components, components, fresh_database, server_version

ROW = "{:<30}{:>12}{:>12}{:>9}"


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def _args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--events", type=int, default=_env_int("BENCH_EVENTS", 2000))
    parser.add_argument("--writers", type=int, default=_env_int("BENCH_WRITERS", 16))
    parser.add_argument(
        "--concurrent-events", type=int, default=_env_int("BENCH_CONCURRENT_EVENTS", 4000)
    )
    parser.add_argument("--relay-events", type=int, default=_env_int("BENCH_RELAY_EVENTS", 5000))
    parser.add_argument("--rounds", type=int, default=_env_int("BENCH_ROUNDS", 3))
    parser.add_argument("--quick", action="store_true", help="sizes divided by 10, one round")
    args = parser.parse_args(argv)
    if args.quick:
        args.events, args.concurrent_events = args.events // 10, args.concurrent_events // 10
        args.relay_events, args.rounds = args.relay_events // 10, 1
    return args


def _row(label: str, ours: float, raw: float) -> None:
    print(ROW.format(label, f"{ours:,.0f}", f"{raw:,.0f}", f"{ours / raw:.2f}"), flush=True)


async def _run(args: argparse.Namespace, parts: Components) -> None:
    print(
        f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"
    )
    version = await server_version(parts.server_url)
    print(f"postgres: {version}, {parts.postgres_origin}")
    print(f"broker: {parts.broker_origin}")
    async with fresh_database(parts.server_url) as url:
        print()
        print(ROW.format("event store appends", "ours ev/s", "raw ev/s", "ratio"))
        for writers, events in ((1, args.events), (args.writers, args.concurrent_events)):
            total, ours, raw = await event_store.measure(url, writers, events, args.rounds)
            label = f"  {writers} writer{'s' if writers > 1 else ''} ({total:,} ev)"
            _row(label, ours, raw)
        print(ROW.format("relay to broker", "ours ev/s", "raw ev/s", "ratio"))
        ours, raw = await relay.measure(url, parts.kafka_bootstrap, args.relay_events, args.rounds)
        _row(f"  outbox -> topic ({args.relay_events:,} ev)", ours, raw)
    print()
    print(f"median of {args.rounds} round(s) per side; each round in fresh tables")
    print("raw: event store = BEGIN; INSERT; COMMIT into a table with the same keys;")
    print(
        "     relay = one aiokafka producer (acks=all, no idempotence) sending all, then awaiting"
    )


def main(argv: list[str]) -> int:
    args = _args(argv)
    # The relay logs its failures; without a handler a stuck run would say nothing.
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        with components() as parts:
            asyncio.run(_run(args, parts))
    except KeyboardInterrupt:
        # asyncio.run has already unwound the run (database dropped), components() stopped
        # the servers: nothing is left behind, so a plain message is enough.
        print("\ninterrupted; components stopped", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
