"""`make load` (`python -m load`): the business's mix on a stack of its own, at rising rates
to the breaking point, then at half of it.

python -m load --first 4 --last 150 --step 30 --half 60

Why not Locust: Locust drives closed-loop "users" (each waits for its answer before its next
request), so a slow system is offered less and never shows where it breaks; its open-loop
`constant_throughput` wait is still per user and still blocks on the answer. Its gevent
workers would also need a core each to keep up, and this machine has two for the whole stack.
An open-loop asyncio + httpx driver in one process offers a fixed rate whatever the answers
(the fault run's driver, chaos/workload.py, is one and its order script is reused here),
holds hundreds of live streams as cheap coroutines, and reads them as the web app does
(Last-Event-ID, reauth), which Locust has no client for. It costs the stack some CPU: the
figures are the system's with its load generator beside it on the same two cores.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from load import report
from load.mix import STREAMS_PER_RATE, ramp, streams_for
from load.own_stack import own_stack
from load.run import Load, client
from load.stats import MAX_ERROR_RATIO, MAX_P99_S, Recorder, Step, breaking_point

WARM_UP_S = 20.0


async def main_async(args: argparse.Namespace) -> int:
    recorder = Recorder()
    async with (
        own_stack("oms-load-", keep_data=args.keep_data) as stack,
        client(stack, recorder) as api,
    ):
        load = Load(stack, api, recorder)
        await load.start()
        try:
            rates = ramp(args.first, args.last, args.factor)
            await load.hold(streams_for(rates[0], args.streams_per_rate))
            await load.offer(rates[0], WARM_UP_S, "warm-up ")
            steps: list[Step] = []
            for rate in rates:
                await load.hold(streams_for(rate, args.streams_per_rate))
                steps.append(await load.offer(rate, args.step))
                if not steps[-1].holds:
                    break
            best = breaking_point(steps)
            half: Step | None = None
            if best is not None:
                rate = max(1.0, round(best.rate / 2))
                await load.settle()  # the backlog of the step that broke is not half's
                await load.hold(streams_for(rate, args.streams_per_rate))
                half = await load.offer(rate, args.half, "half: ")
        finally:
            await load.stop()
    sys.stdout.write(_summary(steps, best, half) + "\n")
    return 0 if best is not None else 1


def _summary(steps: list[Step], best: Step | None, half: Step | None) -> str:
    out = [
        "",
        f"Rates offered (a step holds with errors under {100 * MAX_ERROR_RATIO:.0f} % and "
        f"p99 under {MAX_P99_S:.0f} s):",
        report.ramp(steps),
        "",
    ]
    failed = next((s for s in steps if not s.holds), None)
    if best is None:
        out.append("BREAKING POINT: below the first rate offered")
    if failed is not None:
        out += ["The first step that did not hold:", report.endpoints(failed), ""]
    if best is None:
        return "\n".join(out)
    out += [
        f"BREAKING POINT: {best.rate:.0f} requests/s offered with {best.streams} live streams "
        "held" + (f" (the next step, {failed.rate:.0f}/s, did not hold)" if failed else ""),
        report.endpoints(best),
        "",
    ]
    if half is not None:
        out += ["AT HALF OF IT:", report.endpoints(half)]
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(prog="make load", description=__doc__)
    parser.add_argument("--first", type=float, default=4, help="the first rate, requests/s")
    parser.add_argument("--last", type=float, default=200, help="the highest rate tried")
    parser.add_argument("--factor", type=float, default=1.5, help="each step's rate over the last")
    parser.add_argument("--step", type=float, default=30, help="seconds per rate")
    parser.add_argument("--half", type=float, default=60, help="seconds at half the breaking point")
    parser.add_argument(
        "--streams-per-rate",
        type=float,
        default=STREAMS_PER_RATE,
        help="live streams held per request/s offered",
    )
    parser.add_argument("--keep-data", action="store_true", help="keep the temp data folder")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", datefmt="%X")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
