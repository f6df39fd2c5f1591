"""Which purposes each role may attach, enforced by the media service before any row or URL
exists (the gateway only checks that the caller may see the order)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import pytest

from tests.conftest import Infra
from tests.integration.test_media_upload import (
    MANAGER,
    Rig,
    actor,
    jpeg_with_exif,
    open_rig,
    pdf_bytes,
    start_upload,
    upload,
)


def photo(purpose: str) -> dict[str, Any]:
    return {"kind": "photo", "purpose": purpose, "content_type": "image/jpeg"}


def document(purpose: str) -> dict[str, Any]:
    return {"kind": "document", "purpose": purpose, "content_type": "application/pdf"}


@pytest.fixture(scope="module")
async def rig(infra: Infra, database_url: str) -> AsyncIterator[Rig]:
    async with open_rig(infra, database_url) as opened:
        yield opened


@pytest.fixture(scope="module")
async def delivery_allowed(infra: Infra, database_url: str) -> AsyncIterator[Rig]:
    """A company that lets its delivery crews attach `other` photos and documents."""
    async with open_rig(infra, database_url, delivery_upload_purposes=("other",)) as opened:
        yield opened


async def rows_of(rig: Rig, order_id: uuid.UUID) -> int:
    conn = await asyncpg.connect(rig.database_url)
    try:
        found = await conn.fetchval(
            f'SELECT count(*) FROM "{rig.schema}".media WHERE order_id = $1',
            order_id,
        )
    finally:
        await conn.close()
    return int(found)


@pytest.mark.parametrize(
    ("role", "declared"),
    [
        ("measurer", photo("installation")),
        ("measurer", photo("rework")),
        ("measurer", document("requirements")),
        ("measurer", photo("other")),
        ("installer", photo("measurement")),
        ("installer", document("measurement")),
        ("delivery", photo("installation")),
        ("delivery", photo("other")),
        ("production", photo("other")),
        ("production", document("requirements")),
        ("admin", document("requirements")),  # admin administers: no order's files
        ("someone", photo("other")),
    ],
)
async def test_a_role_attaching_a_purpose_not_its_own_gets_403_and_nothing_is_created(
    rig: Rig, role: str, declared: dict[str, Any]
) -> None:
    order_id = uuid.uuid4()
    refused = await start_upload(rig, order_id, b"x" * 100, headers=actor(role), **declared)
    assert refused.status_code == 403, refused.text
    body = refused.json()
    assert body["code"] == "purpose_not_allowed"
    assert f"role {role}" in body["detail"]
    assert repr(declared["purpose"]) in body["detail"]
    assert (body["role"], body["purpose"]) == (role, declared["purpose"])
    assert await rows_of(rig, order_id) == 0
    assert await rig.store.keys(f"uploads/{order_id}/") == []


@pytest.mark.parametrize(
    ("role", "data", "declared"),
    [
        ("measurer", b"jpeg", photo("measurement")),
        ("measurer", b"pdf", document("measurement")),
        ("installer", b"jpeg", photo("installation")),
        ("installer", b"jpeg", photo("rework")),
        ("manager", b"pdf", document("signed_contract")),
        ("director", b"jpeg", photo("installation")),
    ],
)
async def test_a_role_attaching_its_own_purpose_gets_a_ready_file(
    rig: Rig, role: str, data: bytes, declared: dict[str, Any]
) -> None:
    content = jpeg_with_exif() if data == b"jpeg" else pdf_bytes()
    _, done = await upload(rig, uuid.uuid4(), content, headers=actor(role), **declared)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "ready"


async def test_delivery_attaches_what_the_company_allows_and_nothing_else(
    delivery_allowed: Rig,
) -> None:
    crew = actor("delivery")
    _, done = await upload(
        delivery_allowed, uuid.uuid4(), jpeg_with_exif(), headers=crew, **photo("other")
    )
    assert done.status_code == 200, done.text
    refused = await start_upload(
        delivery_allowed, uuid.uuid4(), b"x", headers=crew, **photo("installation")
    )
    assert refused.status_code == 403
    assert "allowed for delivery: other" in refused.json()["detail"]


async def test_a_manager_completing_for_a_field_worker_is_allowed(rig: Rig) -> None:
    order_id, installer = uuid.uuid4(), actor("installer")
    data = jpeg_with_exif()
    started = await start_upload(rig, order_id, data, headers=installer, **photo("installation"))
    assert started.status_code == 201, started.text
    assert (await rig.s3.put(started.json()["upload_url"], content=data)).status_code == 200
    done = await rig.http.post(f"/media/{started.json()['media_id']}/complete", headers=MANAGER)
    assert done.status_code == 200, done.text


async def test_a_role_can_ask_which_purposes_it_may_attach(rig: Rig, delivery_allowed: Rig) -> None:
    mine = await rig.http.get("/purposes", headers=actor("installer"))
    assert mine.json() == {
        "role": "installer",
        "purposes": {"photo": ["installation", "rework"], "document": []},
    }
    crew = await delivery_allowed.http.get("/purposes", headers=actor("delivery"))
    assert crew.json()["purposes"] == {"photo": ["other"], "document": ["other"]}
