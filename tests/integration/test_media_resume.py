"""Resumable uploads in parts against the real local S3 server (rclone serve s3), PostgreSQL and
the media service: each part's URL takes exactly its length, a cut part is simply absent from
the store's list, a restarted client learns what is held and sends only the rest, completion
joins the parts from the store's own list, and the sweeper aborts an abandoned upload.

The acceptance criteria the upload path owns (issue 15) from the other issues are here too:
the size bound (issue 11: every URL is signed for its length, the declared size bounds the
total) and the single copy (issue 5: one client key is one media and one object)."""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from services.media.domain.parts import MIN_PART_BYTES
from tests.conftest import Infra
from tests.integration.test_media_upload import MANAGER, Rig, actor, open_rig, start_upload

PART = MIN_PART_BYTES
BIG = {"document_max_bytes": 40 * 1024 * 1024}


def big_pdf(size: int) -> bytes:
    """Bytes that pass the PDF checks (magic bytes, end marker): noise between them."""
    head, tail = b"%PDF-1.4\n%", b"\n%%EOF\n"
    return head + os.urandom(size - len(head) - len(tail)) + tail


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
async def rig(infra: Infra, database_url: str) -> AsyncIterator[Rig]:
    async with open_rig(infra, database_url, **BIG) as opened:
        yield opened


@pytest.fixture(scope="module")
async def short_rig(infra: Infra, database_url: str) -> AsyncIterator[Rig]:
    """Upload windows of one second and a sweeper without grace."""
    async with open_rig(infra, database_url, upload_url_ttl_s=1, sweep_grace_s=0, **BIG) as opened:
        yield opened


async def parts(
    rig: Rig, media_id: str, numbers: list[int], headers: dict[str, str] = MANAGER
) -> httpx.Response:
    return await rig.http.post(
        f"/media/{media_id}/parts", json={"numbers": numbers}, headers=headers
    )


def chunk(data: bytes, number: int) -> bytes:
    return data[(number - 1) * PART : number * PART]


async def put_part(rig: Rig, media_id: str, data: bytes, number: int) -> None:
    reply = await parts(rig, media_id, [number])
    assert reply.status_code == 200, reply.text
    sent = await rig.s3.put(reply.json()["parts"][0]["upload_url"], content=chunk(data, number))
    assert sent.status_code == 200, sent.text


async def cut_put(url: str, body: bytes, after: int) -> None:
    """A PUT whose connection drops after `after` bytes of the body, as on a phone that
    loses signal in a stairwell: the request announced its whole length, then the socket
    closes."""
    target = urlsplit(url)
    reader, writer = await asyncio.open_connection(target.hostname, target.port)
    head = (
        f"PUT {target.path}?{target.query} HTTP/1.1\r\nHost: {target.netloc}\r\n"
        f"Content-Length: {len(body)}\r\nContent-Type: application/pdf\r\n\r\n"
    )
    writer.write(head.encode() + body[:after])
    await writer.drain()
    writer.close()
    await writer.wait_closed()
    del reader


async def refused(rig: Rig, url: str, body: bytes) -> bool:
    """The store refuses the PUT: a 403, or, for a body of megabytes, the connection closed
    under the client once the store has answered 403 without reading it."""
    try:
        return (await rig.s3.put(url, content=body)).status_code == 403
    except httpx.TransportError:
        return True


async def held(rig: Rig, media_id: str) -> dict[int, int]:
    reply = await parts(rig, media_id, [])
    assert reply.status_code == 200, reply.text
    return {p["number"]: p["size"] for p in reply.json()["held"]}


async def stored_object(rig: Rig, order_id: uuid.UUID) -> tuple[list[str], bytes]:
    keys = await rig.store.keys(f"orders/{order_id}/")
    uploads = await rig.store.keys(f"uploads/{order_id}/")
    assert uploads == [], uploads  # the upload key is gone once verified
    info = await rig.store.stat(keys[0]) if keys else None
    data = await rig.store.read_range(keys[0], 0, info.size) if info else b""
    return keys, data


async def test_each_part_url_takes_exactly_its_length(rig: Rig) -> None:
    order_id, data = uuid.uuid4(), big_pdf(2 * PART + 1234)
    started = await start_upload(rig, order_id, data, client_key="scan-1")
    assert started.status_code == 201, started.text
    body = started.json()
    assert (body["part_size"], body["part_count"]) == (PART, 3)
    reply = await parts(rig, body["media_id"], [3, 1])
    assert reply.status_code == 200, reply.text
    signed = {p["number"]: p for p in reply.json()["parts"]}
    assert sorted(signed) == [1, 3]
    assert (signed[1]["size"], signed[3]["size"]) == (PART, 1234)
    for part in signed.values():
        assert "content-length" in part["upload_url"].lower()
        assert "partNumber" in part["upload_url"]
        assert "uploadId" in part["upload_url"]
    last = chunk(data, 3)
    longer = await rig.s3.put(signed[3]["upload_url"], content=last + b"x" * 4096)
    assert longer.status_code == 403, longer.text
    shorter = await rig.s3.put(signed[3]["upload_url"], content=last[:-1])
    assert shorter.status_code == 403, shorter.text
    # Part 1's URL does not take part 3's bytes either: its length is another.
    assert (await rig.s3.put(signed[1]["upload_url"], content=last)).status_code == 403
    assert await held(rig, body["media_id"]) == {}
    assert (await rig.s3.put(signed[3]["upload_url"], content=last)).status_code == 200
    assert await held(rig, body["media_id"]) == {3: 1234}


async def test_a_cut_upload_resumes_from_the_parts_the_store_holds(rig: Rig) -> None:
    order_id, data = uuid.uuid4(), big_pdf(3 * PART + 777)
    started = await start_upload(rig, order_id, data, client_key="scan-2")
    media_id = started.json()["media_id"]
    await put_part(rig, media_id, data, 1)
    # Part 2 is cut halfway: the store keeps nothing of it.
    url = (await parts(rig, media_id, [2])).json()["parts"][0]["upload_url"]
    await cut_put(url, chunk(data, 2), PART // 2)
    assert await held(rig, media_id) == {1: PART}

    # Completing now says what is missing and leaves the upload pending.
    early = await rig.http.post(f"/media/{media_id}/complete", headers=MANAGER)
    assert early.status_code == 409, early.text
    assert early.json()["code"] == "upload_incomplete"
    assert early.json()["missing"] == [2, 3, 4]

    # The app restarts: the same client key gives the same media and the same upload.
    again = await start_upload(rig, order_id, data, client_key="scan-2")
    assert again.status_code == 200, again.text
    assert again.json()["media_id"] == media_id
    assert again.json()["part_count"] == 4
    assert await held(rig, media_id) == {1: PART}
    for number in (2, 3, 4):
        await put_part(rig, media_id, data, number)

    done = await rig.http.post(f"/media/{media_id}/complete", headers=MANAGER)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "ready"
    assert done.json()["size"] == len(data)
    keys, kept = await stored_object(rig, order_id)
    assert keys == [f"orders/{order_id}/{media_id}"]
    assert sha256(kept) == sha256(data)

    # Completing again is a no-op with the same answer; declaring again makes no copy.
    repeat = await rig.http.post(f"/media/{media_id}/complete", headers=MANAGER)
    assert repeat.status_code == 200, repeat.text
    assert repeat.json()["media_id"] == media_id
    declared = await start_upload(rig, order_id, data, client_key="scan-2")
    assert declared.status_code == 409
    assert declared.json()["code"] == "already_ready"
    assert declared.json()["media_id"] == media_id
    listed = await rig.http.get(f"/orders/{order_id}/media", headers=MANAGER)
    assert [m["media_id"] for m in listed.json()] == [media_id]
    assert (await stored_object(rig, order_id))[0] == keys
    # A ready upload hands out no part URLs.
    late = await parts(rig, media_id, [1])
    assert late.status_code == 409
    assert late.json()["code"] == "upload_ready"


async def test_the_declared_size_bounds_the_whole_upload(rig: Rig) -> None:
    too_big = await start_upload(rig, uuid.uuid4(), b"", size=40 * 1024 * 1024 + 1)
    assert too_big.status_code == 413, too_big.text
    order_id, data = uuid.uuid4(), big_pdf(PART + 10)
    media_id = (await start_upload(rig, order_id, data)).json()["media_id"]
    refused = await parts(rig, media_id, [0, 3])
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "invalid_part_number"
    assert refused.json()["invalid"] == [0, 3]
    # The uploader or a manager only, as for completion.
    stranger = await parts(rig, media_id, [1], headers=actor("installer"))
    assert stranger.status_code == 403, stranger.text


async def test_a_small_file_stays_one_put(rig: Rig) -> None:
    order_id, data = uuid.uuid4(), big_pdf(PART)  # exactly one part: one PUT
    started = await start_upload(rig, order_id, data)
    assert "part_count" not in started.json()
    media_id = started.json()["media_id"]
    reply = await parts(rig, media_id, [1])
    assert reply.status_code == 409
    assert reply.json()["code"] == "not_multipart"


async def test_a_client_that_knows_only_the_single_put_still_completes(rig: Rig) -> None:
    order_id, data = uuid.uuid4(), big_pdf(PART + 4321)
    started = await start_upload(rig, order_id, data)
    media_id = started.json()["media_id"]
    assert started.json()["part_count"] == 2
    assert await refused(rig, started.json()["upload_url"], data + b"x")
    assert (await rig.s3.put(started.json()["upload_url"], content=data)).status_code == 200
    done = await rig.http.post(f"/media/{media_id}/complete", headers=MANAGER)
    assert done.status_code == 200, done.text
    assert sha256((await stored_object(rig, order_id))[1]) == sha256(data)


async def test_an_abandoned_upload_in_parts_is_aborted_by_the_sweeper(short_rig: Rig) -> None:
    order_id, data = uuid.uuid4(), big_pdf(PART + 99)
    started = await start_upload(short_rig, order_id, data, client_key="left")
    media_id = started.json()["media_id"]
    await put_part(short_rig, media_id, data, 1)
    media = await short_rig.service.get(uuid.UUID(media_id))
    assert media.upload_id is not None
    key, upload_id = media.upload_key, media.upload_id
    assert await short_rig.store.list_parts(key, upload_id) not in (None, [])
    await asyncio.sleep(1.5)
    assert await short_rig.housekeeping.sweep_once() >= 1
    assert await short_rig.store.list_parts(key, upload_id) is None  # aborted: parts gone
    swept = await short_rig.service.get(uuid.UUID(media_id))
    assert (swept.status, swept.upload_id) == ("expired", None)
    assert await short_rig.store.keys(f"uploads/{order_id}/") == []
    # Declared again with its client key: the same media, a fresh upload, nothing held.
    again = await start_upload(short_rig, order_id, data, client_key="left")
    assert again.status_code == 200, again.text
    assert again.json()["media_id"] == media_id
    fresh = await short_rig.service.get(uuid.UUID(media_id))
    assert fresh.upload_id not in (None, upload_id)
    assert await held(short_rig, media_id) == {}


async def test_asking_again_renews_part_urls_and_keeps_the_upload_open(short_rig: Rig) -> None:
    order_id, data = uuid.uuid4(), big_pdf(PART + 5)
    media_id = (await start_upload(short_rig, order_id, data)).json()["media_id"]
    first: dict[str, Any] = (await parts(short_rig, media_id, [2])).json()
    await asyncio.sleep(1.5)
    stale = await short_rig.s3.put(first["parts"][0]["upload_url"], content=chunk(data, 2))
    assert stale.status_code in (400, 403), stale.text  # the store refuses an expired URL
    # Asked again before the sweep: fresh URLs, and the window moved on.
    for number in (1, 2):
        reply = await parts(short_rig, media_id, [number])
        url = reply.json()["parts"][0]["upload_url"]
        assert (await short_rig.s3.put(url, content=chunk(data, number))).status_code == 200
    done = await short_rig.http.post(f"/media/{media_id}/complete", headers=MANAGER)
    assert done.status_code == 200, done.text
