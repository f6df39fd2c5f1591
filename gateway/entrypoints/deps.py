"""FastAPI dependencies: the authenticated user and role checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated
from uuid import UUID

from fastapi import Depends
from fastapi.security import OAuth2PasswordBearer

from gateway.adapters.upstream import Caller, Upstreams
from gateway.adapters.users_repo import UsersRepo
from gateway.application.tokens import Tokens
from gateway.domain.users import User
from plumbing.errors import DomainError, Forbidden
from plumbing.state import from_state

oauth2 = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"


Users = Annotated[UsersRepo, Depends(from_state("users", UsersRepo))]
TokensDep = Annotated[Tokens, Depends(from_state("tokens", Tokens))]
UpstreamsDep = Annotated[Upstreams, Depends(from_state("upstreams", Upstreams))]


async def current_user(
    token: Annotated[str | None, Depends(oauth2)], tokens: TokensDep, users: Users
) -> User:
    claims = tokens.read(token) if token else None
    if claims is None:
        raise Unauthenticated("missing, invalid or expired token")
    user = await users.by_id(UUID(claims.user_id))
    if user is None or not user.active:
        raise Unauthenticated("user is not active")
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def caller_of(user: User) -> Caller:
    return Caller(str(user.id), user.username, user.role)


def require(*roles: str) -> Callable[[User], User]:
    def check(user: CurrentUser) -> User:
        if user.role not in roles:
            raise Forbidden(f"role {user.role} may not do this")
        return user

    return check
