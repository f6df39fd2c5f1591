"""Issue 16 as `make run` runs it: booking a visit for `installer` writes an e-mail for the
installer into the local mail folder (the stack's own SMTP server, deploy/local/mail.py)
within seconds, and the installer's inbox shows the same notice."""

from __future__ import annotations

import asyncio
import email
import email.policy
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import httpx

from deploy.local.stack import Stack
from tests.e2e.conftest import book_visit, login
from tests.e2e.test_first_slice import ORDER

HOUR = timedelta(hours=1)


def _mails_to(folder: Path, address: str) -> list[EmailMessage]:
    found = []
    for path in sorted(folder.glob("*.eml")):
        mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(mail, EmailMessage)
        if mail["To"] == address:
            found.append(mail)
    return found


def _text(mail: EmailMessage) -> str:
    body = mail.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


async def test_booking_a_visit_for_the_installer_mails_them_and_fills_their_inbox(
    api: httpx.AsyncClient, stack: Stack
) -> None:
    manager = await login(api, "manager")
    installer = await login(api, "installer")
    created = await api.post("/api/v1/orders", json=ORDER, headers=manager)
    assert created.status_code == 201, created.text
    order_id, number = created.json()["id"], created.json()["number"]
    crew = (await api.get("/api/v1/crew", headers=manager, params={"role": "installer"})).json()
    member = next(c for c in crew if c["username"] == "installer")
    start = datetime.now().astimezone() + timedelta(days=2)
    schedule = await api.get(
        f"/api/v1/crew/{member['id']}/schedule",
        headers=manager,
        params={"from": start.isoformat(), "to": (start + timedelta(days=14)).isoformat()},
    )
    free = next(
        datetime.fromisoformat(f["starts_at"])
        for f in schedule.json()["free"]
        if datetime.fromisoformat(f["ends_at"]) - datetime.fromisoformat(f["starts_at"]) >= 2 * HOUR
    )
    # Whole seconds, rounded up: rounded down, a window that opens when another visit's
    # travel ends (at .117 s, say) would start inside that travel and be refused (409).
    begins = free + timedelta(microseconds=(1_000_000 - free.microsecond) % 1_000_000)
    body = {
        "kind": "installation",
        "assignee_id": member["id"],
        "starts_at": begins.isoformat(),
        "ends_at": (begins + HOUR).isoformat(),
    }
    booked = await book_visit(api, manager, order_id, body)
    assert booked.status_code == 201, booked.text

    ours: list[EmailMessage] = []
    for _ in range(100):  # within seconds
        ours = [
            m for m in _mails_to(stack.mail_dir, "installer@oms.example") if order_id in _text(m)
        ]
        if ours:
            break
        await asyncio.sleep(0.1)
    assert len(ours) == 1, "no e-mail for the installer in the local mail folder"
    mail = ours[0]
    assert mail["Subject"] == f"Заказ №{number}"
    # The number when the notifications service had heard of the order by then (orders and
    # visits come on topics of their own); the subject and the link name the order always.
    assert _text(mail).startswith(
        (f"Монтаж по заказу №{number} назначен(а) вам", "Монтаж назначен(а) вам")
    )
    assert f"/#/order/{order_id}" in _text(mail)
    assert mail["Message-ID"].endswith("@notifications.oms>")

    inbox = (await api.get("/api/v1/notifications", headers=installer)).json()
    assert any(n["order_id"] == order_id and n["text"].startswith("Монтаж") for n in inbox), inbox

    admin = await login(api, "admin")
    sent = await api.get(
        "/api/v1/notifications/deliveries", headers=admin, params={"state": "sent"}
    )
    assert sent.status_code == 200, sent.text
    assert any(
        d["channel"] == "email" and d["address"] == "installer@oms.example" for d in sent.json()
    )
    refused = await api.get("/api/v1/notifications/deliveries", headers=installer)
    assert refused.status_code == 403
