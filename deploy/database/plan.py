"""Who owns what on the database server, as data: the logins, their schemas, who reads whose log.

The one place that knows the services' schema names outside the services themselves (each
service's own `DB_SCHEMA` defaults to its name; projections also keeps `reporting`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit, urlunsplit

# Each service's schemas, created by provisioning and owned by the service's login.
SCHEMAS: dict[str, tuple[str, ...]] = {
    "orders": ("orders",),
    "scheduling": ("scheduling",),
    "media": ("media",),
    "notifications": ("notifications",),
    # `reporting` holds the analysts' views, which run with their owner's rights: projections.
    "projections": ("projections", "reporting"),
    "gateway": ("gateway",),
}
SERVICES = tuple(SCHEMAS)

# Whose published log (outbox, or orders' event store) which service may read, and nothing
# else of theirs: `make rebuild-projections` replays them (services/projections/adapters/logs.py).
LOG_READERS: dict[str, tuple[str, ...]] = {
    "orders": ("projections",),
    "scheduling": ("projections",),
    "media": ("projections",),
    "gateway": ("projections",),
}

# Only projections makes schemas after provisioning: a rebuild migrates a fresh schema and
# renames it over the live one (services/projections/adapters/generations.py).
CREATES_SCHEMAS = frozenset({"projections"})

# Extensions live per database, in `public`, where only the admin may create anything.
EXTENSIONS = ("btree_gist", "pg_trgm")

ANALYST_STATEMENT_TIMEOUT = "60s"
ANALYST_CONNECTION_LIMIT = 5

_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_DURATION = re.compile(r"^[0-9]{1,9}(ms|s|min|h)?$")


class PlanError(ValueError):
    """A plan the server must not be given: an unsafe role name, a bad timeout."""


def checked_role(name: str) -> str:
    """Lower-case identifiers only: no quoting surprises, and what psql users type works."""
    if not _ROLE.match(name):
        raise PlanError(f"unsafe role name {name!r} (lower-case letters, digits, _; max 63)")
    return name


@dataclass(frozen=True)
class Login:
    service: str
    role: str
    password: str
    schemas: tuple[str, ...]
    creates_schemas: bool = False

    def __post_init__(self) -> None:
        checked_role(self.role)
        for schema in self.schemas:
            checked_role(schema)
        if not self.password:
            raise PlanError(f"{self.role}: a login needs a password")


@dataclass(frozen=True)
class Analyst:
    role: str
    password: str | None  # None: NOLOGIN (grant it to personal logins)
    statement_timeout: str = ANALYST_STATEMENT_TIMEOUT
    connection_limit: int = ANALYST_CONNECTION_LIMIT

    def __post_init__(self) -> None:
        checked_role(self.role)
        if not _DURATION.match(self.statement_timeout):
            raise PlanError(f"statement timeout {self.statement_timeout!r}: e.g. 60s or 5min")
        if not 1 <= self.connection_limit <= 1000:
            raise PlanError(f"connection limit {self.connection_limit}: 1 to 1000")


@dataclass(frozen=True)
class Plan:
    logins: tuple[Login, ...]
    analyst: Analyst | None = None
    extensions: tuple[str, ...] = EXTENSIONS

    def role_of(self, service: str) -> str:
        (login,) = [x for x in self.logins if x.service == service]
        return login.role

    def log_readers(self, service: str) -> tuple[str, ...]:
        """The roles `service` grants SELECT on its published log (its DB_LOG_READERS)."""
        return tuple(self.role_of(reader) for reader in LOG_READERS.get(service, ()))


def standard_plan(credentials: Mapping[str, tuple[str, str]], analyst: Analyst | None) -> Plan:
    """Every service's login from `credentials` (service → (role, password))."""
    missing = set(SERVICES) - credentials.keys()
    if missing:
        raise PlanError(f"no login given for {', '.join(sorted(missing))}")
    logins = tuple(
        Login(
            service=name,
            role=credentials[name][0],
            password=credentials[name][1],
            schemas=SCHEMAS[name],
            creates_schemas=name in CREATES_SCHEMAS,
        )
        for name in SERVICES
    )
    return Plan(logins, analyst)


def with_login(url: str, role: str, password: str) -> str:
    """`url` (the admin's) with another user and password: same hosts, database, options."""
    parts = urlsplit(url)
    hosts = parts.netloc.rpartition("@")[2]
    userinfo = f"{quote(role, safe='')}:{quote(password, safe='')}"
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{hosts}"))


def login_of(url: str) -> tuple[str, str]:
    """(user, password) of a postgresql:// URL; both must be there."""
    parts = urlsplit(url)
    if parts.username is None or parts.password is None:
        raise PlanError("a login URL needs user and password (postgresql://user:pw@host/db)")
    return unquote(parts.username), unquote(parts.password)


def database_of(url: str) -> str:
    return unquote(urlsplit(url).path.lstrip("/")) or "postgres"
