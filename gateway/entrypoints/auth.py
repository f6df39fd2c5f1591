"""The caller's profile, and user administration (admin). Signing in and out:
gateway/entrypoints/sessions.py."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response

from contracts.api.errors import errors
from contracts.api.users import ME, USER, USERS, Me, NewUser, UserChanges, UserOut
from contracts.envelope import Actor
from gateway.adapters.users_repo import UsernameTaken
from gateway.application.password_policy import check_new_password
from gateway.application.tokens import hash_password
from gateway.domain.users import AccessChangeRefused, User, check_access_change
from gateway.entrypoints.deps import Needs, SignedIn, Users
from gateway.entrypoints.typed import GuardedRoute, shown
from plumbing.errors import Conflict, NotFound

router = APIRouter(prefix="/api/v1", route_class=GuardedRoute)


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
    check_new_password(body.password, [body.username, body.display_name])
    try:
        user = await users.create(
            body.username,
            body.display_name,
            body.role,
            hash_password(body.password),
            _actor(admin),
            body.email,
        )
    except UsernameTaken:
        raise Conflict(f"username {body.username!r} is taken", code="username_taken") from None
    return shown(user.public(), USER, admin, 201)


@router.patch(
    "/users/{user_id}", response_model=UserOut, responses=errors(401, 403, 404, 409, 413, 422)
)
async def update_user(
    user_id: UUID, body: UserChanges, admin: Admin, users: Users, request: Request
) -> Response:
    """A new password, a deactivation or a role change ends every session of the user at
    once; an admin setting their own password stays signed in on this device only."""
    changes = body.model_dump(exclude_none=True, exclude={"password"})
    if body.password is not None:
        target = await users.by_id(user_id)
        known = [target.username, target.display_name] if target else []
        check_new_password(body.password, [*known, body.display_name or ""])
        changes["password_hash"] = hash_password(body.password)

    def keeps_an_admin(before: User, administrators: int) -> None:
        check_access_change(admin.id, before, body.role, body.active, administrators)

    own = user_id == admin.id
    try:
        user = await users.update(
            user_id,
            changes,
            _actor(admin),
            keeps_an_admin,
            keep_session=request.state.session_id if own else None,
        )
    except AccessChangeRefused as refused:
        # 409: the request is valid, the users as they are now forbid it (API.md: conflict).
        raise Conflict(refused.message, code=refused.code) from None
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return shown(user.public(), USER, admin)
