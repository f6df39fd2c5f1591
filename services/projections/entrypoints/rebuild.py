"""`python -m services.projections.entrypoints.rebuild` (`make rebuild-projections`): rebuild
every read model from the logs and swap it in while the live service keeps running.
With `--check`, rebuild into a scratch schema and compare checksums with the live read models
instead (nothing is swapped; exit code 1 when they differ).
Reads the same environment as the service (DATABASE_URL, DB_SCHEMA, ...)."""

from __future__ import annotations

import asyncio
import logging
import sys

from services.projections.application.rebuild import RebuildRefused, compare, rebuild
from services.projections.bootstrap import Settings


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    plan = Settings().rebuild_plan()
    if "--check" in sys.argv[1:]:
        differ = asyncio.run(compare(plan))
        for table, (live, rebuilt) in differ.items():
            sys.stdout.write(f"{table}: live {live} != rebuilt {rebuilt}\n")
        sys.stdout.write(
            "read models differ from a rebuild\n" if differ else "read models equal a rebuild\n"
        )
        return 1 if differ else 0
    try:
        result = asyncio.run(rebuild(plan))
    except RebuildRefused as exc:
        sys.stderr.write(f"rebuild refused: {exc}\n")
        return 2
    rate = result.events / result.seconds if result.seconds else 0.0
    sys.stdout.write(
        f"rebuilt from {len(result.positions)} logs: {result.events} events replayed, "
        f"{result.caught_up} caught up during the swap, {result.seconds:.1f}s ({rate:.0f}/s)\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
