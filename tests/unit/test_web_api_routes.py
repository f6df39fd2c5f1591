"""The routes the office web app added: what each needs, its operation id, and what the
gateway asks projections for each role (a field role's and production's limits always)."""

from __future__ import annotations

import secrets
import uuid
from typing import get_args

import pytest

from contracts.api.board import BOARD, BOARD_CARD
from contracts.roles import ROLES
from gateway.bootstrap import Settings, build
from gateway.domain.users import User
from gateway.entrypoints.capability_doc import route_capabilities
from gateway.entrypoints.orders import BoardQuery

NEW_ROUTES = {
    ("GET", "/api/v1/board/cards/{order_id}"): ("orders.see", "board_card"),  # not admin
    ("GET", "/api/v1/customers"): ("orders.create", "find_customers"),
    ("GET", "/api/v1/crew/calendar"): ("visits.book", "crew_calendar"),
    # Counts only, for the pipeline's preview: whoever publishes, admin too.
    ("GET", "/api/v1/pipeline/open-orders"): ("pipeline.edit", "pipeline_open_orders"),
}


def test_each_new_route_needs_what_it_should_and_has_a_short_operation_id() -> None:
    app = build(Settings(jwt_secret=secrets.token_urlsafe(48)))
    found = {
        (method, path): (declared, route.operation_id)
        for methods, path, route, declared in route_capabilities(app)
        for method in methods
        if (method, path) in NEW_ROUTES
    }
    assert found == {key: ([cap], op) for key, (cap, op) in NEW_ROUTES.items()}


def _user(role: str) -> User:
    return User(uuid.uuid4(), role, role, role, active=True, password_hash="")


@pytest.mark.parametrize("role", ROLES)
def test_the_board_and_a_card_ask_within_what_the_role_may_see(role: str) -> None:
    user = _user(role)
    params = BoardQuery(mine=True, overdue=True).params(user)
    assert params["mine"] == str(user.id)
    assert params["overdue"] == "true"
    if role in ("measurer", "installer", "delivery"):
        assert params["visible_to"] == str(user.id)
    else:
        assert "visible_to" not in params
    assert ("production_view" in params) == (role == "production")


def test_filters_not_asked_for_are_not_passed() -> None:
    params = BoardQuery(q="", manager=None).params(_user("manager"))
    assert params == {"lang": "ru"}


@pytest.mark.parametrize("audience", ["commercial", "production", "field", "administration"])
def test_one_card_is_the_model_of_a_card_on_the_board(audience: str) -> None:
    board, card = getattr(BOARD, audience), getattr(BOARD_CARD, audience)
    (column,) = get_args(board.model_fields["columns"].annotation)
    assert get_args(column.model_fields["cards"].annotation) == (card,)
