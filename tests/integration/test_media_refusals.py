"""Everything a media upload can get wrong is refused with a reason, and leaves no object
behind; expired uploads are swept; detaching and commercial documents follow the roles."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conftest import Infra
from tests.integration.test_media_upload import (
    MANAGER,
    Rig,
    actor,
    events_of,
    jpeg_with_exif,
    open_rig,
    pdf_bytes,
    put_behind_the_url,
    start_upload,
    upload,
)

PHOTO: dict[str, Any] = {"kind": "photo", "purpose": "installation", "content_type": "image/jpeg"}


@pytest.fixture(scope="module")
async def rig(infra: Infra, database_url: str) -> AsyncIterator[Rig]:
    async with open_rig(infra, database_url) as opened:
        yield opened


@pytest.fixture(scope="module")
async def short_rig(infra: Infra, database_url: str) -> AsyncIterator[Rig]:
    """Upload URLs live one second and the sweeper allows no grace."""
    async with open_rig(infra, database_url, upload_url_ttl_s=1, sweep_grace_s=0) as opened:
        yield opened


async def nothing_left(rig: Rig, order_id: uuid.UUID) -> bool:
    return (
        await rig.store.keys(f"uploads/{order_id}/") + await rig.store.keys(f"orders/{order_id}/")
        == []
    )


async def test_a_text_file_declared_as_jpeg_is_refused_and_removed(rig: Rig) -> None:
    order_id, text = uuid.uuid4(), b"just some notes, not a photo\n" * 10
    media_id, done = await upload(rig, order_id, text, **PHOTO)
    assert done.status_code == 422
    assert done.json()["code"] == "content_mismatch"
    assert "image/jpeg" in done.json()["detail"]
    assert await nothing_left(rig, order_id)
    again = await rig.http.post(f"/media/{media_id}/complete", headers=MANAGER)
    assert again.status_code == 422
    assert again.json()["code"] == "upload_rejected"


async def test_a_truncated_jpeg_is_refused(rig: Rig) -> None:
    order_id, photo = uuid.uuid4(), jpeg_with_exif()
    _, done = await upload(rig, order_id, photo[: len(photo) // 2], **PHOTO)
    assert done.status_code == 422
    assert done.json()["code"] == "not_an_image"
    assert await nothing_left(rig, order_id)


async def test_a_declared_size_over_the_limit_is_refused_before_any_url(rig: Rig) -> None:
    body = {"filename": "x.jpg", "size": 1024 * 1024 + 1, **PHOTO}
    reply = await rig.http.post(f"/orders/{uuid.uuid4()}/media", json=body, headers=MANAGER)
    assert reply.status_code == 413
    assert reply.json()["code"] == "too_large"


async def test_an_upload_over_the_limit_is_refused_at_completion(rig: Rig) -> None:
    # The store refuses a PUT longer than declared (test_media_limits.py); should one slip
    # past it (a store that ignores signed headers), completion still refuses it.
    order_id = uuid.uuid4()
    started = await start_upload(rig, order_id, b"\xff\xd8\xff" + b"0" * 100, **PHOTO)
    media_id = started.json()["media_id"]
    await put_behind_the_url(rig, order_id, media_id, b"0" * (1024 * 1024 + 1))
    done = await rig.http.post(f"/media/{media_id}/complete", headers=MANAGER)
    assert done.status_code == 413
    assert await nothing_left(rig, order_id)


async def test_an_upload_bigger_than_declared_is_refused(rig: Rig) -> None:
    order_id, data = uuid.uuid4(), pdf_bytes()
    started = await start_upload(rig, order_id, data)
    media_id = started.json()["media_id"]
    await put_behind_the_url(rig, order_id, media_id, data + b"\n% extra")
    done = await rig.http.post(f"/media/{media_id}/complete", headers=MANAGER)
    assert done.status_code == 422
    assert done.json()["code"] == "size_mismatch"
    assert await nothing_left(rig, order_id)


async def test_a_tampered_upload_url_is_refused_by_the_object_store(rig: Rig) -> None:
    order_id = uuid.uuid4()
    started = await start_upload(rig, order_id, pdf_bytes())
    url = started.json()["upload_url"].replace(f"uploads/{order_id}/", f"uploads/{uuid.uuid4()}/")
    assert (await rig.s3.put(url, content=pdf_bytes())).status_code == 403
    assert await nothing_left(rig, order_id)


async def test_an_expired_upload_url_is_refused_and_the_upload_is_swept(short_rig: Rig) -> None:
    order_id = uuid.uuid4()
    started = await start_upload(short_rig, order_id, pdf_bytes())
    media_id = started.json()["media_id"]
    await asyncio.sleep(2.1)
    assert (
        await short_rig.s3.put(started.json()["upload_url"], content=pdf_bytes())
    ).status_code == 400
    assert await short_rig.housekeeping.sweep_once() >= 1
    done = await short_rig.http.post(f"/media/{media_id}/complete", headers=MANAGER)
    assert done.status_code == 422
    assert done.json()["code"] == "upload_expired"


async def test_a_sweep_removes_an_upload_put_but_never_completed(short_rig: Rig) -> None:
    order_id = uuid.uuid4()
    started = await start_upload(short_rig, order_id, pdf_bytes())
    assert (
        await short_rig.s3.put(started.json()["upload_url"], content=pdf_bytes())
    ).status_code == 200
    assert not await nothing_left(short_rig, order_id)
    await asyncio.sleep(1.5)
    await short_rig.housekeeping.sweep_once()
    assert await nothing_left(short_rig, order_id)


async def test_completing_an_upload_that_never_happened_is_refused(rig: Rig) -> None:
    started = await start_upload(rig, uuid.uuid4(), pdf_bytes())
    done = await rig.http.post(f"/media/{started.json()['media_id']}/complete", headers=MANAGER)
    assert done.status_code == 422
    assert done.json()["code"] == "upload_missing"


async def test_an_unknown_media_id_is_not_found(rig: Rig) -> None:
    for method, path in (("POST", "/complete"), ("GET", ""), ("DELETE", "")):
        reply = await rig.http.request(method, f"/media/{uuid.uuid4()}{path}", headers=MANAGER)
        assert reply.status_code == 404, (method, path)


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"purpose": "holiday"}, "unknown_purpose"),
        ({"kind": "video"}, "invalid_input"),
        ({"kind": "photo", "purpose": "installation"}, "content_type_not_allowed"),
        ({"content_type": "application/zip"}, "content_type_not_allowed"),
        (
            {"kind": "photo", "purpose": "signed_contract", "content_type": "image/jpeg"},
            "unknown_purpose",
        ),
    ],
)
async def test_an_unknown_kind_purpose_or_type_is_refused(
    rig: Rig, change: dict[str, str], code: str
) -> None:
    body = {
        "kind": "document",
        "purpose": "requirements",
        "filename": "a.pdf",
        "content_type": "application/pdf",
        "size": 10,
        **change,
    }
    reply = await rig.http.post(f"/orders/{uuid.uuid4()}/media", json=body, headers=MANAGER)
    assert reply.status_code == 422
    assert reply.json()["code"] == code


async def test_a_field_role_never_gets_a_commercial_document(rig: Rig) -> None:
    order_id = uuid.uuid4()
    contract_id, done = await upload(rig, order_id, pdf_bytes(), purpose="signed_contract")
    assert done.status_code == 200
    installer = actor("installer")
    listed = (await rig.http.get(f"/orders/{order_id}/media", headers=installer)).json()
    assert listed == []
    assert (await rig.http.get(f"/media/{contract_id}", headers=installer)).status_code == 404
    managers = (await rig.http.get(f"/orders/{order_id}/media", headers=MANAGER)).json()
    assert [m["media_id"] for m in managers] == [contract_id]


async def test_the_uploader_or_a_manager_may_detach_and_the_order_is_told(rig: Rig) -> None:
    order_id, installer_id = uuid.uuid4(), uuid.uuid4()
    installer = actor("installer", installer_id)
    media_id, done = await upload(rig, order_id, jpeg_with_exif(), headers=installer, **PHOTO)
    assert done.status_code == 200
    other = await rig.http.delete(f"/media/{media_id}", headers=actor("installer"))
    assert other.status_code == 403
    assert other.json()["code"] == "detach_not_allowed"
    gone = await rig.http.delete(f"/media/{media_id}", headers=installer)
    assert gone.status_code == 200
    assert gone.json()["status"] == "deleted"
    assert (await rig.http.get(f"/orders/{order_id}/media", headers=MANAGER)).json() == []
    events = await events_of(rig.bootstrap, media_id, {"media.MediaDeleted"})
    assert events["media.MediaDeleted"]["data"]["deleted_by"] == str(installer_id)
    # The purge skips a row another worker holds (SKIP LOCKED): the thumbnail worker may be
    # looking at this item's job right now, so sweep until its next round has run.
    for _ in range(25):
        await rig.housekeeping.sweep_once()
        if await nothing_left(rig, order_id):
            break
        await asyncio.sleep(0.2)
    assert await nothing_left(rig, order_id)
