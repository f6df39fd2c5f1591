"""A service's answer passed on by the gateway (gateway/entrypoints/typed.py `relayed`):
untouched for an audience that sees the whole model, narrowed for every other one."""

from __future__ import annotations

import json
import uuid

from contracts.api.board import BOARD_CARD
from gateway.adapters.upstream import Reply
from gateway.domain.users import User
from gateway.entrypoints.typed import relayed

CARD = {
    "id": str(uuid.uuid4()),
    "number": 7,
    "title": "Шкаф-купе",
    "stage": "measurement",
    "version": 3,
    "customer": {"name": "Иван", "phone": "+79990001122"},
    "amount": "185000.00",
    "documents": 3,
    "document_purposes": {"signed_contract": 1, "requirements": 2},
}
# As a service writes it: its own spacing and key order, which a pass-through keeps.
RAW = json.dumps(CARD, ensure_ascii=False, indent=1).encode()


def _user(role: str) -> User:
    return User(uuid.uuid4(), role, role, role, True, "hash")


def test_a_commercial_role_gets_the_services_bytes_untouched() -> None:
    answer = relayed(Reply(200, CARD, RAW), BOARD_CARD, _user("manager"))
    assert answer.body == RAW
    assert answer.media_type == "application/json"
    assert answer.status_code == 200


def test_a_field_role_gets_its_narrower_model_never_the_bytes() -> None:
    answer = relayed(Reply(200, CARD, RAW), BOARD_CARD, _user("installer"))
    shown = json.loads(bytes(answer.body))
    assert "amount" not in shown
    assert "document_purposes" not in shown
    assert shown["documents"] == 2  # the requirements only: the contract is commercial
    assert answer.body != RAW


def test_a_role_the_table_does_not_know_is_narrowed_too() -> None:
    answer = relayed(Reply(200, CARD, RAW), BOARD_CARD, _user("intern"))
    assert "amount" not in json.loads(bytes(answer.body))


def test_the_status_given_is_the_answers_and_a_reply_without_bytes_is_shown() -> None:
    assert relayed(Reply(201, CARD, RAW), BOARD_CARD, _user("manager"), 201).status_code == 201
    answer = relayed(Reply(200, CARD), BOARD_CARD, _user("manager"))
    assert json.loads(bytes(answer.body))["amount"] == "185000.00"
