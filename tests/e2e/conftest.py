"""An HTTP client on the session's whole system (`stack`, in tests/conftest.py, shared with
tests/browser) and `login(api, username)` for a demo user's bearer header.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

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
