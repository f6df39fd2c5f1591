"""Wiring of the gateway: users and their identity outbox, tokens, upstream services."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import timedelta

import asyncpg
from fastapi import FastAPI

from contracts.envelope import Actor
from contracts.topics import IDENTITY
from gateway.adapters.holder_cache import IDENTITY_TRIGGERS_DDL, HolderCache
from gateway.adapters.login_attempts import LOGIN_ATTEMPTS_DDL, LoginAttempts
from gateway.adapters.sessions_repo import SESSIONS_DDL, SessionsRepo
from gateway.adapters.upstream import Upstreams
from gateway.adapters.users_repo import USERS_DDL, USERS_EMAIL_DDL, UsersRepo
from gateway.application.key_ring import KeyRing, key_ring
from gateway.application.live_feeds import LiveFeeds
from gateway.application.sign_in import SignIn
from gateway.application.tokens import Tokens, WeakSigningKey, hash_password
from gateway.domain.client_address import parse_networks
from gateway.domain.sessions import Lifetimes
from gateway.domain.users import DEMO_EMAIL_DOMAIN, DEMO_PASSWORD, DEMO_USERS
from gateway.entrypoints import (
    auth,
    customers,
    events_stream,
    imports,
    media,
    notifications,
    order_actions,
    orders,
    push,
    reports,
    scheduling,
    sessions,
    web,
)
from gateway.entrypoints.capability_doc import document_capabilities
from gateway.entrypoints.sessions import AuthWeb
from plumbing.db import UNAVAILABLE
from plumbing.ordered_log import OUTBOX_DDL, OUTBOX_ORDER_DDL, OUTBOX_TRACE_DDL, Outbox
from plumbing.relay import RELAY_DDL, RELAY_ORDER_DDL, Relay
from plumbing.service import Job, ServiceSpec, build_service
from plumbing.settings import ServiceSettings

log = logging.getLogger(__name__)


class Settings(ServiceSettings):
    service_name: str = "gateway"
    port: int = 8000
    # Required (this or JWT_KEYS): build() refuses an empty, short or published key
    # (check_signing_key). Its kid is "default".
    jwt_secret: str = ""
    # More keys, `kid:secret` comma-separated, newest first; the newest signs unless
    # JWT_SIGNING_KID names another (gateway/application/key_ring.py says how to rotate).
    jwt_keys: str = ""
    jwt_signing_kid: str = ""
    # Access tokens live minutes; the session goes on through POST /auth/refresh.
    access_token_minutes: float = 10
    session_hours: float = 12  # a sign-in without "remember me"
    remember_days: float = 30  # "remember me": since the last refresh...
    remember_max_days: float = 90  # ...and never longer than this since the sign-in
    refresh_reuse_grace_s: float = 5  # two tabs refreshing with one cookie at once
    # The refresh cookie's Secure flag. Browsers send Secure cookies to http://localhost, so
    # only a plain-http deployment reached by another name (a LAN address) needs false.
    auth_cookie_secure: bool = True
    # Proxies (addresses or CIDRs, comma-separated) whose X-Forwarded-For is believed: the
    # ingress controller's pods in Kubernetes. Empty: the TCP peer is the client.
    trusted_proxies: str = ""
    prune_interval_s: float = 60
    seed_demo: bool = False
    # How long a replica may answer "who holds this session" from memory (0: ask every
    # time). Changes reach every replica at once by NOTIFY; this bounds a missed one.
    holder_cache_s: float = 15.0
    orders_url: str = "http://127.0.0.1:8081"
    scheduling_url: str = "http://127.0.0.1:8082"
    media_url: str = "http://127.0.0.1:8083"
    notifications_url: str = "http://127.0.0.1:8084"
    projections_url: str = "http://127.0.0.1:8085"


# Append-only: a new step goes at the end (plumbing.db.migrate).
MIGRATIONS = [
    OUTBOX_DDL,
    RELAY_DDL,
    USERS_DDL,
    LOGIN_ATTEMPTS_DDL,
    SESSIONS_DDL,
    USERS_EMAIL_DDL,
    OUTBOX_TRACE_DDL,
    IDENTITY_TRIGGERS_DDL,
    OUTBOX_ORDER_DDL,
    RELAY_ORDER_DDL,
]


async def seed_demo_users(users: UsersRepo) -> None:
    """Demo users of API.md, once: only when the user table is empty."""
    if await users.count() > 0:
        return
    hashed = hash_password(DEMO_PASSWORD)
    for username, display_name, role in DEMO_USERS:
        email = f"{username}@{DEMO_EMAIL_DOMAIN}"
        await users.create(username, display_name, role, hashed, Actor.system(), email)
    log.info("seeded %d demo users", len(DEMO_USERS))


def signing_keys(settings: Settings) -> KeyRing:
    """The key ring of the settings; raises WeakSigningKey (after logging why) for a
    guessable key: whoever knows it can sign a token with any role, so better down than open.

    An empty key is refused too, not replaced by a random one: every replica would sign
    with its own key (a token from one is refused by the next) and every restart would log
    everyone out; the local stack and the tests generate a real key instead."""
    try:
        ring = key_ring(settings.jwt_secret, settings.jwt_keys, settings.jwt_signing_kid)
    except WeakSigningKey as weak:
        log.critical("refusing to start: %s", weak)
        raise
    if ring.holds(settings.internal_signing_key):
        # Every service holds the internal key (plumbing/actor.py): it could mint a login.
        log.critical("refusing to start: INTERNAL_SIGNING_KEY is also a JWT signing key")
        raise WeakSigningKey("INTERNAL_SIGNING_KEY must differ from every JWT signing key")
    return ring


async def prune_forever(attempts: LoginAttempts, sessions: SessionsRepo, every_s: float) -> None:
    """Old failed sign-ins and ended sessions go; every replica may do it, it is idempotent."""
    while True:
        try:
            pruned = await attempts.prune() + await sessions.prune()
            if pruned:
                log.info("pruned %d old sign-in rows", pruned)
        except UNAVAILABLE:
            log.warning("could not prune sign-in rows now; trying again later")
        except Exception:
            log.exception("pruning sign-in rows failed; trying again later")
        await asyncio.sleep(every_s)


def build(settings: Settings) -> FastAPI:
    """The gateway's app; raises WeakSigningKey (after logging why) for a guessable key,
    ValueError for a bad TRUSTED_PROXIES entry."""
    ring = signing_keys(settings)
    proxies = parse_networks(settings.trusted_proxies)
    lifetimes = Lifetimes(
        session=timedelta(hours=settings.session_hours),
        remember_idle=timedelta(days=settings.remember_days),
        remember_max=timedelta(days=settings.remember_max_days),
        reuse_grace=timedelta(seconds=settings.refresh_reuse_grace_s),
    )
    tokens = Tokens(ring, ttl=timedelta(minutes=settings.access_token_minutes))

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
        attempts = LoginAttempts(pool, settings.schema_name)
        sessions_repo = SessionsRepo(pool, lifetimes)
        holders = HolderCache(sessions_repo, ttl_s=settings.holder_cache_s)
        users.on_user_changed = sessions_repo.on_user_changed = holders.forget_user
        sessions_repo.on_session_ended = holders.forget_session
        app.state.users = users
        app.state.tokens = tokens
        app.state.sign_in = SignIn(
            users, attempts, sessions_repo, tokens, holders if settings.holder_cache_s else None
        )
        app.state.auth_web = AuthWeb(settings.auth_cookie_secure, proxies)
        app.state.upstreams = upstreams
        app.state.live = LiveFeeds.over(upstreams, app.state.sign_in)

        async def prune() -> None:
            await prune_forever(attempts, sessions_repo, settings.prune_interval_s)

        async def listen() -> None:
            await holders.listen(settings.database_url, settings.schema_name)

        jobs: list[Job] = [Relay(outbox, pool, settings, [IDENTITY]).run, prune]
        return [*jobs, listen] if settings.holder_cache_s else jobs

    app = build_service(
        settings,
        ServiceSpec(
            migrations=MIGRATIONS,
            # API.md: ready means it can serve its own requests (sign-in, sessions: its
            # database); a service away answers 503 on its routes and shows here and in
            # `dependency_up`, and does not take the whole site out of rotation.
            dependencies={name: upstreams.checker(name) for name in upstreams.urls},
            # Never a reason to leave rotation: lagging read models still serve (API.md).
            reports=[upstreams.read_side],
            topics=[IDENTITY],
            wire=wire,
            routes_need_gateway=False,  # it is the gateway: users call it, with their token
            routers=[
                sessions.router,
                auth.router,
                orders.router,
                customers.router,
                order_actions.router,
                imports.router,
                media.router,
                notifications.router,
                push.router,
                scheduling.router,
                reports.router,
                events_stream.router,
                web.router,
            ],
        ),
    )
    document_capabilities(app)
    return app
