"""`python -m services.projections.entrypoints.rebuild` (`make rebuild-projections`): rebuild
every read model from the logs and swap it in while the live service keeps running.
Reads the same environment as the service (DATABASE_URL, DB_SCHEMA, ...)."""

from __future__ import annotations

import asyncio
import logging
import sys

from services.projections.application.rebuild import rebuild
from services.projections.bootstrap import Settings


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    result = asyncio.run(rebuild(Settings().rebuild_plan()))
    rate = result.events / result.seconds if result.seconds else 0.0
    sys.stdout.write(
        f"rebuilt from {len(result.positions)} logs: {result.events} events replayed, "
        f"{result.caught_up} caught up during the swap, {result.seconds:.1f}s ({rate:.0f}/s)\n"
    )


if __name__ == "__main__":
    main()
