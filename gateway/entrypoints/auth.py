"""Login, the caller's profile, and user administration (admin)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, ConfigDict, Field

from contracts.envelope import Actor
from contracts.mentions import USERNAME
from gateway.adapters.users_repo import UsernameTaken
from gateway.application.tokens import TokenClaims, hash_password, verify_password
from gateway.domain.users import User, valid_role
from gateway.entrypoints.deps import PUBLIC, Needs, SignedIn, TokensDep, Unauthenticated, Users
from plumbing.errors import Conflict, DomainError, Invalid, NotFound

router = APIRouter(prefix="/api/v1")

FAILURE_WINDOW_S = 15 * 60
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 20


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"


@router.post("/auth/token", dependencies=[PUBLIC])
async def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    users: Users,
    tokens: TokensDep,
) -> dict[str, str]:
    address = request.client.host if request.client else "unknown"
    by_user, by_addr = await users.recent_failures(form.username, address, FAILURE_WINDOW_S)
    if by_user >= MAX_FAILURES_PER_USER or by_addr >= MAX_FAILURES_PER_ADDRESS:
        raise TooManyAttempts("too many failed login attempts; try again in 15 minutes")
    user = await users.by_username(form.username)
    if user is None or not user.active or not verify_password(user.password_hash, form.password):
        # Only failures count toward the limit; successful logins are never counted.
        await users.record_failure(form.username, address)
        raise Unauthenticated("wrong username or password")
    access = tokens.issue(TokenClaims(str(user.id), user.username, user.role))
    return {"access_token": access, "token_type": "bearer"}


@router.get("/me")
async def me(user: SignedIn) -> dict[str, object]:
    return {k: v for k, v in user.public().items() if k != "active"}


class NewUser(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=2, max_length=64, pattern=rf"^{USERNAME}$")
    display_name: str = Field(min_length=1, max_length=200)
    role: str
    password: str = Field(min_length=4, max_length=200)


class UserChanges(BaseModel):
    model_config = ConfigDict(extra="forbid")
    display_name: str | None = Field(default=None, min_length=1, max_length=200)
    role: str | None = None
    active: bool | None = None
    password: str | None = Field(default=None, min_length=4, max_length=200)


Admin = Annotated[User, Depends(Needs("users.admin"))]


def _actor(user: User) -> Actor:
    return Actor(kind="user", id=str(user.id), username=user.username, role=user.role)


@router.get("/users")
async def list_users(_: Admin, users: Users) -> list[dict[str, object]]:
    return [u.public() for u in await users.all()]


@router.post("/users", status_code=201)
async def create_user(body: NewUser, admin: Admin, users: Users) -> dict[str, object]:
    if not valid_role(body.role):
        raise Invalid(f"role: unknown role {body.role!r}", code="unknown_role")
    try:
        user = await users.create(
            body.username, body.display_name, body.role, hash_password(body.password), _actor(admin)
        )
    except UsernameTaken:
        raise Conflict(f"username {body.username!r} is taken", code="username_taken") from None
    return user.public()


@router.patch("/users/{user_id}")
async def update_user(
    user_id: UUID, body: UserChanges, admin: Admin, users: Users
) -> dict[str, object]:
    if body.role is not None and not valid_role(body.role):
        raise Invalid(f"role: unknown role {body.role!r}", code="unknown_role")
    changes = body.model_dump(exclude_none=True, exclude={"password"})
    if body.password is not None:
        changes["password_hash"] = hash_password(body.password)
    user = await users.update(user_id, changes, _actor(admin))
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user.public()
