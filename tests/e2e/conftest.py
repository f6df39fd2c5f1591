"""An HTTP client on the session's whole system (`stack`, in tests/conftest.py, shared with
tests/browser) and `login(api, username)` for a demo user's bearer header.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from deploy.local.stack import Stack

# For users a test creates: passes the password policy (10 characters, zxcvbn score 3).
NEW_PASSWORD = "Sturdy-Larch-1987"


@pytest.fixture
async def api(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.urls["gateway"], timeout=30) as client:
        yield client


async def login(api: httpx.AsyncClient, username: str, password: str = "demo") -> dict[str, str]:
    reply = await api.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


async def book_visit(
    api: httpx.AsyncClient, headers: dict[str, str], order_id: str, body: dict[str, Any]
) -> httpx.Response:
    """POST a visit for an order created a moment ago: scheduling learns of orders from the
    broker, and answers 404 `unknown_order` until it has."""
    for _ in range(50):
        reply = await api.post(f"/api/v1/orders/{order_id}/visits", json=body, headers=headers)
        if reply.status_code != 404:
            return reply
        await asyncio.sleep(0.2)
    return reply
