"""`python -m deploy.database`: provision the database logins from the environment.

What the Kubernetes Job `db-logins` runs (deploy/k8s/base/db-logins.yaml), with:
- `ADMIN_DATABASE_URL`: a superuser, or a role with CREATEROLE that owns the database;
- `<SERVICE>_DATABASE_URL` for each service (ORDERS, SCHEDULING, MEDIA, NOTIFICATIONS,
  PROJECTIONS, GATEWAY): the very URLs the services get, so each login's name and password
  are written in one place only;
- optional `ANALYST_DATABASE_URL` (the analysts' login; without it the role is NOLOGIN),
  `ANALYST_STATEMENT_TIMEOUT` (default 60s), `ANALYST_CONNECTION_LIMIT` (default 5).
Exit status 0 when the server matches, 1 when it could not be made to, 2 on bad settings.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Mapping

import asyncpg

from deploy.database.plan import (
    ANALYST_CONNECTION_LIMIT,
    ANALYST_STATEMENT_TIMEOUT,
    SERVICES,
    Analyst,
    Plan,
    PlanError,
    database_of,
    login_of,
    standard_plan,
)
from deploy.database.provision import ProvisioningError, provision

log = logging.getLogger("deploy.database")


def plan_from(environ: Mapping[str, str]) -> tuple[str, Plan]:
    """(admin URL, plan) from the environment; PlanError says what is missing or wrong."""
    admin = environ.get("ADMIN_DATABASE_URL", "")
    if not admin:
        raise PlanError("ADMIN_DATABASE_URL is not set")
    credentials = {}
    for service in SERVICES:
        key = f"{service.upper()}_DATABASE_URL"
        url = environ.get(key, "")
        if not url:
            raise PlanError(f"{key} is not set")
        if database_of(url) != database_of(admin):
            raise PlanError(f"{key} names another database than ADMIN_DATABASE_URL")
        credentials[service] = login_of(url)
    analyst_role, analyst_password = "oms_analyst", None
    if environ.get("ANALYST_DATABASE_URL"):
        analyst_role, password = login_of(environ["ANALYST_DATABASE_URL"])
        analyst_password = password
    limit = environ.get("ANALYST_CONNECTION_LIMIT", str(ANALYST_CONNECTION_LIMIT))
    if not limit.isdigit():
        raise PlanError(f"ANALYST_CONNECTION_LIMIT must be a number, got {limit!r}")
    analyst = Analyst(
        analyst_role,
        analyst_password,
        statement_timeout=environ.get("ANALYST_STATEMENT_TIMEOUT", ANALYST_STATEMENT_TIMEOUT),
        connection_limit=int(limit),
    )
    return admin, standard_plan(credentials, analyst)


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        admin, plan = plan_from(os.environ)
    except PlanError as exc:
        log.error("%s", exc)  # noqa: TRY400 - the message is the whole story
        return 2
    try:
        done = asyncio.run(provision(admin, plan))
    except (ProvisioningError, asyncpg.PostgresError, OSError) as exc:
        log.error("provisioning failed: %s", exc)  # noqa: TRY400
        return 1
    if not done:
        log.error("ADMIN_DATABASE_URL's user may not create roles (needs CREATEROLE)")
        return 1
    roles = ", ".join(login.role for login in plan.logins)
    log.info(
        "database logins provisioned: %s; analyst %s", roles, plan.analyst and plan.analyst.role
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
