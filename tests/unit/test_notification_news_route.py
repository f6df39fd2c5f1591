"""`GET /notifications/news` names whose inboxes moved: the gateway's own question for its
live streams, refused to a call made for a person (who has news is nobody else's business)."""

from __future__ import annotations

from unittest.mock import create_autospec

import asyncpg
import httpx
from fastapi import FastAPI

from contracts.envelope import Actor
from plumbing.actor import actor_from_token
from plumbing.app import install_error_handlers
from services.notifications.entrypoints.http import router


def _app(actor: Actor) -> FastAPI:
    app = FastAPI()
    app.include_router(router)
    install_error_handlers(app)
    app.dependency_overrides[actor_from_token] = lambda: actor
    # Refused before the pool is used: a stand-in that would fail any query.
    app.state.pool = create_autospec(asyncpg.Pool, instance=True)
    return app


async def test_a_person_may_not_ask_who_has_news() -> None:
    for role in ("director", "admin", "installer"):
        person = Actor(kind="user", id="00000000-0000-0000-0000-000000000001", role=role)
        transport = httpx.ASGITransport(app=_app(person))
        async with httpx.AsyncClient(transport=transport, base_url="http://n") as client:
            reply = await client.get("/notifications/news")
        assert reply.status_code == 403, (role, reply.text)
        assert "gateway" in reply.json()["detail"]
