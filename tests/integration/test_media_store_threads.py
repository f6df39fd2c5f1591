"""The media service's object-store calls run on a few threads of the adapter's own, however
many are in flight (issue 19: spread over asyncio's default pool, each of its threads kept a
malloc arena of its own and the service's memory crept up per upload). Against the real local
S3 server; the minio client's calls are wrapped only to note which thread made them."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from services.media.adapters.object_store import STORE_THREADS, ObjectStore
from tests.conftest import Infra


def _noting(call: Callable[..., Any], threads: set[str]) -> Callable[..., Any]:
    def noted(*args: Any, **kwargs: Any) -> Any:
        threads.add(threading.current_thread().name)
        return call(*args, **kwargs)

    return noted


async def test_store_calls_stay_on_a_few_threads_of_the_adapters_own(
    infra: Infra, tmp_path: Path
) -> None:
    store = ObjectStore(
        infra.s3_endpoint,
        infra.s3_access_key,
        infra.s3_secret_key,
        f"threads-{uuid.uuid4().hex[:8]}",
    )
    await store.ensure_bucket()
    source = tmp_path / "photo.jpg"
    source.write_bytes(b"\xff\xd8\xff" + bytes(200_000))
    await store.upload_file("upload", source, "image/jpeg")
    threads: set[str] = set()
    for name in ("stat_object", "copy_object", "get_object", "fget_object"):
        setattr(store.client, name, _noting(getattr(store.client, name), threads))

    async def one_upload(n: int) -> None:  # what verification does with one upload
        assert await store.copy("upload", f"kept/{n}")
        assert await store.stat(f"kept/{n}") is not None
        assert await store.read_range(f"kept/{n}", 0, 16) == source.read_bytes()[:16]
        await store.download(f"kept/{n}", tmp_path / f"spool-{n}")

    await asyncio.gather(*(one_upload(n) for n in range(STORE_THREADS * 5)))

    assert threads, "no store call was seen"
    assert all(name.startswith("object-store") for name in threads), threads
    assert len(threads) <= STORE_THREADS
    assert (tmp_path / "spool-0").read_bytes() == source.read_bytes()
