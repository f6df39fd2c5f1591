"""Signing in and out (API.md, Health and auth): POST /api/v1/auth/token, /auth/refresh,
/auth/logout (`?everywhere=true`: every device of the user).

The refresh token travels only in a cookie: httpOnly (no script reads it), SameSite=Strict
(no other site's page sends it), Path=/api/v1/auth (only these routes see it) and Secure
(AUTH_COOKIE_SECURE; browsers also send Secure cookies to http://localhost). Without "remember
me" it has no Max-Age and dies with the browser. Refresh and logout also require the header
`X-CSRF` (any value): a cross-site form cannot set a header, and a cross-site script cannot
either without a CORS preflight, which the gateway never allows.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordRequestForm

from contracts.api.errors import errors
from contracts.api.users import SignedOut, Token
from gateway.application.sign_in import Issued, Unauthenticated, seconds_until
from gateway.domain.client_address import Network, client_address
from gateway.entrypoints.deps import PUBLIC, SignInDep, TokensDep, oauth2
from gateway.entrypoints.typed import GuardedRoute
from plumbing.app import error_body
from plumbing.errors import DomainError, Forbidden
from plumbing.state import from_state

router = APIRouter(prefix="/api/v1", route_class=GuardedRoute)

REFRESH_COOKIE = "oms_refresh"
COOKIE_PATH = "/api/v1/auth"
CSRF_HEADER = "X-CSRF"


@dataclass(frozen=True)
class AuthWeb:
    """How the routes meet the network: the cookie's Secure flag, and the proxies whose
    X-Forwarded-For is believed."""

    cookie_secure: bool
    trusted_proxies: tuple[Network, ...]


AuthWebDep = Annotated[AuthWeb, Depends(from_state("auth_web", AuthWeb))]


def _token_body(issued: Issued) -> dict[str, object]:
    return {
        "access_token": issued.access_token,
        "token_type": "bearer",
        "expires_in": issued.expires_in,
    }


def _set_refresh_cookie(response: Response, issued: Issued, web: AuthWeb) -> None:
    if issued.refresh_token is None:
        return  # a parallel refresh: the winner's response set the cookie
    max_age = None
    if issued.session.remember:
        max_age = seconds_until(issued.session.expires_at, datetime.now(UTC))
    response.set_cookie(
        REFRESH_COOKIE,
        issued.refresh_token,
        max_age=max_age,
        path=COOKIE_PATH,
        secure=web.cookie_secure,
        httponly=True,
        samesite="strict",
    )


def _clear_refresh_cookie(response: Response, web: AuthWeb) -> None:
    response.delete_cookie(
        REFRESH_COOKIE, path=COOKIE_PATH, secure=web.cookie_secure, httponly=True, samesite="strict"
    )


def _require_csrf_header(request: Request) -> None:
    if not request.headers.get(CSRF_HEADER):
        raise Forbidden(
            f"this route needs the header {CSRF_HEADER}: 1 (a cross-site form cannot send it)",
            code="csrf_header_missing",
        )


@router.post(
    "/auth/token", dependencies=[PUBLIC], response_model=Token, responses=errors(401, 422, 429)
)
async def token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    sign_in: SignInDep,
    web: AuthWebDep,
    remember: Annotated[Literal["true", "false"], Form()] = "false",
) -> JSONResponse:
    """A password sign-in: an access token for minutes and, in a cookie, the refresh token
    of a new session; `remember=true` keeps the cookie past the browser's end."""
    address = client_address(
        request.client.host if request.client else None,
        request.headers.getlist("x-forwarded-for"),
        web.trusted_proxies,
    )
    issued = await sign_in.with_password(
        form.username, form.password, address, remember=remember == "true"
    )
    response = JSONResponse(_token_body(issued))
    _set_refresh_cookie(response, issued, web)
    return response


def _ended(response_error: DomainError, web: AuthWeb) -> JSONResponse:
    """A refusal that also drops the cookie: it admits nobody any more."""
    response = JSONResponse(
        error_body(response_error.code, response_error.message), status_code=response_error.status
    )
    _clear_refresh_cookie(response, web)
    return response


@router.post(
    "/auth/refresh", dependencies=[PUBLIC], response_model=Token, responses=errors(401, 403)
)
async def refresh(request: Request, sign_in: SignInDep, web: AuthWebDep) -> JSONResponse:
    """A new access token for the session of the refresh cookie, and the cookie's next token
    (each is good once; one shown again ends the session)."""
    _require_csrf_header(request)
    presented = request.cookies.get(REFRESH_COOKIE)
    if not presented:
        raise Unauthenticated("no session to refresh; sign in", code="session_ended")
    try:
        issued = await sign_in.refresh(presented)
    except Unauthenticated as refused:
        return _ended(refused, web)
    response = JSONResponse(_token_body(issued))
    _set_refresh_cookie(response, issued, web)
    return response


@router.post(
    "/auth/logout", dependencies=[PUBLIC], response_model=SignedOut, responses=errors(401, 403, 422)
)
async def logout(
    request: Request,
    sign_in: SignInDep,
    tokens: TokensDep,
    web: AuthWebDep,
    bearer: Annotated[str | None, Depends(oauth2)],
    everywhere: Annotated[Literal["true", "false"], Query()] = "false",
) -> JSONResponse:
    """Ends this device's session (the refresh cookie's, else the bearer token's); with
    `everywhere=true`, every session of the user. Without either there is nothing to end:
    0 ended for this device, 401 for everywhere. The cookie is dropped either way."""
    session_id: uuid.UUID | None = None
    user_id: uuid.UUID | None = None
    presented = request.cookies.get(REFRESH_COOKIE)
    if presented:
        _require_csrf_header(request)
        found = await sign_in.sessions.of_token(presented)
        if found is not None:
            session_id, user_id = found.id, found.user_id
    if session_id is None and bearer:
        claims = tokens.read(bearer)
        if claims is not None:
            holder = await sign_in.session_of(claims)
            if holder is not None:
                session_id, user_id = holder
    ended = 0
    if session_id is None or user_id is None:
        if everywhere == "true":
            return _ended(Unauthenticated("sign in to sign out everywhere"), web)
    else:
        ended = await sign_in.sign_out(session_id, user_id, everywhere=everywhere == "true")
    response = JSONResponse({"sessions_ended": ended})
    _clear_refresh_cookie(response, web)
    return response
