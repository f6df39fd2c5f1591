"""Wiring of the gateway: users and their identity outbox, tokens, upstream services."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import asyncpg
from fastapi import FastAPI

from contracts.envelope import Actor
from contracts.topics import IDENTITY
from gateway.adapters.upstream import Upstreams
from gateway.adapters.users_repo import USERS_DDL, UsersRepo
from gateway.application.tokens import Tokens, WeakSigningKey, check_signing_key, hash_password
from gateway.domain.users import DEMO_PASSWORD, DEMO_USERS
from gateway.entrypoints import (
    auth,
    events_stream,
    media,
    notifications,
    order_actions,
    orders,
    reports,
    scheduling,
    web,
)
from gateway.entrypoints.capability_doc import document_capabilities
from plumbing.ordered_log import OUTBOX_DDL, Outbox
from plumbing.relay import RELAY_DDL, Relay
from plumbing.service import Job, ServiceSpec, build_service
from plumbing.settings import ServiceSettings

log = logging.getLogger(__name__)


class Settings(ServiceSettings):
    service_name: str = "gateway"
    port: int = 8000
    # Required: build() refuses an empty, short or published key (check_signing_key).
    jwt_secret: str = ""
    seed_demo: bool = False
    orders_url: str = "http://127.0.0.1:8081"
    scheduling_url: str = "http://127.0.0.1:8082"
    media_url: str = "http://127.0.0.1:8083"
    notifications_url: str = "http://127.0.0.1:8084"
    projections_url: str = "http://127.0.0.1:8085"


async def seed_demo_users(users: UsersRepo) -> None:
    """Demo users of API.md, once: only when the user table is empty."""
    if await users.count() > 0:
        return
    hashed = hash_password(DEMO_PASSWORD)
    for username, display_name, role in DEMO_USERS:
        await users.create(username, display_name, role, hashed, Actor.system())
    log.info("seeded %d demo users", len(DEMO_USERS))


def build(settings: Settings) -> FastAPI:
    """The gateway's app; raises WeakSigningKey (after logging why) for a guessable key.

    An empty key is refused too, not replaced by a random one: every replica would sign
    with its own key (a token from one is refused by the next) and every restart would log
    everyone out; the local stack and the tests generate a real key instead."""
    secret = settings.jwt_secret
    try:
        check_signing_key(secret)
    except WeakSigningKey as weak:
        # Whoever knows the key can sign a token with any role: better down than open.
        log.critical("refusing to start: %s", weak)
        raise
    if settings.internal_signing_key == secret:
        # A service holding it could then mint a user's login (plumbing/actor.py).
        log.critical("refusing to start: INTERNAL_SIGNING_KEY equals JWT_SECRET")
        raise WeakSigningKey("INTERNAL_SIGNING_KEY must differ from JWT_SECRET")

    upstreams = Upstreams(
        {
            "orders": settings.orders_url,
            "scheduling": settings.scheduling_url,
            "media": settings.media_url,
            "notifications": settings.notifications_url,
            "projections": settings.projections_url,
        },
        settings.internal_signing_key,
    )

    async def wire(pool: asyncpg.Pool, app: FastAPI) -> Sequence[Job]:
        outbox = Outbox(pool, settings.schema_name)
        users = UsersRepo(pool, outbox)
        if settings.seed_demo:
            await seed_demo_users(users)
        app.state.users = users
        app.state.tokens = Tokens(secret)
        app.state.upstreams = upstreams
        return [Relay(outbox, pool, settings, [IDENTITY]).run]

    app = build_service(
        settings,
        ServiceSpec(
            migrations=[OUTBOX_DDL, RELAY_DDL, USERS_DDL],
            # API.md: ready means every dependency is reachable, the services included.
            checks={name: upstreams.checker(name) for name in upstreams.urls},
            # Never a reason to leave rotation: lagging read models still serve (API.md).
            reports=[upstreams.read_side],
            topics=[IDENTITY],
            wire=wire,
            routes_need_gateway=False,  # it is the gateway: users call it, with their token
            routers=[
                auth.router,
                orders.router,
                order_actions.router,
                media.router,
                notifications.router,
                scheduling.router,
                reports.router,
                events_stream.router,
                web.router,
            ],
        ),
    )
    document_capabilities(app)
    return app
