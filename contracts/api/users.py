"""Sign-in, the caller's profile and user administration (API.md, Health and auth)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictBool

from contracts.api.audience import Shown, Views
from contracts.api.common import Id, Input
from contracts.mentions import USERNAME
from contracts.roles import Role


class Token(Shown):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 (the OAuth2 token type)
    # Seconds the access token lives (RFC 6749 §5.1); refresh before then (POST /auth/refresh).
    expires_in: int


class SignedOut(Shown):
    """POST /auth/logout: how many sessions it ended (0: there was none to end)."""

    sessions_ended: int


class Me(Shown):
    id: Id
    username: str
    display_name: str
    role: Role


class UserOut(Me):
    active: bool
    email: str | None = None


# A plain shape check, not deliverability: the SMTP server is the judge of that, and a
# refused address parks its deliveries where an admin sees them.
EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$"


ME = Views.of(Me)
USER = Views.of(UserOut)
USERS = Views.of(list[UserOut])


class NewUser(Input):
    username: str = Field(min_length=2, max_length=64, pattern=rf"^{USERNAME}$")
    display_name: str = Field(min_length=1, max_length=200)
    role: Role
    # At least 10 characters and a zxcvbn score of 3 (gateway/application/password_policy.py).
    password: str = Field(min_length=10, max_length=200)
    email: str | None = Field(default=None, max_length=254, pattern=EMAIL_PATTERN)


class UserChanges(Input):
    display_name: str | None = Field(default=None, min_length=1, max_length=200)
    role: Role | None = None
    active: StrictBool | None = None
    password: str | None = Field(default=None, min_length=10, max_length=200)
    email: str | None = Field(default=None, max_length=254, pattern=EMAIL_PATTERN)
