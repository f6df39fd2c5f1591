"""The board for the office web app, through the running stack: one card exactly as the board
shows it (a push names the order, the app refreshes that card alone), with the board's access
rules (a field role sees only what is assigned to them, never an amount; production only its
stages), and the `overdue` and `mine` filters, whose counts agree with their cards."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import httpx
from pydantic import TypeAdapter

from contracts.api.board import BOARD_CARD
from contracts.events import scheduling
from deploy.local.stack import Stack
from tests.e2e.conftest import login
from tests.e2e.test_order_lifecycle import publish
from tests.e2e.test_real_services_flow import eventually
from tests.e2e.test_security_sweep import book

DEAL = {
    "amount": "452000.00",
    "decor": "Шпон ореха",
    "finishing": "Матовый лак",
    "extra_work": "Нет",
    "payment_terms": "50/50",
}


def tag() -> str:
    return uuid.uuid4().hex[:8].upper()


async def new_order(api: httpx.AsyncClient, head: dict[str, str], name: str) -> str:
    body = {
        "title": f"Шкаф {name}",
        "customer": {"name": name, "phone": "+7 915 555-77-88", "address": "Москва, Мира, 7"},
    }
    reply = await api.post("/api/v1/orders", headers=head, json=body)
    assert reply.status_code == 201, reply.text
    oid: str = reply.json()["id"]
    return oid


async def board(api: httpx.AsyncClient, head: dict[str, str], **params: Any) -> dict[str, Any]:
    reply = await api.get("/api/v1/board", headers=head, params={"limit": 500, **params})
    assert reply.status_code == 200, reply.text
    body: dict[str, Any] = reply.json()
    # every column's count is of the cards it holds (limit 500 holds them all here)
    assert all(c["count"] == len(c["cards"]) for c in body["columns"]), body
    return body


def cards_of(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {card["id"]: card for col in body["columns"] for card in col["cards"]}


async def card(
    api: httpx.AsyncClient, head: dict[str, str], oid: str, **params: Any
) -> httpx.Response:
    return await api.get(f"/api/v1/board/cards/{oid}", headers=head, params=params)


async def until_on_board(
    api: httpx.AsyncClient, head: dict[str, str], oid: str, **params: Any
) -> dict[str, Any]:
    async def there() -> dict[str, Any] | None:
        return cards_of(await board(api, head, **params)).get(oid)

    found: dict[str, Any] = await eventually(there)
    return found


async def crew_member(api: httpx.AsyncClient, head: dict[str, str], username: str) -> str:
    async def known() -> str | None:
        crew = (await api.get("/api/v1/crew", headers=head)).json()
        return next((c["id"] for c in crew if c["username"] == username), None)

    member: str = await eventually(known)
    return member


async def test_a_card_is_exactly_the_boards_card(api: httpx.AsyncClient) -> None:
    manager = await login(api, "manager")
    name = f"Карточкин {tag()}"
    oid = await new_order(api, manager, name)
    reply = await api.put(f"/api/v1/orders/{oid}/deal", headers=manager, json=DEAL)
    assert reply.status_code == 200, reply.text

    async def with_amount() -> dict[str, Any] | None:
        found = cards_of(await board(api, manager, q=name)).get(oid)
        return found if found and found.get("amount") else None

    on_board = await eventually(with_amount)
    reply = await card(api, manager, oid)
    assert reply.status_code == 200, reply.text
    assert reply.json() == on_board
    assert reply.json()["amount"] == "452000.00"
    TypeAdapter(BOARD_CARD.declared).validate_python(reply.json())
    english = await card(api, manager, oid, lang="en")
    assert (
        english.json()["stage_title"]
        == cards_of(await board(api, manager, q=name, lang="en"))[oid]["stage_title"]
    )


async def test_a_field_role_gets_only_their_orders_card_and_no_amount(
    api: httpx.AsyncClient,
) -> None:
    manager, measurer = await login(api, "manager"), await login(api, "measurer")
    member = await crew_member(api, manager, "measurer")
    theirs = await new_order(api, manager, f"Замеров {tag()}")
    other = await new_order(api, manager, f"Чужов {tag()}")
    for oid in (theirs, other):
        reply = await api.put(f"/api/v1/orders/{oid}/deal", headers=manager, json=DEAL)
        assert reply.status_code == 200, reply.text
    await book(api, manager, theirs, "measurement", member)

    seen = await until_on_board(api, measurer, theirs)
    reply = await card(api, measurer, theirs)
    assert reply.status_code == 200, reply.text
    assert reply.json() == seen
    assert "amount" not in reply.json()
    assert "document_purposes" not in reply.json()
    TypeAdapter(BOARD_CARD.production).validate_python(reply.json())

    hidden = await card(api, measurer, other)
    missing_id = str(uuid.uuid4())
    missing = await card(api, measurer, missing_id)
    assert hidden.status_code == missing.status_code == 404
    # the same answer whether the order exists or not: only the id it names differs
    assert hidden.json() == {"detail": f"order {other} not found", "code": "not_found"}
    assert missing.json() == {"detail": f"order {missing_id} not found", "code": "not_found"}
    assert other not in cards_of(await board(api, measurer))


async def test_production_gets_no_card_before_its_stages(api: httpx.AsyncClient) -> None:
    manager, production = await login(api, "manager"), await login(api, "production")
    oid = await new_order(api, manager, f"Производов {tag()}")
    await until_on_board(api, manager, oid)
    reply = await card(api, production, oid)
    assert reply.status_code == 404, reply.text
    assert reply.json()["code"] == "not_found"


async def test_overdue_shows_only_orders_past_their_stages_limit(
    api: httpx.AsyncClient, stack: Stack
) -> None:
    manager = await login(api, "manager")
    name = f"Просрочкин {tag()}"
    late = await new_order(api, manager, name)
    on_time = await new_order(api, manager, name)
    entered = (await until_on_board(api, manager, late, q=name))["stage_entered_at"]
    await until_on_board(api, manager, on_time, q=name)
    # What scheduling's stage timer publishes when the intake stage's limit has passed.
    event = scheduling.OrderOverdue(
        order_id=uuid.UUID(late),
        stage="intake",
        entered_at=datetime.fromisoformat(entered),
        limit_hours=24,
    )
    await publish(stack, event, f"timer-{late}")

    async def flagged() -> bool:
        return bool(cards_of(await board(api, manager, q=name))[late]["overdue"])

    await eventually(flagged)
    overdue = cards_of(await board(api, manager, q=name, overdue="true"))
    assert set(overdue) == {late}
    assert set(cards_of(await board(api, manager, q=name))) == {late, on_time}
    assert (await card(api, manager, late, overdue="true")).status_code == 200
    left_out = await card(api, manager, on_time, overdue="true")
    assert left_out.status_code == 404
    assert left_out.json()["code"] == "not_found"


async def test_mine_is_what_i_manage_or_what_is_assigned_to_me(api: httpx.AsyncClient) -> None:
    manager, director = await login(api, "manager"), await login(api, "director")
    installer = await login(api, "installer")
    member = await crew_member(api, manager, "installer")
    name = f"Мойкин {tag()}"
    managed = await new_order(api, manager, name)  # a manager's order is theirs to manage
    directors = await new_order(api, director, name)  # a director's order has no manager
    assigned = await new_order(api, director, name)
    await book(api, manager, assigned, "installation", member)
    await until_on_board(api, installer, assigned)
    await until_on_board(api, manager, directors, q=name)

    assert set(cards_of(await board(api, manager, q=name, mine="true"))) == {managed}
    assert set(cards_of(await board(api, director, q=name, mine="true"))) == set()
    assert set(cards_of(await board(api, installer, q=name, mine="true"))) == {assigned}
    assert set(cards_of(await board(api, director, q=name))) == {managed, directors, assigned}
    assert (await card(api, manager, managed, mine="true")).status_code == 200
    assert (await card(api, manager, directors, mine="true")).status_code == 404


async def test_bad_board_queries_are_422_and_no_token_is_401(api: httpx.AsyncClient) -> None:
    manager = await login(api, "manager")
    for url, params in [
        ("/api/v1/board", {"overdue": "maybe"}),
        ("/api/v1/board", {"mine": "perhaps"}),
        ("/api/v1/board", {"limit": "0"}),
        ("/api/v1/board/cards/not-a-uuid", {}),
        (f"/api/v1/board/cards/{uuid.uuid4()}", {"lang": "de"}),
    ]:
        reply = await api.get(url, headers=manager, params=params)
        assert reply.status_code == 422, (url, params, reply.text)
        assert reply.json()["code"] == "invalid_input"
    assert (await api.get(f"/api/v1/board/cards/{uuid.uuid4()}")).status_code == 401
