"""Setting up what a browser test needs through the API (sync, as browser tests are): orders,
visits, and waiting until the read models show them. The screens are then driven by hand."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar

import httpx

from tests.browser.conftest import bearer

T = TypeVar("T")
HOUR = timedelta(hours=1)


def eventually(probe: Callable[[], T | None], timeout: float = 30, what: str = "it") -> T:
    """`probe()`'s first truthy answer, asked every 0.2 s; fails saying `what` never came."""
    deadline = time.monotonic() + timeout
    while True:
        answer = probe()
        if answer:
            return answer
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout} s"
        time.sleep(0.2)


def create_order(http: httpx.Client, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    body = {
        "title": fields.pop("title", "Шкаф-купе"),
        "customer": {
            "name": fields.pop("name", "Соколова Анна"),
            "phone": fields.pop("phone", "+7 916 555-12-34"),
            "address": fields.pop(
                "address", {"city": "Москва", "street": "ул. Лесная", "building": "5"}
            ),
        },
        **fields,
    }
    reply = http.post("/api/v1/orders", json=body, headers=headers)
    assert reply.status_code == 201, reply.text
    order: dict[str, Any] = reply.json()
    return order


def board_card(http: httpx.Client, headers: dict[str, str], order_id: str) -> dict[str, Any]:
    """The order's board card once the projection has it."""

    def probe() -> dict[str, Any] | None:
        reply = http.get(f"/api/v1/board/cards/{order_id}", headers=headers)
        return reply.json() if reply.status_code == 200 else None

    return eventually(probe, what=f"order {order_id} on the board")


def crew_member(http: httpx.Client, headers: dict[str, str], username: str) -> dict[str, Any]:
    role = username  # demo crew are named for their roles
    reply = http.get("/api/v1/crew", headers=headers, params={"role": role})
    assert reply.status_code == 200, reply.text
    return next(c for c in reply.json() if c["username"] == username)


def free_hour(
    http: httpx.Client, headers: dict[str, str], member_id: str, hours: int = 1
) -> datetime:
    """The start of `hours` free hours of the member's, from tomorrow on."""
    start = datetime.now().astimezone() + timedelta(days=1)
    reply = http.get(
        f"/api/v1/crew/{member_id}/schedule",
        headers=headers,
        params={"from": start.isoformat(), "to": (start + timedelta(days=14)).isoformat()},
    )
    assert reply.status_code == 200, reply.text
    for span in reply.json()["free"]:
        begins = datetime.fromisoformat(span["starts_at"])
        if begins + hours * HOUR <= datetime.fromisoformat(span["ends_at"]):
            return begins
    raise AssertionError("no free hour in two weeks")


def book_at(
    http: httpx.Client,
    headers: dict[str, str],
    order_id: str,
    kind: str,
    member_id: str,
    start: datetime,
) -> httpx.Response:
    """POST a one-hour visit of `kind` for the member at `start`; the reply, as it came."""
    return http.post(
        f"/api/v1/orders/{order_id}/visits",
        headers=headers,
        json={
            "kind": kind,
            "assignee_id": member_id,
            "starts_at": start.isoformat(),
            "ends_at": (start + HOUR).isoformat(),
        },
    )


def book(
    http: httpx.Client, headers: dict[str, str], order_id: str, kind: str, username: str
) -> dict[str, Any]:
    """Book `kind` for the demo crew member `username` in their first free hour."""
    member = crew_member(http, headers, username)
    start = free_hour(http, headers, member["id"])
    reply = book_at(http, headers, order_id, kind, member["id"], start)
    assert reply.status_code == 201, reply.text
    booked: dict[str, Any] = reply.json()
    return booked


def as_user(http: httpx.Client, username: str) -> dict[str, str]:
    return bearer(http, username)


def board_ready(http: httpx.Client) -> None:
    """Right after a fresh start the board has no columns until the pipeline's first version
    reaches the projections (about a second): wait for it before a screen opens the board."""
    manager = bearer(http, "manager")

    def columns() -> bool:
        reply = http.get("/api/v1/board", headers=manager, params={"limit": 1})
        return reply.status_code == 200 and bool(reply.json()["columns"])

    eventually(columns, what="the board's columns")
