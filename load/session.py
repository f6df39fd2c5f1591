"""A signed-in user as the web app is one: an access token for minutes, renewed through
POST /auth/refresh with the session's cookie before it runs out, and when an answer or a
stream's `reauth` says it has.

The refresh cookie is Secure, which Python's cookie jar never sends over plain http (browsers
do, to localhost), so it is kept and sent by hand. Its token is good once: tabs of one browser
that renew at the same moment share one renewal here (a lock), as they share one cookie."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

import httpx
import jwt

REFRESH_COOKIE = "oms_refresh"  # gateway/entrypoints/sessions.py
RENEW_BEFORE_S = 30.0  # renew a token this long before it expires


@dataclass
class Session:
    api: httpx.AsyncClient
    username: str
    password: str = "demo"  # noqa: S105 - the demo users' published password
    token: str = ""
    expires_at: float = 0.0  # time.time()
    renewals: int = 0
    _cookie: str = ""
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def sign_in(self) -> None:
        reply = await self.api.post(
            "/api/v1/auth/token", data={"username": self.username, "password": self.password}
        )
        reply.raise_for_status()
        self._take(reply)

    async def headers(self) -> dict[str, str]:
        """The bearer header, renewed first when the token is about to run out."""
        if time.time() > self.expires_at - RENEW_BEFORE_S:
            await self.renew(self.token)
        return {"Authorization": f"Bearer {self.token}"}

    async def renew(self, stale: str) -> None:
        """A new token unless another caller already replaced `stale` with one."""
        async with self._lock:
            if self.token != stale:
                return
            reply = await self.api.post(
                "/api/v1/auth/refresh",
                headers={"X-CSRF": "1", "Cookie": f"{REFRESH_COOKIE}={self._cookie}"},
            )
            if reply.status_code == 401:  # the session ended (or was pruned): sign in again
                await self.sign_in()
            else:
                reply.raise_for_status()
                self._take(reply)
            self.renewals += 1

    def _take(self, reply: httpx.Response) -> None:
        self.token = reply.json()["access_token"]
        claims = jwt.decode(self.token, options={"verify_signature": False})
        self.expires_at = float(claims["exp"])
        for header in reply.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            if name.strip() == REFRESH_COOKIE:
                self._cookie = rest.split(";", 1)[0]
