"""Media uploads end to end against the real local S3 server, PostgreSQL and the broker:
presigned PUT, completion with validation, the event on `media.events`, the thumbnail."""

from __future__ import annotations

import asyncio
import io
import json
import struct
import uuid
import zipfile
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer
from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational

from contracts.topics import MEDIA
from services.media.adapters.object_store import ObjectStore
from services.media.application.housekeeping import Housekeeping
from services.media.application.service import MediaService
from services.media.bootstrap import Settings, build
from services.media.domain.rules import DOCX, XLSX
from tests.actors import service_client
from tests.conftest import Infra


@dataclass
class Rig:
    http: httpx.AsyncClient
    s3: httpx.AsyncClient
    store: ObjectStore
    housekeeping: Housekeeping
    bootstrap: str
    service: MediaService
    database_url: str
    schema: str


@asynccontextmanager
async def open_rig(infra: Infra, database_url: str, **overrides: Any) -> AsyncIterator[Rig]:
    tag = uuid.uuid4().hex[:10]
    given: dict[str, Any] = {
        "photo_max_bytes": 1024 * 1024,
        "document_max_bytes": 2 * 1024 * 1024,
        "relay_poll_interval_s": 0.2,
        "thumbnail_poll_interval_s": 0.2,
        "sweep_interval_s": 3600,  # tests sweep explicitly
        **overrides,
    }
    settings = Settings(
        database_url=database_url,
        db_schema=f"media_{tag}",
        kafka_bootstrap=infra.kafka_bootstrap,
        s3_endpoint=infra.s3_endpoint,
        s3_access_key=infra.s3_access_key,
        s3_secret_key=infra.s3_secret_key,
        s3_bucket=f"media-{tag}",
        **given,
    )
    app = build(settings)
    async with (
        app.router.lifespan_context(app),
        service_client(app, "http://media") as http,
        httpx.AsyncClient(timeout=30) as s3,
    ):
        yield Rig(
            http,
            s3,
            app.state.store,
            app.state.housekeeping,
            infra.kafka_bootstrap,
            app.state.media,
            database_url,
            settings.schema_name,
        )


def actor(role: str = "manager", user_id: uuid.UUID | None = None) -> dict[str, str]:
    uid = user_id or uuid.uuid4()
    return {"X-Actor-Id": str(uid), "X-Actor-Username": f"u{uid.hex[:6]}", "X-Actor-Role": role}


MANAGER = actor("manager")


def jpeg_with_exif(size: tuple[int, int] = (800, 600)) -> bytes:
    exif = Image.Exif()
    exif.get_ifd(ExifTags.IFD.Exif)[0x9003] = "2024:05:01 10:20:30"
    exif.get_ifd(ExifTags.IFD.Exif)[0x9011] = "+03:00"
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {
            1: "N",
            2: (IFDRational(55), IFDRational(45), IFDRational(2130, 100)),
            3: "E",
            4: (IFDRational(37), IFDRational(37), IFDRational(0)),
        }
    )
    out = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def png_bomb(width: int, height: int, depth: int = 1) -> bytes:
    """A valid greyscale PNG whose rows are all zero: a few KB (1 bit) to a few hundred KB
    (8 bits, 20000x20000) on the wire, `width * height` pixels once decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    row = b"\x00" * (1 + (width * depth + 7) // 8)  # the filter byte, then the samples
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, depth, 0, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data)
    return png + chunk(b"IEND", b"")


def pdf_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 280), "white").save(out, "PDF")
    return out.getvalue()


def office_bytes(part: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(f"{part}/document.xml", "<document/>" * 200)
    return out.getvalue()


async def start_upload(
    rig: Rig,
    order_id: uuid.UUID,
    data: bytes,
    *,
    kind: str = "document",
    purpose: str = "requirements",
    content_type: str = "application/pdf",
    headers: dict[str, str] = MANAGER,
    **extra: Any,
) -> httpx.Response:
    body = {
        "kind": kind,
        "purpose": purpose,
        "filename": "Замер кухни.pdf" if kind == "document" else "IMG_0001.jpg",
        "content_type": content_type,
        "size": len(data),
        **extra,
    }
    return await rig.http.post(f"/orders/{order_id}/media", json=body, headers=headers)


async def upload(
    rig: Rig, order_id: uuid.UUID, data: bytes, put: bytes | None = None, **kw: Any
) -> tuple[str, httpx.Response]:
    """Declare, PUT the bytes (`put` overrides what is sent), complete."""
    started = await start_upload(rig, order_id, data, **kw)
    assert started.status_code == 201, started.text
    media_id = started.json()["media_id"]
    sent = await rig.s3.put(started.json()["upload_url"], content=data if put is None else put)
    assert sent.status_code == 200, sent.text
    headers = kw.get("headers", MANAGER)
    return media_id, await rig.http.post(f"/media/{media_id}/complete", headers=headers)


async def put_behind_the_url(rig: Rig, order_id: uuid.UUID, media_id: str, data: bytes) -> None:
    """Write the upload key directly, as a store that ignores signed headers would let a client
    (the local store refuses such a PUT: test_media_limits.py)."""
    key = f"uploads/{order_id}/{media_id}"
    await asyncio.to_thread(
        rig.store.client.put_object, rig.store.bucket, key, io.BytesIO(data), len(data)
    )


async def events_of(bootstrap: str, media_id: str, types: set[str]) -> dict[str, dict[str, Any]]:
    """Read media.events from the start until every wanted type of this media has arrived."""
    consumer = AIOKafkaConsumer(
        MEDIA, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    found: dict[str, dict[str, Any]] = {}
    try:
        async with asyncio.timeout(30):
            while not types <= found.keys():
                batches = await consumer.getmany(timeout_ms=500)
                for message in (m for batch in batches.values() for m in batch):
                    env = json.loads(message.value)
                    if env["stream_id"] == f"media-{media_id}":
                        found[env["type"]] = env
    finally:
        await consumer.stop()
    return found


@pytest.fixture(scope="module")
async def rig(infra: Infra, database_url: str) -> AsyncIterator[Rig]:
    async with open_rig(infra, database_url) as opened:
        yield opened


async def test_a_document_upload_becomes_ready_and_reaches_the_broker(rig: Rig) -> None:
    order_id, data = uuid.uuid4(), pdf_bytes()
    media_id, done = await upload(rig, order_id, data, client_key="phone-1")
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "ready"

    listed = (await rig.http.get(f"/orders/{order_id}/media", headers=MANAGER)).json()
    assert [m["media_id"] for m in listed] == [media_id]
    assert "thumbnail_url" not in listed[0]
    download = await rig.s3.get(listed[0]["download_url"])
    assert download.content == data
    assert download.headers["content-type"] == "application/pdf"
    assert "filename*=UTF-8''" in download.headers["content-disposition"]

    events = await events_of(rig.bootstrap, media_id, {"media.MediaUploaded"})
    uploaded = events["media.MediaUploaded"]["data"]
    assert uploaded["order_id"] == str(order_id)
    assert (uploaded["kind"], uploaded["purpose"]) == ("document", "requirements")
    # Only the verified copy is kept: the upload key is gone.
    assert await rig.store.keys(f"uploads/{order_id}/") == []
    assert await rig.store.keys(f"orders/{order_id}/") == [f"orders/{order_id}/{media_id}"]


async def test_a_photo_carries_its_exif_time_and_place_and_gets_a_thumbnail(rig: Rig) -> None:
    order_id = uuid.uuid4()
    media_id, done = await upload(
        rig,
        order_id,
        jpeg_with_exif(),
        kind="photo",
        purpose="installation",
        content_type="image/jpeg",
    )
    assert done.status_code == 200, done.text
    assert done.json()["taken_at"] == "2024-05-01T10:20:30+03:00"
    assert done.json()["location"] == {"lat": 55.7559167, "lon": 37.6166667}

    events = await events_of(
        rig.bootstrap, media_id, {"media.MediaUploaded", "media.ThumbnailReady"}
    )
    uploaded = events["media.MediaUploaded"]["data"]
    assert uploaded["taken_at"].startswith("2024-05-01T10:20:30")
    assert uploaded["location"] == {"lat": 55.7559167, "lon": 37.6166667}
    assert events["media.ThumbnailReady"]["stream_version"] == 2

    thumb_key = f"orders/{order_id}/{media_id}.thumb.jpg"
    assert thumb_key in await rig.store.keys(f"orders/{order_id}/")
    item = (await rig.http.get(f"/media/{media_id}", headers=MANAGER)).json()
    thumb = await rig.s3.get(item["thumbnail_url"])
    assert max(Image.open(io.BytesIO(thumb.content)).size) == 320


async def test_an_iphone_heic_photo_is_accepted(rig: Rig) -> None:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), "green").save(out, "HEIF")
    _, done = await upload(
        rig,
        uuid.uuid4(),
        out.getvalue(),
        kind="photo",
        purpose="measurement",
        content_type="image/heic",
    )
    assert done.status_code == 200, done.text


async def test_a_docx_is_accepted_and_a_docx_declared_as_xlsx_is_not(rig: Rig) -> None:
    order_id = uuid.uuid4()
    _, done = await upload(rig, order_id, office_bytes("word"), content_type=DOCX)
    assert done.status_code == 200, done.text
    _, refused = await upload(rig, order_id, office_bytes("word"), content_type=XLSX)
    assert refused.status_code == 422
    assert refused.json()["code"] == "content_mismatch"


async def test_a_retry_with_the_same_client_key_gets_the_same_media_and_a_fresh_url(
    rig: Rig,
) -> None:
    order_id, data = uuid.uuid4(), pdf_bytes()
    first = await start_upload(rig, order_id, data, client_key="k-42")
    again = await start_upload(rig, order_id, data, client_key="k-42")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["media_id"] == again.json()["media_id"]
    assert (await rig.s3.put(again.json()["upload_url"], content=data)).status_code == 200
    media_id = first.json()["media_id"]
    done = await rig.http.post(f"/media/{media_id}/complete", headers=MANAGER)
    twice = await rig.http.post(f"/media/{media_id}/complete", headers=MANAGER)
    assert (done.status_code, twice.status_code) == (200, 200)
    assert twice.json()["status"] == "ready"
    after = await start_upload(rig, order_id, data, client_key="k-42")
    assert after.status_code == 409
    assert after.json()["code"] == "already_ready"
