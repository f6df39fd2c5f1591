"""The pure rules of signing in (issue 14): the wait after failed attempts, which address is
the client's, what a presented refresh token means, which user changes end sessions, and what
a new password must be."""

from __future__ import annotations

import ipaddress
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from gateway.application.password_policy import WeakPassword, check_new_password
from gateway.domain.client_address import client_address, parse_networks
from gateway.domain.login_throttle import CAP, Tally, retry_after, wait_after
from gateway.domain.sessions import (
    DEACTIVATED,
    LOGOUT_EVERYWHERE,
    PASSWORD_CHANGED,
    ROLE_CHANGED,
    Lifetimes,
    Refresh,
    deactivated,
    ends_sessions,
    judge_refresh,
    remembered,
)
from gateway.domain.users import User

NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
NOBODY = Tally(0, None)


@pytest.mark.parametrize(
    ("failures", "seconds"),
    [(0, 0), (4, 0), (5, 1), (6, 2), (7, 4), (10, 32), (11, 60), (12, 60), (500, 60)],
)
def test_the_wait_doubles_from_the_fifth_failure_and_stops_at_a_minute(
    failures: int, seconds: int
) -> None:
    assert wait_after(failures) == timedelta(seconds=seconds)
    assert wait_after(failures) <= CAP


def test_an_attempt_is_heard_once_the_wait_since_the_last_checked_failure_is_over() -> None:
    seven = Tally(7, NOW)  # waits 4 s
    assert retry_after(seven, NOBODY, NOW + timedelta(seconds=4)) is None
    assert retry_after(Tally(4, NOW), NOBODY, NOW) is None  # fewer than five: no wait


def test_a_refused_attempt_is_told_the_wait_that_follows_it() -> None:
    # Seven failures wait 4 s; refused, the attempt makes eight, which wait 8 s: it is told
    # what is left of those, so a client that waits that long is heard.
    seven = Tally(7, NOW)
    assert retry_after(seven, NOBODY, NOW + timedelta(seconds=1)) == 7
    assert retry_after(Tally(8, NOW), NOBODY, NOW + timedelta(seconds=1 + 7)) is None
    assert retry_after(Tally(5, NOW), NOBODY, NOW + timedelta(milliseconds=500)) == 2


def test_an_address_waits_from_its_twentieth_failure_whatever_the_usernames() -> None:
    assert retry_after(NOBODY, Tally(19, NOW), NOW) is None
    assert retry_after(NOBODY, Tally(21, NOW), NOW) == 4
    # The longer of the two waits counts.
    assert retry_after(Tally(6, NOW), Tally(25, NOW), NOW) == 60


def test_the_wait_never_exceeds_the_cap_however_many_attempts_were_refused() -> None:
    assert retry_after(Tally(10_000, NOW), NOBODY, NOW + CAP) is None


PROXIES = parse_networks("10.0.0.0/8, 192.168.1.7")


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("203.0.113.9", [], "203.0.113.9"),  # no proxy
        ("203.0.113.9", ["1.2.3.4"], "203.0.113.9"),  # an untrusted peer's header is ignored
        ("127.0.0.1", ["1.2.3.4"], "127.0.0.1"),  # so is a local one's, unless configured
        ("10.1.2.3", ["198.51.100.7"], "198.51.100.7"),  # the ingress reports the client
        ("10.1.2.3", ["6.6.6.6, 198.51.100.7"], "198.51.100.7"),  # the client's own claim: no
        ("10.1.2.3", ["198.51.100.7, 192.168.1.7"], "198.51.100.7"),  # two trusted hops
        ("10.1.2.3", ["6.6.6.6", "198.51.100.7"], "198.51.100.7"),  # two headers, one list
        ("10.1.2.3", ["garbage"], "10.1.2.3"),
        ("10.1.2.3", ["10.9.9.9"], "10.9.9.9"),  # only proxies: the farthest one
        (None, ["1.2.3.4"], "unknown"),
    ],
)
def test_the_client_address_comes_from_forwarded_for_only_through_configured_proxies(
    peer: str | None, forwarded: list[str], client: str
) -> None:
    assert client_address(peer, forwarded, PROXIES) == client


def test_a_bad_proxy_entry_is_named() -> None:
    assert parse_networks("") == ()
    assert parse_networks("::1") == (ipaddress.ip_network("::1"),)
    with pytest.raises(ValueError, match="'ingress'"):
        parse_networks("10.0.0.0/8, ingress")


GRACE = timedelta(seconds=5)


def test_an_unused_token_of_a_live_session_rotates() -> None:
    judged = judge_refresh(used_at=None, session_live=True, now=NOW, grace=GRACE)
    assert judged is Refresh.ROTATE


def test_a_token_shown_again_at_once_is_a_parallel_refresh_later_it_is_theft() -> None:
    used = NOW - timedelta(seconds=2)
    assert judge_refresh(used_at=used, session_live=True, now=NOW, grace=GRACE) is Refresh.GRACE
    late = NOW - timedelta(seconds=6)
    assert judge_refresh(used_at=late, session_live=True, now=NOW, grace=GRACE) is Refresh.REUSED


def test_nothing_refreshes_an_ended_session() -> None:
    for used in (None, NOW):
        assert judge_refresh(used_at=used, session_live=False, now=NOW, grace=GRACE) is Refresh.DEAD


def test_a_remembered_session_slides_but_never_past_its_maximum() -> None:
    life = Lifetimes()
    assert life.expires_at(remember=False, created_at=NOW, now=NOW + timedelta(hours=5)) == (
        NOW + timedelta(hours=12)
    )
    assert life.expires_at(remember=True, created_at=NOW, now=NOW + timedelta(days=1)) == (
        NOW + timedelta(days=31)
    )
    assert life.expires_at(remember=True, created_at=NOW, now=NOW + timedelta(days=80)) == (
        NOW + timedelta(days=90)
    )


USER = User(uuid.uuid4(), "petrov", "Пётр", "installer", True, "hash")


def test_a_password_deactivation_or_role_change_ends_sessions_a_rename_does_not() -> None:
    assert ends_sessions(USER, replace(USER, active=False), password_changed=False) == DEACTIVATED
    assert ends_sessions(USER, replace(USER, role="manager"), password_changed=False) == (
        ROLE_CHANGED
    )
    assert ends_sessions(USER, USER, password_changed=True) == PASSWORD_CHANGED
    assert ends_sessions(USER, replace(USER, display_name="П."), password_changed=False) is None
    reactivated = replace(USER, active=False)
    assert ends_sessions(reactivated, USER, password_changed=False) is None


def test_a_deactivated_user_is_told_apart_from_an_ended_session() -> None:
    inactive = replace(USER, active=False)
    assert deactivated(inactive, None)  # a token still valid, the user switched off
    assert deactivated(inactive, DEACTIVATED)
    assert deactivated(USER, DEACTIVATED)  # reactivated since: that device was still let go
    assert not deactivated(USER, None)
    assert not deactivated(USER, LOGOUT_EVERYWHERE)  # revoked: sign in again, keep the data
    assert not deactivated(USER, PASSWORD_CHANGED)


@pytest.mark.parametrize("role", ["measurer", "installer", "delivery"])
def test_a_field_role_session_is_remembered_without_asking(role: str) -> None:
    assert remembered(role, asked=False)
    assert remembered(role, asked=True)


@pytest.mark.parametrize("role", ["manager", "director", "admin", "production"])
def test_an_office_role_session_is_remembered_only_when_asked(role: str) -> None:
    assert not remembered(role, asked=False)
    assert remembered(role, asked=True)


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("Short-1", "at least 10 characters"),
        ("password123", "too easy to guess"),
        ("qwertyuiop12", "too easy to guess"),
        ("petrov2026x", "too easy to guess"),  # strong enough, but for the username in it
    ],
)
def test_a_short_or_guessable_password_is_refused_saying_why(password: str, why: str) -> None:
    with pytest.raises(WeakPassword, match=why) as refused:
        check_new_password(password, ["petrov", "pyotr", "Пётр Петров"])
    assert refused.value.status == 422
    assert refused.value.code == "weak_password"


@pytest.mark.parametrize(
    "password",
    ["Sturdy-Larch-1987", "correct horse battery staple", "Шкаф-купе, две двери; " * 10],
)
def test_a_long_unguessable_password_is_accepted(password: str) -> None:
    check_new_password(password, ["petrov"])
