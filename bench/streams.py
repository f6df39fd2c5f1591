"""`make bench-streams` (`python -m bench.streams [--streams 50] [--seconds 60]`): what open
live streams cost the gateway and the projections while nothing changes (issue 17, step 6).

On a stack of its own (load/own_stack.py: its own PostgreSQL, broker and S3 server, the demo
users), it samples the CPU time of the gateway's and the projections' process trees with
psutil over the same window twice: first with no stream open (the raw baseline: what the
idle stack costs anyway, its consumers and relays), then with `--streams` streams open,
spread over the demo users (each user signed in once, its streams sharing the token, as
tabs of one browser do). It prints each process's share of one core in both windows and
the difference, which is what the streams themselves cost.

Every stream is read to its end, frame by frame, so a stream that the gateway pushes nothing
on still costs it whatever it does to find that out.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from dataclasses import dataclass, field

import httpx

from deploy.local.stack import Stack
from load import procs
from load.own_stack import login, own_stack

log = logging.getLogger("bench")

PATH = "/api/v1/events/stream"
MEASURED = ("gateway", "projections", "notifications", "postgres")
USERS = ("manager", "measurer", "installer", "delivery", "production", "director", "admin")
SETTLE_S = 10.0  # after the stack is up / the streams are open, before a window starts


async def _window(stack: Stack, seconds: float) -> dict[str, float]:
    """Each measured component's share of one core (%) over `seconds`."""
    before = {name: procs.cpu_seconds(stack, [name]) for name in MEASURED}
    started = time.monotonic()
    await asyncio.sleep(seconds)
    elapsed = time.monotonic() - started
    return {
        name: 100 * (procs.cpu_seconds(stack, [name]) - before[name]) / elapsed for name in MEASURED
    }


@dataclass
class Held:
    frames: int = 0
    ready: int = 0
    ended: int = 0
    all_ready: asyncio.Event = field(default_factory=asyncio.Event)
    expected: int = 0


async def _hold(api: httpx.AsyncClient, headers: dict[str, str], held: Held) -> None:
    async with api.stream("GET", PATH, headers=headers, timeout=None) as reply:
        reply.raise_for_status()
        async for line in reply.aiter_lines():
            if line.startswith("event: "):
                held.frames += 1
                held.ready += line == "event: ready"
                if held.ready >= held.expected:
                    held.all_ready.set()
    held.ended += 1


async def run(streams: int, seconds: float) -> list[str]:
    async with (
        own_stack("oms-bench-streams-") as stack,
        httpx.AsyncClient(
            base_url=stack.urls["gateway"],
            timeout=30,
            limits=httpx.Limits(max_connections=streams + 20),
        ) as api,
    ):
        tokens = [await login(api, user) for user in USERS]
        await asyncio.sleep(SETTLE_S)
        idle = await _window(stack, seconds)
        held = Held(expected=streams)
        tasks = [
            asyncio.create_task(_hold(api, tokens[i % len(tokens)], held)) for i in range(streams)
        ]
        try:
            await asyncio.wait_for(held.all_ready.wait(), 60)
            await asyncio.sleep(SETTLE_S)
            busy = await _window(stack, seconds)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    row = "{:<16}{:>14}{:>18}{:>14}"
    lines = [
        f"{streams} live streams, nothing changing, {seconds:.0f} s windows "
        f"(% of one core; {len(USERS)} users)",
        row.format("process", "no streams", f"{streams} streams", "streams cost"),
    ]
    lines += [
        row.format(name, f"{idle[name]:.2f}", f"{busy[name]:.2f}", f"{busy[name] - idle[name]:.2f}")
        for name in MEASURED
    ]
    cost = sum(busy[n] - idle[n] for n in ("gateway", "projections"))
    lines.append(row.format("gateway+proj.", "", "", f"{cost:.2f}"))
    lines.append(
        f"frames seen: {held.frames} ({held.ready} ready), streams ended early: {held.ended}"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.streams", description=__doc__)
    parser.add_argument("--streams", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    sys.stdout.write("\n".join(asyncio.run(run(args.streams, args.seconds))) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
