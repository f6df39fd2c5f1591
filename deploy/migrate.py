"""`python -m deploy.migrate`: every service's schema steps, applied before a rollout.

What the Kubernetes Job `migrations` runs (deploy/k8s/base/migrations.yaml), with each
service's own login (`<SERVICE>_DATABASE_URL`, the URLs the pods get), so each schema's steps
run as its owner. The pods themselves do not migrate there (MIGRATE_ON_START=false): they
check that their schema is at their release's step and wait for this Job otherwise. So the
steps run once per rollout, before the new pods, never by every pod racing the old release.

Each step is additive (expand: new tables, columns, indexes; nothing dropped or rewritten
while the old release runs), checksummed (an edited step is refused), logged with its
duration, and bounded by a lock timeout (plumbing/db.py). `--check` applies nothing and
exits 1 when a schema is behind or a step was edited. `--only orders,media` limits the run.
Exit status 0 when every schema is at its release's step.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from plumbing import db


@dataclass(frozen=True)
class Outcome:
    applied: list[int]
    behind: str = ""  # why, when checking found steps missing


@dataclass(frozen=True)
class Schema:
    service: str  # its URL is <SERVICE>_DATABASE_URL; its schema, the service's name
    steps: Sequence[str]


def schemas() -> list[Schema]:
    """Every service's steps, as its own code lists them (imported here, at use)."""
    from gateway.bootstrap import MIGRATIONS as GATEWAY  # noqa: PLC0415
    from services.media.bootstrap import MIGRATIONS as MEDIA  # noqa: PLC0415
    from services.notifications.bootstrap import MIGRATIONS as NOTIFICATIONS  # noqa: PLC0415
    from services.orders.bootstrap import MIGRATIONS as ORDERS  # noqa: PLC0415
    from services.projections.adapters.tables import MIGRATIONS as PROJECTIONS  # noqa: PLC0415
    from services.scheduling.bootstrap import MIGRATIONS as SCHEDULING  # noqa: PLC0415

    return [
        Schema("orders", ORDERS),
        Schema("scheduling", SCHEDULING),
        Schema("media", MEDIA),
        Schema("notifications", NOTIFICATIONS),
        Schema("projections", PROJECTIONS),
        Schema("gateway", GATEWAY),
    ]


async def run(
    environ: Mapping[str, str], *, check: bool = False, only: Sequence[str] = ()
) -> dict[str, Outcome]:
    """service -> the steps applied, or why it is behind (check). Raises MigrationEdited."""
    outcome: dict[str, Outcome] = {}
    for schema in schemas():
        if only and schema.service not in only:
            continue
        key = f"{schema.service.upper()}_DATABASE_URL"
        url = environ.get(key) or environ.get("DATABASE_URL")
        if not url:
            raise SystemExit(f"{key} is not set")
        pool = await db.create_pool(url, schema.service, max_size=1)
        try:
            try:
                applied = await db.migrate(pool, schema.service, schema.steps, apply=not check)
                outcome[schema.service] = Outcome(applied)
            except db.SchemaBehind as behind:
                outcome[schema.service] = Outcome([], str(behind))
        finally:
            await pool.close()
    return outcome


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(prog="python -m deploy.migrate", description=__doc__)
    parser.add_argument("--check", action="store_true", help="apply nothing; 1 if behind")
    parser.add_argument("--only", default="", help="comma-separated services")
    args = parser.parse_args(argv)
    only = [s for s in args.only.split(",") if s]
    try:
        outcome = asyncio.run(run(os.environ, check=args.check, only=only))
    except db.MigrationEdited as edited:
        sys.stderr.write(f"refused: {edited}\n")
        return 1
    for service, done in outcome.items():
        state = done.behind or (f"applied steps {done.applied}" if done.applied else "up to date")
        sys.stdout.write(f"{service}: {state}\n")
    return 1 if any(done.behind for done in outcome.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
