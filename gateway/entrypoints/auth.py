"""Login, the caller's profile, and user administration (admin)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from contracts.api.errors import errors
from contracts.api.users import ME, USER, USERS, Me, NewUser, Token, UserChanges, UserOut
from contracts.envelope import Actor
from gateway.adapters.users_repo import UsernameTaken
from gateway.application.tokens import TokenClaims, hash_password, verify_password
from gateway.domain.users import AccessChangeRefused, User, check_access_change
from gateway.entrypoints.deps import PUBLIC, Needs, SignedIn, TokensDep, Unauthenticated, Users
from gateway.entrypoints.typed import GuardedRoute, shown
from plumbing.errors import Conflict, DomainError, NotFound

router = APIRouter(prefix="/api/v1", route_class=GuardedRoute)

FAILURE_WINDOW_S = 15 * 60
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_ADDRESS = 20


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"


@router.post(
    "/auth/token", dependencies=[PUBLIC], response_model=Token, responses=errors(401, 422, 429)
)
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


@router.get("/me", response_model=Me, responses=errors(401))
async def me(user: SignedIn) -> Response:
    return shown(user.public(), ME, user)


Admin = Annotated[User, Depends(Needs("users.admin"))]


def _actor(user: User) -> Actor:
    return Actor(kind="user", id=str(user.id), username=user.username, role=user.role)


@router.get("/users", response_model=list[UserOut], responses=errors(401, 403))
async def list_users(admin: Admin, users: Users) -> Response:
    return shown([u.public() for u in await users.all()], USERS, admin)


@router.post(
    "/users", status_code=201, response_model=UserOut, responses=errors(401, 403, 409, 413, 422)
)
async def create_user(body: NewUser, admin: Admin, users: Users) -> Response:
    try:
        user = await users.create(
            body.username, body.display_name, body.role, hash_password(body.password), _actor(admin)
        )
    except UsernameTaken:
        raise Conflict(f"username {body.username!r} is taken", code="username_taken") from None
    return shown(user.public(), USER, admin, 201)


@router.patch(
    "/users/{user_id}", response_model=UserOut, responses=errors(401, 403, 404, 409, 413, 422)
)
async def update_user(user_id: UUID, body: UserChanges, admin: Admin, users: Users) -> Response:
    changes = body.model_dump(exclude_none=True, exclude={"password"})
    if body.password is not None:
        changes["password_hash"] = hash_password(body.password)

    def keeps_an_admin(before: User, administrators: int) -> None:
        check_access_change(admin.id, before, body.role, body.active, administrators)

    try:
        user = await users.update(user_id, changes, _actor(admin), keeps_an_admin)
    except AccessChangeRefused as refused:
        # 409: the request is valid, the users as they are now forbid it (API.md: conflict).
        raise Conflict(refused.message, code=refused.code) from None
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return shown(user.public(), USER, admin)
