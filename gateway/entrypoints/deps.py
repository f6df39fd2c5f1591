"""FastAPI dependencies: the authenticated user, and each route's capability.

Every route declares the one capability it needs (contracts/roles.py) through a dependency:
`Annotated[User, Depends(Needs("deal.write"))]` checks it and hands the route its user,
`dependencies=[PUBLIC]` marks a route anyone may call. The dependency is the declaration, so
what is enforced is what `declared_capabilities` reads from the app's routes, and a unit test
fails for any route that declares none (tests/unit/test_route_capabilities.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal
from uuid import UUID

from fastapi import Depends, Request
from fastapi.dependencies.models import Dependant
from fastapi.security import OAuth2PasswordBearer

from contracts.roles import Capability, may
from gateway.adapters.upstream import Caller, Upstreams
from gateway.adapters.users_repo import UsersRepo
from gateway.application.access import require_order_access
from gateway.application.sign_in import SignIn, Unauthenticated, UserDeactivated
from gateway.application.tokens import Tokens
from gateway.domain.sessions import deactivated
from gateway.domain.users import User
from plumbing.errors import Forbidden
from plumbing.state import from_state

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


Users = Annotated[UsersRepo, Depends(from_state("users", UsersRepo))]
TokensDep = Annotated[Tokens, Depends(from_state("tokens", Tokens))]
UpstreamsDep = Annotated[Upstreams, Depends(from_state("upstreams", Upstreams))]
SignInDep = Annotated[SignIn, Depends(from_state("sign_in", SignIn))]

__all__ = ["Unauthenticated"]  # re-exported: routes raise it from here


async def current_user(
    request: Request,
    token: Annotated[str | None, Depends(oauth2)],
    tokens: TokensDep,
    sign_in: SignInDep,
) -> User:
    """The caller, when their token is valid and its session still admits them. One query
    per request (session and user together), so an ended session — a logout, a password
    reset, a deactivation, a role change — refuses its tokens at once, not at their expiry."""
    claims = tokens.read(token) if token else None
    if claims is None:
        raise Unauthenticated("missing, invalid or expired token")
    holder = await sign_in.holder_of(claims)
    if holder is not None and deactivated(holder.user, holder.revoked_reason):
        raise UserDeactivated()  # before "ended": the device must learn why, and wipe
    if holder is None or not holder.live:
        raise Unauthenticated("the session has ended; sign in again", code="session_ended")
    # For a route that must know the session (a user setting their own password keeps it).
    request.state.session_id = UUID(claims.session_id)
    return holder.user


CurrentUser = Annotated[User, Depends(current_user)]


def caller_of(user: User) -> Caller:
    return Caller(str(user.id), user.username, user.role)


@dataclass(frozen=True)
class Needs:
    """The route needs `capability`: 403 for a signed-in role without it, 401 for no one."""

    capability: Capability

    async def __call__(self, user: CurrentUser) -> User:  # async: no worker thread
        if not may(user.role, self.capability):
            raise Forbidden(f"role {user.role} may not do this (needs {self.capability})")
        return user


@dataclass(frozen=True)
class Public:
    """The route needs nothing: login, the web app's files (no token exists yet there)."""

    capability: Literal["public"] = "public"

    async def __call__(self) -> None:
        return None


PUBLIC = Depends(Public())
SignedIn = Annotated[User, Depends(Needs("signed_in"))]


def declared_capabilities(dependant: Dependant) -> list[Capability]:
    """The capabilities a route's dependencies declare (all depths), for the route walk."""
    found: list[Capability] = [
        d.call.capability for d in dependant.dependencies if isinstance(d.call, Needs | Public)
    ]
    for sub in dependant.dependencies:
        found.extend(declared_capabilities(sub))
    return found


async def visible_order(order_id: UUID, user: CurrentUser, upstreams: UpstreamsDep) -> Caller:
    """The caller, once it is known they may see the order (404 otherwise). A dependency, so
    it is decided before the body is validated: an order the caller may not see answers 404
    whatever the body says, as it does for a body that is fine. It declares no capability
    (the route's own dependency does), and runs after it when listed after it."""
    caller = caller_of(user)
    await require_order_access(upstreams, caller, order_id)
    return caller


OrderCaller = Annotated[Caller, Depends(visible_order)]
