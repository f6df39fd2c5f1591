"""Demo data for `make run`, created through the public API like any client would.

Idempotent by construction: every order carries a fixed Idempotency-Key, so a second run
(or a re-run after a crash halfway) creates nothing twice. Demo users are seeded by the
gateway itself (SEED_DEMO=true) when its user table is empty.
"""

from __future__ import annotations

import ssl
import time
from pathlib import Path

import httpx

DEMO_ORDERS: tuple[dict[str, object], ...] = (
    {
        "title": "Шкаф-купе в прихожую",
        "customer": {
            "name": "Иванов Пётр",
            "phone": "+7 915 123-45-67",
            "address": "Москва, ул. Лесная, д. 5, кв. 12",
        },
        "description": "Две зеркальные двери, ширина 2,4 м",
    },
    {
        "title": "Межкомнатные двери, 4 шт.",
        "customer": {
            "name": "Смирнова Анна",
            "phone": "8 (903) 111-22-33",
            "address": {
                "city": "Москва",
                "street": "ул. Садовая",
                "building": "10",
                "apartment": "45",
                "entrance": "2",
                "floor": "7",
                "intercom": "45К",
            },
        },
    },
    {
        "title": "Кухонный гарнитур",
        "customer": {
            "name": "Кузнецов Олег",
            "phone": "+7 926 555-44-33",
            "address": "Химки, ул. Молодёжная, д. 3, кв. 88",
        },
        "description": "Угловой, фасады МДФ",
    },
    {
        "title": "Входная дверь",
        "customer": {
            "name": "Орлова Мария",
            "phone": "8 916 7654321",
            "address": "Москва, Ленинский пр-т, д. 30",
        },
    },
)


def _login(client: httpx.Client, username: str) -> str:
    reply = client.post("/api/v1/auth/token", data={"username": username, "password": "demo"})
    reply.raise_for_status()
    return str(reply.json()["access_token"])


def seed_demo(gateway_url: str, attempts: int = 30, *, ca_file: Path | None = None) -> None:
    """`ca_file`: the local CA, for a gateway served over HTTPS (`make run HTTPS=1`)."""
    verify: ssl.SSLContext | bool = True
    if ca_file is not None:
        verify = ssl.create_default_context(cafile=str(ca_file))
    with httpx.Client(base_url=gateway_url, timeout=15, verify=verify) as client:
        # The gateway seeds its users on start; give it a moment if it is still doing so.
        for attempt in range(attempts):
            try:
                token = _login(client, "manager")
                break
            except httpx.HTTPError:
                if attempt == attempts - 1:
                    raise
                time.sleep(0.5)
        headers = {"Authorization": f"Bearer {token}"}
        for number, order in enumerate(DEMO_ORDERS, start=1):
            reply = client.post(
                "/api/v1/orders",
                json=order,
                headers={**headers, "Idempotency-Key": f"demo-order-{number}"},
            )
            reply.raise_for_status()
