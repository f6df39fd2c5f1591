"""Media uploads: MB/s through presigned URLs (declare, PUT, complete = validate) against a
raw `put_object` of the same files into the same object store.

The gap is what validation costs: a server-side copy (the verified bytes are a copy no URL
can overwrite), ranged reads of the head, and for photos a spool to disk and a full decode.
"""

from __future__ import annotations

import asyncio
import io
import os
import secrets
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from minio import Minio
from PIL import Image

from bench import costs
from bench.rounds import alternate
from deploy.local.object_store import LocalObjectStore
from deploy.local.ports import free_port
from plumbing.actor import signing_hook
from services.media.bootstrap import Settings, build

ROW = "{:<30}{:>12}{:>12}{:>9}"
MANAGER = {"X-Actor-Id": str(uuid.uuid4()), "X-Actor-Username": "bench", "X-Actor-Role": "manager"}


@asynccontextmanager
async def _object_store() -> AsyncIterator[tuple[str, str, str, str]]:
    """(endpoint, access key, secret key, origin): S3_ENDPOINT if set, else a local rclone."""
    if os.environ.get("S3_ENDPOINT"):
        yield (
            os.environ["S3_ENDPOINT"],
            os.environ.get("S3_ACCESS_KEY", ""),
            os.environ.get("S3_SECRET_KEY", ""),
            "S3_ENDPOINT",
        )
        return
    root = Path(tempfile.mkdtemp(prefix="oms-bench-s3-"))
    access, secret = "bench" + secrets.token_hex(10), secrets.token_hex(20)
    store = LocalObjectStore(root / "s3", free_port(), access, secret, log_dir=root / "logs")
    await asyncio.to_thread(store.start)
    costs.register("object store (rclone)", lambda: [store.pid] if store.pid else [])
    try:
        yield store.endpoint, access, secret, "local (rclone serve s3, disk)"
    finally:
        await asyncio.to_thread(store.stop)


def _photo(megabytes: float) -> bytes:
    """A JPEG of noise: noise does not compress, so the size is what we ask for."""
    edge = int((megabytes * 1024 * 1024 / 1.2) ** 0.5)
    out = io.BytesIO()
    Image.frombytes("L", (edge, edge), os.urandom(edge * edge)).save(out, "JPEG", quality=95)
    return out.getvalue()


def _pdf(megabytes: float) -> bytes:
    edge = int((megabytes * 1024 * 1024 / 1.2) ** 0.5)
    out = io.BytesIO()
    Image.frombytes("L", (edge, edge), os.urandom(edge * edge)).save(out, "PDF")
    return out.getvalue()


async def _presigned(
    http: httpx.AsyncClient, s3: httpx.AsyncClient, kind: str, data: bytes, parallel: int
) -> None:
    purpose, content_type = ("installation", "image/jpeg")
    if kind == "document":
        purpose, content_type = "requirements", "application/pdf"

    async def one() -> None:
        body = {
            "kind": kind,
            "purpose": purpose,
            "filename": "f",
            "content_type": content_type,
            "size": len(data),
        }
        started = await http.post(f"/orders/{uuid.uuid4()}/media", json=body, headers=MANAGER)
        started.raise_for_status()
        (await s3.put(started.json()["upload_url"], content=data)).raise_for_status()
        done = await http.post(f"/media/{started.json()['media_id']}/complete", headers=MANAGER)
        done.raise_for_status()

    await asyncio.gather(*(one() for _ in range(parallel)))


def _scan(megabytes: float) -> bytes:
    """A PDF-looking file of noise, as large as asked (long enough to go up in parts)."""
    size = int(megabytes * 1024 * 1024)
    head, tail = b"%PDF-1.4\n%", b"\n%%EOF\n"
    return head + os.urandom(size - len(head) - len(tail)) + tail


async def _in_parts(http: httpx.AsyncClient, s3: httpx.AsyncClient, data: bytes) -> None:
    """As the web app sends a file longer than one part: declare, ask for the part URLs,
    PUT three parts at once, complete (which joins the parts and verifies the whole)."""
    body = {
        "kind": "document",
        "purpose": "requirements",
        "filename": "f",
        "content_type": "application/pdf",
        "size": len(data),
    }
    started = await http.post(f"/orders/{uuid.uuid4()}/media", json=body, headers=MANAGER)
    started.raise_for_status()
    media_id, size = started.json()["media_id"], started.json()["part_size"]
    numbers = list(range(1, started.json()["part_count"] + 1))
    signed = await http.post(f"/media/{media_id}/parts", json={"numbers": numbers}, headers=MANAGER)
    signed.raise_for_status()
    lanes = asyncio.Semaphore(3)

    async def put(part: dict[str, Any]) -> None:
        start = (part["number"] - 1) * size
        async with lanes:
            sent = await s3.put(part["upload_url"], content=data[start : start + part["size"]])
            sent.raise_for_status()

    await asyncio.gather(*(put(p) for p in signed.json()["parts"]))
    done = await http.post(f"/media/{media_id}/complete", headers=MANAGER)
    done.raise_for_status()


async def run_media_bench(
    database_url: str,
    kafka_bootstrap: str,
    *,
    files: int = 8,
    megabytes: float = 4.0,
    parallel: int = 4,
    rounds: int = 3,
) -> list[str]:
    """Printing-ready lines: a header and one row per (kind, concurrency), MB/s and ratio."""
    lines = [ROW.format("media uploads", "ours MB/s", "raw MB/s", "ratio")]
    async with _object_store() as (endpoint, access, secret, origin):
        settings = Settings(
            database_url=database_url,
            db_schema=f"bench_media_{uuid.uuid4().hex[:8]}",
            kafka_bootstrap=kafka_bootstrap,
            s3_endpoint=endpoint,
            s3_access_key=access,
            s3_secret_key=secret,
            s3_bucket=f"bench-media-{uuid.uuid4().hex[:8]}",
            sweep_interval_s=3600,
        )
        app = build(settings)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app),
                base_url="http://m",
                event_hooks={"request": [signing_hook(settings.internal_signing_key, "media")]},
            ) as http,
            httpx.AsyncClient(timeout=120) as s3,
        ):
            store = app.state.store
            for kind, data in (("photo", _photo(megabytes)), ("document", _pdf(megabytes))):
                for width in (1, parallel):
                    total_mb = len(data) * files * width / 1024 / 1024

                    async def ours(
                        kind: str = kind, data: bytes = data, width: int = width
                    ) -> float:
                        started = time.perf_counter()
                        for _ in range(files):
                            await _presigned(http, s3, kind, data, width)
                        return time.perf_counter() - started

                    async def raw(data: bytes = data, width: int = width) -> float:
                        started = time.perf_counter()
                        for _ in range(files):
                            await asyncio.gather(
                                *(_raw_put(store.client, store.bucket, data) for _ in range(width))
                            )
                        return time.perf_counter() - started

                    mine, theirs = await alternate(
                        rounds, int(total_mb * 1000), ours, raw, f"{kind} x{width}"
                    )
                    label = f"  {kind} {len(data) / 1024 / 1024:.1f} MB x{width} parallel"
                    lines.append(
                        ROW.format(
                            label,
                            f"{mine / 1000:,.1f}",
                            f"{theirs / 1000:,.1f}",
                            f"{mine / theirs:.2f}",
                        )
                    )
            # A file longer than one part (a multipart upload, resumable part by part).
            data = _scan(max(12.0, megabytes * 3))

            async def in_parts(data: bytes = data) -> float:
                started = time.perf_counter()
                for _ in range(files):
                    await _in_parts(http, s3, data)
                return time.perf_counter() - started

            async def raw_one(data: bytes = data) -> float:
                started = time.perf_counter()
                for _ in range(files):
                    await _raw_put(store.client, store.bucket, data)
                return time.perf_counter() - started

            total_mb = len(data) * files / 1024 / 1024
            mine, theirs = await alternate(
                rounds, int(total_mb * 1000), in_parts, raw_one, "upload in parts"
            )
            label = f"  document {len(data) / 1024 / 1024:.1f} MB in parts"
            lines.append(
                ROW.format(
                    label, f"{mine / 1000:,.1f}", f"{theirs / 1000:,.1f}", f"{mine / theirs:.2f}"
                )
            )
    lines.append(f"object store: {origin}; {files} files per round per lane")
    lines.append("ours: POST declare + presigned PUT + POST complete (copy, sniff, decode photos);")
    lines.append(
        "in parts: declare + POST parts + 3 part PUTs at once + complete (join, copy, sniff);"
    )
    lines.append("raw: minio put_object of the same bytes, same store and concurrency")
    return lines


async def _raw_put(client: Minio, bucket: str, data: bytes) -> None:
    await asyncio.to_thread(
        client.put_object, bucket, f"raw/{uuid.uuid4()}", io.BytesIO(data), len(data)
    )


if __name__ == "__main__":  # `python -m bench.media`: this section alone
    from bench.components import components, fresh_database

    async def _main() -> None:
        with components() as parts:
            async with fresh_database(parts.server_url) as url:
                for line in await run_media_bench(url, parts.kafka_bootstrap, files=2, rounds=1):
                    print(line)

    asyncio.run(_main())
