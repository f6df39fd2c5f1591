"""The local stack's database logins: one per service, named `<prefix>_<service>`, with the
passwords kept in the data folder's secrets.json, plus `<prefix>_analyst`.

Roles belong to the whole server, not to one database, so stacks sharing a server (the test
suite makes a database per stack) each need names of their own: the prefix is `oms` on a server
the stack started itself, and the database's name on one it was given (DATABASE_URL).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from dataclasses import dataclass

from deploy.database.plan import SERVICES, Analyst, Plan, database_of, standard_plan, with_login
from deploy.database.provision import drop_roles, provision
from deploy.local.layout import Secrets

log = logging.getLogger("deploy.local")

OWN_SERVER_PREFIX = "oms"
# The longest role is `<prefix>_notifications`: PostgreSQL cuts names at 63 bytes.
_MAX_PREFIX = 63 - len("_notifications")


def role_prefix(database: str) -> str:
    """`oms` for the server's default database, else the database's name, made a safe role
    name (lower-case, digits, _), shortened with a hash when too long."""
    if database in ("postgres", "oms"):
        return OWN_SERVER_PREFIX
    name = re.sub(r"[^a-z0-9_]", "_", database.lower())
    if not re.match(r"^[a-z_]", name):
        name = "db_" + name
    if len(name) > _MAX_PREFIX:
        digest = hashlib.sha256(database.encode()).hexdigest()[:8]
        name = f"{name[: _MAX_PREFIX - 9]}_{digest}"
    return name


def role_names(prefix: str) -> list[str]:
    return [f"{prefix}_{name}" for name in (*SERVICES, "analyst")]


def local_plan(prefix: str, keys: Secrets) -> Plan:
    credentials = {s: (f"{prefix}_{s}", keys.db_passwords[s]) for s in SERVICES}
    analyst = Analyst(f"{prefix}_analyst", keys.db_passwords["analyst"])
    return standard_plan(credentials, analyst)


@dataclass(frozen=True)
class Logins:
    """What each service is started with: its own DATABASE_URL and DB_LOG_READERS."""

    database_urls: dict[str, str]
    log_readers: dict[str, str]
    analyst_role: str
    analyst_url: str  # for people: psql with it reads the reporting views

    def env(self, service: str) -> dict[str, str]:
        return {
            "DATABASE_URL": self.database_urls[service],
            "DB_LOG_READERS": self.log_readers.get(service, ""),
        }


def provision_local(admin_url: str, keys: Secrets) -> Logins | None:
    """Provision the logins with `admin_url`; None when it may not create roles (then every
    service logs in as the admin, as before, and the caller says so)."""
    prefix = role_prefix(database_of(admin_url))
    plan = local_plan(prefix, keys)
    if not asyncio.run(provision(admin_url, plan)):
        return None
    return Logins(
        database_urls={x.service: with_login(admin_url, x.role, x.password) for x in plan.logins},
        log_readers={s: ",".join(plan.log_readers(s)) for s in SERVICES if plan.log_readers(s)},
        analyst_role=f"{prefix}_analyst",
        analyst_url=with_login(admin_url, f"{prefix}_analyst", keys.db_passwords["analyst"]),
    )


def drop_local_logins(server_url: str, database: str) -> None:
    """After DROP DATABASE of a throw-away stack's `database`: its roles would outlive it on
    the server. `server_url` is the admin's URL to any other database."""
    prefix = role_prefix(database)
    if prefix == OWN_SERVER_PREFIX:
        raise ValueError("refusing to drop the server's own oms_* logins")
    asyncio.run(drop_roles(server_url, role_names(prefix)))
