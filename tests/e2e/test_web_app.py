"""The web app through the real gateway: the built page, its script and styles, and the guides.
(What the app does on screen is the browser suite's, tests/browser.)"""

from __future__ import annotations

import re

import httpx

from gateway.entrypoints.web import GUIDE_ROLES
from tests.e2e.conftest import login

ASSET = re.compile(r'(?:src|href)="(/app/assets/[^"]+)"')


async def require_web_app(api: httpx.AsyncClient) -> httpx.Response:
    reply = await api.get("/")
    assert reply.status_code == 200, f"the built app is not served: {reply.text[:200]}"
    return reply


async def test_the_gateway_serves_the_app(api: httpx.AsyncClient) -> None:
    page = await require_web_app(api)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assets = ASSET.findall(page.text)
    kinds = set()
    for path in assets:
        reply = await api.get(path)
        assert reply.status_code == 200, path
        kinds.add(reply.headers["content-type"].split(";")[0])
        assert "immutable" in reply.headers["cache-control"]
    assert kinds == {"text/javascript", "text/css"}


async def test_every_role_reaches_its_guide(api: httpx.AsyncClient) -> None:
    await require_web_app(api)
    for role in GUIDE_ROLES:
        reply = await api.get(f"/guides/{role}")
        assert reply.status_code == 200, role
        assert "Справка" in reply.text
        # Assembled from the shell and shared fragments: nothing left unexpanded.
        assert reply.text.startswith("<!doctype html>"), role
        assert "<!-- include:" not in reply.text, role
    assert (await api.get("/guides/nobody")).status_code == 404


async def test_the_app_needs_no_login_but_the_api_does(api: httpx.AsyncClient) -> None:
    """The static app is public (it is the login page); everything it shows comes from the API."""
    await require_web_app(api)
    assert (await api.get("/api/v1/board")).status_code == 401
    headers = await login(api, "measurer")
    me = (await api.get("/api/v1/me", headers=headers)).json()
    guide = await api.get(f"/guides/{me['role']}")
    assert "замер" in guide.text.lower()
