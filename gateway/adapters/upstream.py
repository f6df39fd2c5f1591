"""Calls from the gateway to the services (httpx), with the actor and correlation id attached.

Service errors already have the API's shape and pass through; anything else becomes a clean
502/503 so a client never sees a stack trace or a bare 500 from a neighbour.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from plumbing import correlation
from plumbing.actor import signing_hook
from plumbing.app import CheckFailed
from plumbing.errors import DomainError


@dataclass(frozen=True)
class Caller:
    id: str
    username: str
    role: str

    def headers(self) -> dict[str, str]:
        """Plain, for the client's signing hook to turn into the signed token."""
        return {"X-Actor-Id": self.id, "X-Actor-Username": self.username, "X-Actor-Role": self.role}


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any
    raw: bytes | None = None  # the answer's bytes as the service sent them (JSON)


# Reused connections are dropped before the services' keep-alive timeout would close them
# (plumbing.serve: KEEP_ALIVE_S): the other way round, a request sent on a connection the
# service is closing at that moment fails with "server disconnected" — a spurious 503. Long
# enough to bridge the gaps of an ordinary office load: a connection closed after 4 s idle was
# opened again moments later (a TCP handshake on the request path, and a connection count
# that followed every lull — the soak read it as a 13 % drift).
KEEPALIVE_EXPIRY_S = 15.0
# Per service. A bulkhead: a service that stops answering ties up only its own connections,
# so its neighbours' calls and the readiness probes go on (one shared pool let a paused
# scheduling service time out the whole gateway).
CONNECTIONS_PER_SERVICE = 64


class Upstreams:
    def __init__(
        self,
        urls: dict[str, str],
        internal_key: str,
        timeout_s: float = 15.0,
        transport: httpx.AsyncBaseTransport | None = None,  # tests: httpx.MockTransport
    ) -> None:
        self.urls = urls
        self.clients = {
            service: httpx.AsyncClient(
                timeout=timeout_s,
                limits=httpx.Limits(
                    max_connections=CONNECTIONS_PER_SERVICE,
                    max_keepalive_connections=CONNECTIONS_PER_SERVICE // 4,
                    keepalive_expiry=KEEPALIVE_EXPIRY_S,
                ),
                transport=transport,
                # Each call carries its caller as a token for that very request.
                event_hooks={"request": [signing_hook(internal_key, service)]},
            )
            for service in urls
        }
        # Probes get their own pool: a busy service's full pool must not make it look dead.
        self.probes = httpx.AsyncClient(
            timeout=2, limits=httpx.Limits(keepalive_expiry=KEEPALIVE_EXPIRY_S), transport=transport
        )

    def checker(self, service: str) -> Callable[[], Awaitable[None]]:
        """A readiness check: the service answers its liveness probe."""

        async def check() -> None:
            # The reasons are public (/readyz): never the exception text, which names the
            # service's address; plumbing.app logs the failure.
            try:
                reply = await self.probes.get(self.urls[service] + "/healthz")
            except httpx.TimeoutException:
                raise CheckFailed("timed out") from None
            except httpx.HTTPError:
                raise CheckFailed("unreachable") from None
            if reply.status_code != 200:
                raise CheckFailed(f"answered {reply.status_code}")

        return check

    async def read_side(self) -> dict[str, object]:
        """For the readiness body: each service's consumer groups and whether they have read
        their logs to the end. `catching_up` while any has not: what a service answers from
        its read models may still be behind (right after a start, or a broker that lost its
        data). A service that does not answer is left out: its check says so."""

        async def consumers(service: str) -> tuple[str, Any]:
            try:
                reply = await self.probes.get(self.urls[service] + "/readyz")
                return service, reply.json().get("consumers")
            except (httpx.HTTPError, ValueError, AttributeError):
                return service, None

        answers = await asyncio.gather(*(consumers(s) for s in self.urls))
        groups = {service: found for service, found in answers if isinstance(found, dict)}
        behind = [
            service
            for service, found in groups.items()
            if any(not (isinstance(g, dict) and g.get("caught_up")) for g in found.values())
        ]
        return {"catching_up": bool(behind), "read_side": groups}

    async def close(self) -> None:
        for client in (*self.clients.values(), self.probes):
            await client.aclose()

    async def call(
        self,
        service: str,
        method: str,
        path: str,
        caller: Caller | None,
        *,
        json: Any = None,
        params: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        sent = {correlation.HEADER: correlation.get_or_new(), **(headers or {})}
        if caller is not None:
            sent.update(caller.headers())
        try:
            response = await self.clients[service].request(
                method, self.urls[service] + path, json=json, params=params, headers=sent
            )
        except httpx.HTTPError as exc:
            # A restarted service is back in seconds (the fault run's recoveries: 2-4 s).
            raise DomainError(
                f"{service} service unavailable",
                code="upstream_unavailable",
                status=503,
                retry_after=2,
            ) from exc
        try:
            body = response.json()
        except ValueError:
            body = None
        refusal = isinstance(body, dict) and "detail" in body and "code" in body
        # A 503 in the API's shape is a service saying "busy, retry" (media_busy): passed on,
        # with its retry_after, so the client retries instead of reporting a failure. Any
        # other 5xx is a fault whose text stays here.
        if response.status_code >= 500 and not (response.status_code == 503 and refusal):
            raise DomainError(f"{service} service failed", code="upstream_error", status=502)
        if response.status_code >= 400:
            if isinstance(body, dict) and "detail" in body:
                raise DomainError(
                    str(body["detail"]),
                    code=str(body.get("code", "error")),
                    status=response.status_code,
                    **{k: v for k, v in body.items() if k not in ("detail", "code")},
                )
            raise DomainError("request refused", code="error", status=response.status_code)
        return Reply(response.status_code, body, response.content)
