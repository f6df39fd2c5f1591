"""The media service's resource bounds against the real local S3 server: an upload URL takes
exactly the declared number of bytes, an image's pixels are counted before it is decoded,
refusals never show a server path, and heavy work waits for one of a few slots."""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conftest import Infra
from tests.integration.test_media_upload import (
    MANAGER,
    Rig,
    jpeg_with_exif,
    open_rig,
    pdf_bytes,
    png_bomb,
    start_upload,
    upload,
)

PNG: dict[str, Any] = {"kind": "photo", "purpose": "measurement", "content_type": "image/png"}
JPEG: dict[str, Any] = {"kind": "photo", "purpose": "installation", "content_type": "image/jpeg"}


@pytest.fixture(scope="module")
async def rig(infra: Infra, database_url: str) -> AsyncIterator[Rig]:
    async with open_rig(infra, database_url) as opened:
        yield opened


@pytest.fixture(scope="module")
async def one_slot(infra: Infra, database_url: str) -> AsyncIterator[Rig]:
    """One slot for heavy work, and a completion waits for it a third of a second."""
    async with open_rig(infra, database_url, work_slots=1, work_wait_s=0.3) as opened:
        yield opened


def no_server_path(detail: str) -> None:
    assert tempfile.gettempdir() not in detail, detail
    assert "media-" not in detail, detail  # the spool folder's prefix
    assert "original" not in detail, detail  # the spooled file's name


async def test_a_put_longer_than_declared_is_refused_by_the_store_itself(rig: Rig) -> None:
    order_id, data = uuid.uuid4(), pdf_bytes()
    started = await start_upload(rig, order_id, data)
    url = started.json()["upload_url"]
    assert "content-length" in url.lower()  # the length is part of the signature
    longer = await rig.s3.put(url, content=data + b"x" * 1024 * 1024)
    assert longer.status_code == 403, longer.text
    shorter = await rig.s3.put(url, content=data[:100])
    assert shorter.status_code == 403, shorter.text

    async def stream() -> AsyncIterator[bytes]:  # chunked: no Content-Length at all
        yield data
        yield b"and a megabyte more" * 50_000

    chunked = await rig.s3.put(url, content=stream())
    assert chunked.status_code == 403, chunked.text
    assert await rig.store.keys(f"uploads/{order_id}/") == []
    # ... while exactly the declared bytes go through, and complete.
    assert (await rig.s3.put(url, content=data)).status_code == 200
    done = await rig.http.post(f"/media/{started.json()['media_id']}/complete", headers=MANAGER)
    assert done.status_code == 200, done.text


async def test_a_png_bomb_is_refused_from_its_header_without_a_server_path(rig: Rig) -> None:
    order_id = uuid.uuid4()
    bomb = await asyncio.to_thread(png_bomb, 20_000, 20_000, 8)
    assert len(bomb) < 500_000  # 400 MB of pixels in a few hundred KB
    _, done = await upload(rig, order_id, bomb, **PNG)
    assert done.status_code == 422, done.text
    body = done.json()
    assert body["code"] == "too_many_pixels"
    assert "400.0 megapixels" in body["detail"]
    assert "50.0 megapixels" in body["detail"]
    no_server_path(body["detail"])
    assert (
        await rig.store.keys(f"uploads/{order_id}/") + await rig.store.keys(f"orders/{order_id}/")
        == []
    )


async def test_an_image_just_over_the_budget_is_refused_and_one_under_it_is_not(rig: Rig) -> None:
    over = await asyncio.to_thread(png_bomb, 8_000, 6_300)  # 50.4 MP
    _, refused = await upload(rig, uuid.uuid4(), over, **PNG)
    assert refused.status_code == 422
    assert refused.json()["code"] == "too_many_pixels"
    under = await asyncio.to_thread(png_bomb, 8_000, 6_000)  # 48 MP, a big phone sensor
    _, accepted = await upload(rig, uuid.uuid4(), under, **PNG)
    assert accepted.status_code == 200, accepted.text


@pytest.mark.parametrize(
    "junk",
    [
        b"\x89PNG\r\n\x1a\n" + b"not really a png " * 40,
        b"\xff\xd8\xff\xe0" + b"\x00garbage after a JPEG marker" * 40,
    ],
    ids=["png-signature-then-junk", "jpeg-marker-then-junk"],
)
async def test_a_junk_image_is_refused_without_a_server_path(rig: Rig, junk: bytes) -> None:
    kind = PNG if junk.startswith(b"\x89PNG") else JPEG
    _, done = await upload(rig, uuid.uuid4(), junk, **kind)
    assert done.status_code == 422, done.text
    assert done.json()["code"] == "not_an_image"
    no_server_path(done.json()["detail"])


async def test_a_truncated_image_says_so_without_a_server_path(rig: Rig) -> None:
    photo = jpeg_with_exif()
    media_id, done = await upload(rig, uuid.uuid4(), photo[: len(photo) // 2], **JPEG)
    assert done.status_code == 422
    no_server_path(done.json()["detail"])
    # The reason is kept and repeated on the next try: still without a path.
    again = await rig.http.post(f"/media/{media_id}/complete", headers=MANAGER)
    assert again.json()["code"] == "upload_rejected"
    no_server_path(again.json()["detail"])


async def test_a_completion_without_a_free_slot_is_told_to_retry_and_stays_pending(
    one_slot: Rig,
) -> None:
    order_id, data = uuid.uuid4(), pdf_bytes()
    started = await start_upload(one_slot, order_id, data)
    media_id = started.json()["media_id"]
    assert (await one_slot.s3.put(started.json()["upload_url"], content=data)).status_code == 200
    async with one_slot.service.work.slot():  # someone else's big image, being decoded
        busy = await one_slot.http.post(f"/media/{media_id}/complete", headers=MANAGER)
    assert busy.status_code == 503, busy.text
    assert busy.json()["code"] == "media_busy"
    assert busy.json()["retry_after"] > 0
    assert busy.headers["retry-after"] == str(busy.json()["retry_after"])
    done = await one_slot.http.post(f"/media/{media_id}/complete", headers=MANAGER)
    assert done.status_code == 200, done.text


async def test_a_thumbnail_waits_for_a_slot_rather_than_failing(one_slot: Rig) -> None:
    media_id, done = await upload(one_slot, uuid.uuid4(), jpeg_with_exif(), **JPEG)
    assert done.status_code == 200, done.text
    media = await one_slot.service.get(uuid.UUID(media_id))
    async with one_slot.service.work.slot():
        making = asyncio.create_task(one_slot.housekeeping.make_thumbnail(media))
        await asyncio.sleep(0.8)  # more than a completion would wait
        assert not making.done()
    await asyncio.wait_for(making, 30)
    assert media.thumbnail_key in await one_slot.store.keys(f"orders/{media.order_id}/")


async def test_completions_run_at_most_as_many_at_once_as_there_are_slots(one_slot: Rig) -> None:
    """Ten completions at once with one slot: each verification runs alone."""
    running, most = 0, 0
    verifier = one_slot.service.verifier
    real_verify = verifier.verify

    async def counted(media: Any) -> Any:
        nonlocal running, most
        running += 1
        most = max(most, running)
        try:
            await asyncio.sleep(0.01)
            return await real_verify(media)
        finally:
            running -= 1

    ids = []
    for _ in range(10):
        data = pdf_bytes()
        started = await start_upload(one_slot, uuid.uuid4(), data)
        assert (await one_slot.s3.put(started.json()["upload_url"], content=data)).is_success
        ids.append(started.json()["media_id"])
    one_slot.service.verifier = _Counting(verifier, counted)  # type: ignore[assignment]
    try:
        answers = await asyncio.gather(
            *(one_slot.http.post(f"/media/{i}/complete", headers=MANAGER) for i in ids)
        )
    finally:
        one_slot.service.verifier = verifier
    assert most == 1
    assert {a.status_code for a in answers} <= {200, 503}
    assert any(a.status_code == 200 for a in answers)


class _Counting:
    def __init__(self, inner: Any, verify: Any) -> None:
        self.limits = inner.limits
        self.verify = verify
