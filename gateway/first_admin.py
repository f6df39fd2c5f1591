"""`python -m gateway.first_admin`: a fresh deployment's first admin (Day 0).

A deployment seeds no demo users (SEED_DEMO is off in Kubernetes), so nobody could sign in to
create the first user. This makes one admin from the environment — FIRST_ADMIN_PASSWORD
(required the first time; the Job reads it from the Secret `oms-first-admin`),
FIRST_ADMIN_USERNAME (admin), FIRST_ADMIN_DISPLAY_NAME, FIRST_ADMIN_EMAIL — with the gateway's
own DATABASE_URL, through the gateway's users repository, so the admin's UserRegistered event
goes out like any other. Idempotent: while an active admin exists it does nothing, so the Job
may run at every apply and the Secret may be deleted once the admin has signed in (and
changed the password). The password must pass the same policy as any other.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Mapping

from contracts.envelope import Actor
from gateway.adapters.users_repo import UsernameTaken, UsersRepo
from gateway.application.password_policy import WeakPassword, check_new_password
from gateway.application.tokens import hash_password
from gateway.bootstrap import MIGRATIONS
from plumbing import db
from plumbing.ordered_log import Outbox

log = logging.getLogger(__name__)


class NoFirstAdmin(Exception):
    """No admin exists and none can be made from what was given (the message says why)."""


async def ensure_first_admin(users: UsersRepo, environ: Mapping[str, str]) -> str:
    """'exists' when an active admin is there already, else 'created' (or NoFirstAdmin)."""
    if any(u.role == "admin" and u.active for u in await users.all()):
        return "exists"
    password = environ.get("FIRST_ADMIN_PASSWORD", "")
    username = environ.get("FIRST_ADMIN_USERNAME") or "admin"
    display_name = environ.get("FIRST_ADMIN_DISPLAY_NAME") or "Администратор"
    if not password:
        raise NoFirstAdmin("no active admin and no FIRST_ADMIN_PASSWORD to make one with")
    try:
        check_new_password(password, [username, display_name])
    except WeakPassword as exc:
        raise NoFirstAdmin(f"FIRST_ADMIN_PASSWORD refused: {exc}") from None
    try:
        await users.create(
            username,
            display_name,
            "admin",
            hash_password(password),
            Actor.system(),
            environ.get("FIRST_ADMIN_EMAIL") or None,
        )
    except UsernameTaken:
        raise NoFirstAdmin(
            f"a user {username!r} exists but is no active admin: set FIRST_ADMIN_USERNAME "
            "to another name"
        ) from None
    return "created"


async def run(environ: Mapping[str, str]) -> str:
    url = environ.get("DATABASE_URL")
    if not url:
        raise NoFirstAdmin("DATABASE_URL (the gateway's) is not set")
    schema = environ.get("DB_SCHEMA") or "gateway"
    pool = await db.create_pool(url, schema, max_size=2)
    try:
        # The gateway's own steps, in case this runs before its first pod: idempotent, and
        # serialized with the pods' own run by the migration lock.
        await db.migrate(pool, schema, MIGRATIONS)
        return await ensure_first_admin(UsersRepo(pool, Outbox(pool, schema)), environ)
    finally:
        await pool.close()


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        outcome = asyncio.run(run(os.environ))
    except NoFirstAdmin as exc:
        sys.stderr.write(f"first admin: {exc}\n")
        return 1
    sys.stdout.write(
        "an active admin exists: nothing to do\n"
        if outcome == "exists"
        else "first admin created\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
