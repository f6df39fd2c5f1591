"""Sessions through the running gateway (issue 14, item 1): a sign-in gives an access token of
minutes and a refresh cookie; a refresh rotates it and a reused one ends the session; logout
ends this device's session or every one; a password reset, a deactivation and a role change
refuse the tokens already handed out at once, and the refresh too.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import NEW_PASSWORD, login
from tests.e2e.test_security_pushes import STREAM, frames, read_until

TOKEN = "/api/v1/auth/token"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
COOKIE = "oms_refresh"
GRACE_S = 5  # the stack's REFRESH_REUSE_GRACE_S (the default)


@dataclass
class Device:
    """One browser's sign-in: its bearer header and its refresh cookie."""

    headers: dict[str, str]
    cookie: str


def refresh_cookie(reply: httpx.Response) -> SimpleCookie | None:
    for value in reply.headers.get_list("set-cookie"):
        jar: SimpleCookie = SimpleCookie()
        jar.load(value)
        if COOKIE in jar:
            return jar
    return None


async def sign_in(
    api: httpx.AsyncClient, username: str, password: str = "demo", *, remember: bool = False
) -> tuple[Device, httpx.Response]:
    form = {"username": username, "password": password, "remember": str(remember).lower()}
    reply = await api.post(TOKEN, data=form)
    assert reply.status_code == 200, reply.text
    jar = refresh_cookie(reply)
    assert jar is not None, reply.headers
    bearer = {"Authorization": f"Bearer {reply.json()['access_token']}"}
    return Device(bearer, jar[COOKIE].value), reply


def with_cookie(cookie: str, csrf: bool = True) -> dict[str, str]:
    headers = {"Cookie": f"{COOKIE}={cookie}"}
    if csrf:
        headers["X-CSRF"] = "1"
    return headers


async def refresh(api: httpx.AsyncClient, device: Device) -> httpx.Response:
    """A refresh as the web app does it; on success the device holds the new pair."""
    reply = await api.post(REFRESH, headers=with_cookie(device.cookie))
    if reply.status_code == 200:
        device.headers = {"Authorization": f"Bearer {reply.json()['access_token']}"}
        jar = refresh_cookie(reply)
        if jar is not None:
            device.cookie = jar[COOKIE].value
    return reply


async def me(api: httpx.AsyncClient, headers: dict[str, str]) -> int:
    return (await api.get("/api/v1/me", headers=headers)).status_code


async def new_user(api: httpx.AsyncClient, role: str = "installer") -> tuple[str, str]:
    admin = await login(api, "admin")
    username = f"sess-{uuid.uuid4().hex[:8]}"
    body = {"username": username, "display_name": username, "role": role, "password": NEW_PASSWORD}
    created = await api.post("/api/v1/users", headers=admin, json=body)
    assert created.status_code == 201, created.text
    return str(created.json()["id"]), username


async def test_a_sign_in_gives_minutes_and_a_strict_http_only_cookie_for_the_auth_routes(
    api: httpx.AsyncClient,
) -> None:
    _, reply = await sign_in(api, "manager")
    body = reply.json()
    assert body["token_type"] == "bearer"
    assert 60 <= body["expires_in"] <= 3600  # minutes, not the 12 hours of before
    jar = refresh_cookie(reply)
    assert jar is not None
    cookie = jar[COOKIE]
    assert cookie["httponly"] is True
    assert cookie["secure"] is True
    assert cookie["samesite"].lower() == "strict"
    assert cookie["path"] == "/api/v1/auth"
    assert not cookie["max-age"]  # no "remember me": gone with the browser
    assert cookie.value not in reply.text

    _, remembered = await sign_in(api, "manager", remember=True)
    kept = refresh_cookie(remembered)
    assert kept is not None
    assert int(kept[COOKIE]["max-age"]) > 7 * 24 * 3600  # outlives the browser


async def test_a_refresh_rotates_and_a_reused_token_ends_the_whole_session(
    api: httpx.AsyncClient,
) -> None:
    device, _ = await sign_in(api, "measurer")
    first_access, first_cookie = device.headers, device.cookie

    rotated = await refresh(api, device)
    assert rotated.status_code == 200, rotated.text
    assert device.cookie != first_cookie
    assert device.headers != first_access
    assert await me(api, device.headers) == 200
    assert await me(api, first_access) == 200  # the same session, still live

    await asyncio.sleep(GRACE_S + 1)  # past the parallel-refresh grace: this is a replay
    replayed = await api.post(REFRESH, headers=with_cookie(first_cookie))
    assert replayed.status_code == 401
    assert replayed.json()["code"] == "refresh_reused"
    # The whole family is ended: the thief's and the owner's tokens alike, at once.
    assert (await refresh(api, device)).status_code == 401
    assert await me(api, device.headers) == 401
    assert await me(api, first_access) == 401
    # Another session of the same user is untouched.
    other, _ = await sign_in(api, "measurer")
    assert await me(api, other.headers) == 200


async def test_two_refreshes_at_once_with_one_cookie_rotate_once_and_end_nothing(
    api: httpx.AsyncClient,
) -> None:
    """Two tabs of one browser refreshing at the same moment: the row lock lets one rotate;
    the other, within the grace, gets an access token and no new cookie."""
    device, _ = await sign_in(api, "delivery")
    replies = await asyncio.gather(
        *(api.post(REFRESH, headers=with_cookie(device.cookie)) for _ in range(2))
    )
    assert [r.status_code for r in replies] == [200, 200], [r.text for r in replies]
    cookies = [refresh_cookie(r) for r in replies]
    new = [c[COOKIE].value for c in cookies if c is not None]
    assert len(new) == 1  # rotated exactly once
    for reply in replies:
        assert await me(api, {"Authorization": f"Bearer {reply.json()['access_token']}"}) == 200
    device.cookie = new[0]
    assert (await refresh(api, device)).status_code == 200  # the family lives on


async def test_a_refresh_needs_the_csrf_header_and_a_cookie(api: httpx.AsyncClient) -> None:
    device, _ = await sign_in(api, "production")
    forged = await api.post(REFRESH, headers=with_cookie(device.cookie, csrf=False))
    assert forged.status_code == 403
    assert forged.json()["code"] == "csrf_header_missing"
    assert (await api.post(REFRESH, headers={"X-CSRF": "1"})).status_code == 401
    garbage = await api.post(REFRESH, headers=with_cookie("not-a-token"))
    assert garbage.status_code == 401
    assert (await refresh(api, device)).status_code == 200  # the refused ones used nothing


async def test_logout_ends_this_device_and_logout_everywhere_ends_them_all(
    api: httpx.AsyncClient,
) -> None:
    _, username = await new_user(api)
    phone, _ = await sign_in(api, username, NEW_PASSWORD, remember=True)
    office, _ = await sign_in(api, username, NEW_PASSWORD)
    laptop, _ = await sign_in(api, username, NEW_PASSWORD)

    out = await api.post(LOGOUT, headers=with_cookie(office.cookie))
    assert out.status_code == 200, out.text
    assert out.json() == {"sessions_ended": 1}
    dropped = refresh_cookie(out)
    assert dropped is not None
    assert dropped[COOKIE]["max-age"] == "0"
    assert await me(api, office.headers) == 401  # at once, not when the token expires
    assert (await refresh(api, office)).status_code == 401
    assert await me(api, phone.headers) == 200
    assert (await refresh(api, phone)).status_code == 200

    everywhere = await api.post(LOGOUT, params={"everywhere": "true"}, headers=laptop.headers)
    assert everywhere.status_code == 200, everywhere.text
    assert everywhere.json() == {"sessions_ended": 2}
    for device in (phone, laptop):
        assert await me(api, device.headers) == 401
        assert (await refresh(api, device)).status_code == 401
    assert (await api.post(LOGOUT, params={"everywhere": "true"})).status_code == 401
    assert (
        await api.post(LOGOUT, headers=with_cookie(phone.cookie, csrf=False))
    ).status_code == 403


CHANGES: dict[str, dict[str, Any]] = {
    "password reset": {"password": "Quiet-Birch-2044"},
    "deactivation": {"active": False},
    "role change": {"role": "measurer"},
}


@pytest.mark.parametrize("change", CHANGES)
async def test_a_password_reset_deactivation_or_role_change_refuses_old_tokens_at_once(
    api: httpx.AsyncClient, change: str
) -> None:
    user_id, username = await new_user(api)
    device, _ = await sign_in(api, username, NEW_PASSWORD, remember=True)
    other, _ = await sign_in(api, username, NEW_PASSWORD)
    assert await me(api, device.headers) == 200
    admin = await login(api, "admin")

    changed = await api.patch(f"/api/v1/users/{user_id}", headers=admin, json=CHANGES[change])
    assert changed.status_code == 200, changed.text

    for held in (device, other):
        refused = await api.get("/api/v1/me", headers=held.headers)
        assert refused.status_code == 401, refused.text
        assert (await refresh(api, held)).status_code == 401
    if change != "deactivation":
        password = CHANGES[change].get("password", NEW_PASSWORD)
        again, _ = await sign_in(api, username, password)
        assert await me(api, again.headers) == 200


async def test_an_expired_access_token_is_refused_and_the_refresh_continues_the_session(
    api: httpx.AsyncClient, stack: Any
) -> None:
    from tests.e2e.test_security_pushes import short_token  # noqa: PLC0415 - one helper

    device, _ = await sign_in(api, "director")
    expiring = {"Authorization": f"Bearer {short_token(stack, device.headers, seconds=1)}"}
    assert await me(api, expiring) == 200
    await asyncio.sleep(2)
    assert await me(api, expiring) == 401
    assert (await refresh(api, device)).status_code == 200
    assert await me(api, device.headers) == 200


async def test_a_logout_ends_the_live_stream_of_that_session(api: httpx.AsyncClient) -> None:
    _, username = await new_user(api, "manager")
    device, _ = await sign_in(api, username, NEW_PASSWORD)
    async with api.stream("GET", STREAM, headers=device.headers) as reply:
        assert reply.status_code == 200
        stream = frames(reply)
        assert (await anext(stream)).event == "ready"
        out = await api.post(LOGOUT, headers=with_cookie(device.cookie))
        assert out.status_code == 200, out.text
        seen = await read_until(stream, lambda f: f.event == "reauth", timeout_s=10)
        assert seen[-1].data["reason"] == "session_ended"


async def test_a_new_password_must_be_long_and_hard_to_guess(api: httpx.AsyncClient) -> None:
    admin = await login(api, "admin")
    user_id, username = await new_user(api)
    body = {"username": f"weak-{uuid.uuid4().hex[:6]}", "display_name": "W", "role": "installer"}
    for password, says in (("demo", "at least 10"), ("password1234", "too easy to guess")):
        made = await api.post("/api/v1/users", headers=admin, json={**body, "password": password})
        assert made.status_code == 422, made.text
        assert says in made.text
        reset = await api.patch(
            f"/api/v1/users/{user_id}", headers=admin, json={"password": password}
        )
        assert reset.status_code == 422, reset.text
    # Nothing of a refused reset was applied: the old password still works.
    await sign_in(api, username, NEW_PASSWORD)


async def test_a_deactivated_user_is_told_so_apart_from_a_revoked_session(
    api: httpx.AsyncClient,
) -> None:
    """Issue 15: the phone of a deactivated user wipes what it keeps, one whose session was
    merely revoked keeps it; so the two refusals carry different codes, on an API call with a
    still-valid access token and on the refresh (which also drops the cookie)."""
    admin = await login(api, "admin")
    user_id, username = await new_user(api)
    device, _ = await sign_in(api, username, NEW_PASSWORD)
    revoked, _ = await sign_in(api, username, NEW_PASSWORD)
    ended = await api.post(LOGOUT, headers={**with_cookie(revoked.cookie), **revoked.headers})
    assert ended.status_code == 200, ended.text
    refused = await api.get("/api/v1/me", headers=revoked.headers)
    assert (refused.status_code, refused.json()["code"]) == (401, "session_ended")
    assert (await refresh(api, revoked)).json()["code"] == "session_ended"

    off = await api.patch(f"/api/v1/users/{user_id}", headers=admin, json={"active": False})
    assert off.status_code == 200, off.text
    refused = await api.get("/api/v1/me", headers=device.headers)
    assert (refused.status_code, refused.json()["code"]) == (401, "user_deactivated")
    again = await refresh(api, device)
    assert (again.status_code, again.json()["code"]) == (401, "user_deactivated")
    dropped = refresh_cookie(again)
    assert dropped is not None
    assert dropped[COOKIE]["max-age"] == "0"
    # A device whose session had ended before is the deactivated user's too: wiped when it
    # next knocks.
    assert (await refresh(api, revoked)).json()["code"] == "user_deactivated"


async def test_a_field_role_is_remembered_without_asking_an_office_role_is_not(
    api: httpx.AsyncClient,
) -> None:
    """Issue 15: a crew member's phone stays signed in across app restarts (the cookie has a
    Max-Age); a manager who did not ask to be remembered gets a browser-session cookie."""
    _, field = await sign_in(api, "installer")
    kept = refresh_cookie(field)
    assert kept is not None
    assert int(kept[COOKIE]["max-age"]) > 7 * 24 * 3600
    _, office = await sign_in(api, "manager")
    session_only = refresh_cookie(office)
    assert session_only is not None
    assert not session_only[COOKIE]["max-age"]
