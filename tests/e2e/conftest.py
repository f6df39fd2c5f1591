"""An HTTP client on the session's whole system (`stack`, in tests/conftest.py, shared with
tests/browser) and `login(api, username)` for a demo user's bearer header.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from deploy.local.stack import Stack


@pytest.fixture
async def api(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=stack.urls["gateway"], timeout=30) as client:
        yield client


async def login(api: httpx.AsyncClient, username: str, password: str = "demo") -> dict[str, str]:
    reply = await api.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}
