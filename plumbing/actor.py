"""The caller as the gateway vouches for it, read from request headers.

Services accept requests only from the gateway (network policy in Kubernetes); the gateway
authenticates the user and passes who they are in these headers.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header

from contracts.envelope import Actor
from plumbing.errors import DomainError


async def actor_from_headers(  # async: no worker thread (plumbing/state.py)
    x_actor_id: Annotated[str | None, Header()] = None,
    x_actor_username: Annotated[str | None, Header()] = None,
    x_actor_role: Annotated[str | None, Header()] = None,
) -> Actor:
    if not x_actor_id or not x_actor_role:
        raise DomainError("missing actor headers", code="unauthenticated", status=401)
    return Actor(kind="user", id=x_actor_id, username=x_actor_username, role=x_actor_role)


CurrentActor = Annotated[Actor, Depends(actor_from_headers)]
