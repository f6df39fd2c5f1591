"""`make chaos` (`python -m chaos`): the fault run; exit code 1 on any loss or duplicate.

python -m chaos --rate 50 --phase 20 --faults gateway,orders,broker,postgres,pause:orders
python -m chaos --faults slow:postgres,partition:broker,error:object-store,full:object-store
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from chaos import faults
from chaos.report import full
from chaos.run import DEFAULT_FAULTS, Plan, run


def main() -> int:
    parser = argparse.ArgumentParser(prog="make chaos", description=__doc__)
    parser.add_argument("--rate", type=float, default=50.0, help="commands offered per second")
    parser.add_argument("--phase", type=float, default=20.0, help="seconds per fault")
    parser.add_argument(
        "--pause",
        type=float,
        default=20.0,
        help="seconds a paused process sleeps (and a slow, failing or full dependency lasts)",
    )
    parser.add_argument(
        "--partition", type=float, default=60.0, help="seconds the broker is partitioned away"
    )
    parser.add_argument(
        "--slow-db-ms",
        type=float,
        default=faults.SLOW_DB_S * 1000,
        help="slow:postgres holds every chunk this many ms each way",
    )
    parser.add_argument(
        "--faults",
        default=",".join(DEFAULT_FAULTS),
        help="components to kill; pause:NAME pauses; slow:postgres, partition:broker, "
        "error:object-store, full:object-store, slow:object-store, lose:broker",
    )
    parser.add_argument(
        "--memory-broker", action="store_true", help="the broker keeps memory only (no S3 log)"
    )
    parser.add_argument("--keep-data", action="store_true", help="keep the temp data folder")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s", datefmt="%X")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    plan = Plan(
        rate=args.rate,
        phase_s=args.phase,
        pause_s=args.pause,
        partition_s=args.partition,
        slow_db_s=args.slow_db_ms / 1000,
        faults=[faults.parse(f) for f in args.faults.split(",") if f],
        durable_broker=not args.memory_broker,
    )
    result = asyncio.run(run(plan, keep_data=args.keep_data))
    sys.stdout.write(f"\n{full(result)}\n")
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
