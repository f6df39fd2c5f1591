"""Nobody administers users but an active admin, through the API: an admin may not lock
themselves out, and no change may leave no active admin (gateway/domain/users.py)."""

from __future__ import annotations

from uuid import uuid4

import pytest

from gateway.domain.users import (
    ADMINISTRATOR_ROLES,
    AccessChangeRefused,
    User,
    check_access_change,
)


def user(role: str, *, active: bool = True, username: str = "someone") -> User:
    return User(uuid4(), username, username.title(), role, active, "hash")


ME = user("admin", username="admin")


def refusal(
    target: User, role: str | None = None, active: bool | None = None, administrators: int = 2
) -> str | None:
    try:
        check_access_change(ME.id, target, role, active, administrators)
    except AccessChangeRefused as refused:
        return refused.code
    return None


def test_only_the_admin_role_administers() -> None:
    assert sorted(ADMINISTRATOR_ROLES) == ["admin"]


@pytest.mark.parametrize(
    ("role", "active"),
    [(None, False), ("manager", None), ("director", True), ("admin", False)],
)
def test_an_admin_may_not_deactivate_or_demote_themselves(
    role: str | None, active: bool | None
) -> None:
    # However many other admins there are: another admin does it, or nobody.
    assert refusal(ME, role, active, administrators=5) == "cannot_change_own_access"


@pytest.mark.parametrize(("role", "active"), [(None, None), ("admin", None), ("admin", True)])
def test_an_admin_may_change_their_own_name_or_password_or_restate_their_access(
    role: str | None, active: bool | None
) -> None:
    assert refusal(ME, role, active, administrators=1) is None


def test_the_message_says_to_ask_another_admin() -> None:
    with pytest.raises(AccessChangeRefused, match="ask another admin"):
        check_access_change(ME.id, ME, None, False, 2)


@pytest.mark.parametrize(("role", "active"), [(None, False), ("manager", None)])
def test_another_admin_may_be_deactivated_or_demoted_while_one_remains(
    role: str | None, active: bool | None
) -> None:
    assert refusal(user("admin"), role, active, administrators=2) is None


@pytest.mark.parametrize(("role", "active"), [(None, False), ("installer", None)])
def test_the_last_active_admin_stays_one(role: str | None, active: bool | None) -> None:
    # Reached by another admin whose own access went in the meantime (two admins demoting
    # each other at once): the count is taken inside the change's transaction.
    last = user("admin", username="olga")
    with pytest.raises(AccessChangeRefused, match="olga is the last active admin") as refused:
        check_access_change(ME.id, last, role, active, 1)
    assert refused.value.code == "last_admin"


def test_users_who_administer_nothing_change_freely_beside_the_last_admin() -> None:
    assert refusal(user("manager"), None, False, administrators=1) is None
    assert refusal(user("manager"), "admin", None, administrators=1) is None
    # An inactive admin is no administrator now: neither change removes one.
    assert refusal(user("admin", active=False), None, False, administrators=1) is None
    assert refusal(user("admin", active=False), "manager", None, administrators=1) is None
