"""Calls to a service as the gateway makes them: the caller in a signed `X-Actor-Token`.

Tests say who calls with plain `X-Actor-Id` / `X-Actor-Role` / `X-Actor-Username` headers
(the `actor(...)` helpers); the client's hook (plumbing.actor.signing_hook) turns them into
the token just before the request goes out, as gateway/adapters/upstream.py does. The key is
the session's INTERNAL_SIGNING_KEY, which every service built in the tests reads."""

from __future__ import annotations

import os
import secrets

import httpx
from fastapi import FastAPI

from plumbing.actor import signing_hook

KEY = os.environ.setdefault("INTERNAL_SIGNING_KEY", secrets.token_urlsafe(48))
# A caller for services that leave roles to the gateway (projections): any signed-in one.
DIRECTOR = {"X-Actor-Id": "00000000-0000-0000-0000-00000000d1ec", "X-Actor-Role": "director"}


def service_client(app: FastAPI, base_url: str, **kw: object) -> httpx.AsyncClient:
    """A client of a service's app in-process (built by plumbing.service.build_service),
    signing each call's actor as the gateway would."""
    transport = httpx.ASGITransport(app=app, **kw)  # type: ignore[arg-type]
    hook = signing_hook(KEY, app.state.actor_verifier.service)
    return httpx.AsyncClient(
        transport=transport, base_url=base_url, event_hooks={"request": [hook]}
    )
