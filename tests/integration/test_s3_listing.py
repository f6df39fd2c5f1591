"""The guard answers the broker's listings from its own index (deploy/local/s3_listing.py):
what it lists is what rclone lists, after writes and deletes through it, and a listing it
cannot vouch for (unsigned, signed with another key, stale, another shape) is rclone's."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import secrets
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from minio import Minio
from minio.credentials.credentials import Credentials as MinioCredentials
from minio.signer import sign_v4_s3

from deploy.local.broker import REGION
from deploy.local.object_store import LocalObjectStore
from deploy.local.ports import free_port
from deploy.local.s3_guard import S3Guard
from deploy.local.s3_listing import Credentials, signed_by

BUCKET = "kafka"
PREFIX = "clusters/c/topics/t/partitions/0000000000/records/"
NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[LocalObjectStore]:
    access, secret = "OMS" + secrets.token_hex(9).upper(), secrets.token_hex(20)
    component = LocalObjectStore(tmp_path / "s3", free_port(), access, secret)
    (tmp_path / "s3" / BUCKET).mkdir(parents=True)
    component.start()
    yield component
    component.stop()


@pytest.fixture
def guard(store: LocalObjectStore) -> Iterator[S3Guard]:
    upstream = urllib.parse.urlsplit(store.endpoint).port
    assert upstream is not None
    component = S3Guard(
        free_port(), upstream, store.data_dir, Credentials(store.access_key, store.secret_key)
    )
    component.start()
    yield component
    component.stop()


def client(endpoint: str, store: LocalObjectStore) -> Minio:
    netloc = urllib.parse.urlsplit(endpoint).netloc
    return Minio(netloc, store.access_key, store.secret_key, secure=False, region=REGION)


def sign(
    url: urllib.parse.SplitResult, access: str, secret: str, at: dt.datetime
) -> dict[str, str]:
    """A GET of `url` signed (SigV4 headers) as the broker signs it."""
    empty = hashlib.sha256(b"").hexdigest()
    headers: dict[str, str | list[str] | tuple[str]] = {
        "Host": url.netloc,
        "x-amz-content-sha256": empty,
        "x-amz-date": at.strftime("%Y%m%dT%H%M%SZ"),
    }
    signed = sign_v4_s3(
        method="GET",
        url=url,
        region=REGION,
        headers=headers,
        credentials=MinioCredentials(access, secret),
        content_sha256=empty,
        date=at,
    )
    return {name: str(value) for name, value in signed.items()}


def list_as_tansu(
    endpoint: str,
    access: str,
    secret: str,
    prefix: str = PREFIX,
    at: dt.datetime | None = None,
    extra: str = "",
) -> httpx.Response:
    """`GET /bucket?list-type=2&prefix=...`, signed as the broker signs it."""
    query = f"list-type=2&prefix={urllib.parse.quote(prefix, safe='')}{extra}"
    url = urllib.parse.urlsplit(f"{endpoint}/{BUCKET}?{query}")
    return httpx.get(url.geturl(), headers=sign(url, access, secret, at or dt.datetime.now(dt.UTC)))


def entries(reply: httpx.Response) -> list[tuple[str, str, str]]:
    assert reply.status_code == 200, reply.text
    root = ET.fromstring(reply.content)  # noqa: S314 - our own local server's answer
    return [
        (
            c.findtext(f"{NS}Key") or "",
            c.findtext(f"{NS}Size") or "",
            (c.findtext(f"{NS}ETag") or "").strip('"'),
        )
        for c in root.iter(f"{NS}Contents")
    ]


def put(s3: Minio, key: str, data: bytes) -> None:
    s3.put_object(BUCKET, key, io.BytesIO(data), len(data))


def test_the_guards_listing_is_rclones_through_writes_and_deletes(
    store: LocalObjectStore, guard: S3Guard
) -> None:
    through = client(guard.endpoint, store)
    for n in range(5):
        put(through, f"{PREFIX}{n:020d}.batch", secrets.token_bytes(100 + n))
    put(through, "clusters/c/topics/t/partitions/0000000000/watermark.json", b"{}")
    keys = (store.access_key, store.secret_key)
    first = entries(list_as_tansu(guard.endpoint, *keys))  # read from the folder
    assert first == entries(list_as_tansu(store.endpoint, *keys))
    assert [k for k, _, _ in first] == [f"{PREFIX}{n:020d}.batch" for n in range(5)]
    # kept current from the writes it forwards, not read again
    put(through, f"{PREFIX}{7:020d}.batch", b"seven")
    put(through, f"{PREFIX}{1:020d}.batch", b"one, rewritten")
    through.remove_object(BUCKET, f"{PREFIX}{3:020d}.batch")
    after = entries(list_as_tansu(guard.endpoint, *keys))
    assert after == entries(list_as_tansu(store.endpoint, *keys))
    assert len(after) == 5
    assert (f"{PREFIX}{7:020d}.batch", "5", hashlib.md5(b"seven").hexdigest()) in after  # noqa: S324


def test_an_empty_prefix_lists_nothing(store: LocalObjectStore, guard: S3Guard) -> None:
    reply = list_as_tansu(guard.endpoint, store.access_key, store.secret_key, "nothing/here/")
    assert entries(reply) == []


def test_a_listing_the_guard_cannot_vouch_for_is_rclones(
    store: LocalObjectStore, guard: S3Guard
) -> None:
    put(client(guard.endpoint, store), f"{PREFIX}{1:020d}.batch", b"x")
    wrong = list_as_tansu(guard.endpoint, store.access_key, "not-the-secret-at-all-0000")
    stale = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    old = list_as_tansu(guard.endpoint, store.access_key, store.secret_key, at=stale)
    unsigned = httpx.get(f"{guard.endpoint}/{BUCKET}?list-type=2&prefix={PREFIX}")
    for refused in (wrong, old, unsigned):  # rclone's refusals, passed on
        assert refused.status_code in (400, 403), refused.text
        assert b"<Contents>" not in refused.content
    # another shape (a page size): rclone answers it, the same objects
    paged = list_as_tansu(
        guard.endpoint, store.access_key, store.secret_key, extra="&max-keys=1000"
    )
    assert [k for k, _, _ in entries(paged)] == [f"{PREFIX}{1:020d}.batch"]


def test_the_signature_check_is_sigv4() -> None:
    keys = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    at = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
    url = urllib.parse.urlsplit("http://127.0.0.1:9000/kafka?list-type=2&prefix=a%2Fb%2F")
    signed = sign(url, keys.access_key, keys.secret_key, at)
    path = f"{url.path}?{url.query}"
    assert signed_by(keys, "GET", path, signed, now=at)
    assert not signed_by(keys, "PUT", path, signed, now=at)
    assert not signed_by(keys, "GET", path.replace("a%2Fb", "a%2Fc"), signed, now=at)
    assert not signed_by(Credentials("AKIDEXAMPLE", "other"), "GET", path, signed, now=at)
    assert not signed_by(keys, "GET", path, signed, now=at + dt.timedelta(minutes=16))
    assert not signed_by(keys, "GET", path, {**signed, "Authorization": "Basic x"}, now=at)


def test_an_upload_in_flight_is_not_listed(store: LocalObjectStore, guard: S3Guard) -> None:
    """rclone writes an upload to `.rclone_temp_put_<uuid>` beside its final name and renames
    it when the body is complete. A listing the guard reads from the folder while an upload is
    in flight (the first after a broker's restart, when producers write at once) must not take
    that name in: the rename never passes through the guard, so it would be listed for good,
    and Tansu, which parses the first 20 characters of each name as an offset, failed every
    fetch of that partition with ParseInt(InvalidDigit) (the fault run's stall after kill -9)."""
    put(client(guard.endpoint, store), f"{PREFIX}{1:020d}.batch", b"done")
    s3 = client(store.endpoint, store)
    url = s3.presigned_put_object(BUCKET, f"{PREFIX}{2:020d}.batch")
    size, release = 4_000_000, threading.Event()

    def body() -> Iterator[bytes]:
        yield b"x" * (size // 2)
        release.wait(30)
        yield b"x" * (size - size // 2)

    uploading = threading.Thread(
        target=lambda: httpx.put(url, content=body(), headers={"Content-Length": str(size)}),
        daemon=True,
    )
    uploading.start()
    folder = store.data_dir / BUCKET / PREFIX
    try:
        deadline = time.monotonic() + 20
        while not [p for p in folder.iterdir() if p.name.startswith(".rclone_temp")]:
            assert time.monotonic() < deadline, "rclone never started writing the upload"
            time.sleep(0.05)
        guard.start()  # as after a broker's restart: the index is read from the folder again
        listed = entries(list_as_tansu(guard.endpoint, store.access_key, store.secret_key))
        assert [k for k, _, _ in listed] == [f"{PREFIX}{1:020d}.batch"]
    finally:
        release.set()
        uploading.join(30)
