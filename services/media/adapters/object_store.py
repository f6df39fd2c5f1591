"""Object storage (S3 / MinIO) through the minio client. The client is blocking: every call
runs in a worker thread so the event loop never waits on the network.

The worker threads are this adapter's own, a few (STORE_THREADS), not asyncio's default pool
(cores + 4, shared with every other blocking call): every thread that allocates gets a glibc
malloc arena of its own, which keeps what was freed in it for reuse, and minio's downloads
read 1 MiB chunks. A bound like the decoders' (imaging.py). Issue 19's driven uploads showed
the service's own memory rising for the first few hundred uploads and then swinging between
72 and 87 MB over 2,000, with this pool or without it.

Two clients: one talks to the store from inside the system (`endpoint`); the other only
signs URLs for the address clients use (`public_endpoint`: a phone cannot reach a cluster
DNS name, and the host is part of the signature). Its region is set, so signing needs no
network call (minio would otherwise ask the store for the bucket's region). Upload URLs are
signed by `presign.py` instead, which binds them to the declared Content-Length.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ParamSpec, TypeVar
from urllib.parse import quote, urlparse

import urllib3
from minio import Minio
from minio.commonconfig import CopySource
from minio.datatypes import Part
from minio.deleteobjects import DeleteObject
from minio.error import InvalidResponseError, S3Error, ServerError

from plumbing.threads import run_on
from services.media.adapters.presign import presigned_url
from services.media.application.ports import (
    HeldPart,
    ObjectInfo,
    StorageFull,
    StorageUnavailable,
)

MISSING = frozenset({"NoSuchKey", "NoSuchObject", "NotFound"})
NO_UPLOAD = frozenset({"NoSuchUpload", *MISSING})
# What stores answer when out of room: MinIO's code (HTTP 507), S3's for a full bucket quota,
# and the OS's words that rclone passes on from its disk.
FULL = frozenset({"XMinioStorageFull", "StorageFull", "InsufficientStorage", "QuotaExceeded"})
_FULL_WORDS = ("no space left on device", "disk quota exceeded")
_CODE = re.compile(r"<Code>([^<]+)</Code>")
_P = ParamSpec("_P")
_T = TypeVar("_T")
# Store calls at once: the work slots' copies, spools and thumbnails (2 by default) plus
# presigning and the sweeper; a call beyond waits for a thread, not for the network.
STORE_THREADS = 4


def error_code(exc: Exception) -> str | None:
    """The S3 error code. rclone answers multipart errors as `text/xml`, which minio-py does
    not take for XML: it raises InvalidResponseError with the body, where the code is."""
    if isinstance(exc, S3Error):
        return exc.code
    if isinstance(exc, InvalidResponseError):
        found = _CODE.search(str(exc))
        return found.group(1) if found else None
    return None


def store_failure(exc: BaseException) -> StorageUnavailable | None:
    """The store's own failure behind `exc`, as the application's StorageUnavailable, or None
    for an answer about the request (a missing key, a refused signature: the caller's).

    A 5xx of the store, an answer that is not S3's, a connection refused or cut, and minio's
    retries of 500/502/503/504 given up (urllib3's MaxRetryError) are all "the store is not
    there": before this, each came out of the media service as a 500."""
    text = str(exc).lower()
    full = any(words in text for words in _FULL_WORDS)
    if isinstance(exc, S3Error):
        status = getattr(exc.response, "status", 0) or 0
        if exc.code in FULL or full or status == 507:
            return StorageFull("the object store is full; try again once space is freed")
        if status >= 500:
            return StorageUnavailable(f"the object store failed ({exc.code}); try again shortly")
        return None
    if isinstance(exc, InvalidResponseError | ServerError):
        code = error_code(exc) if isinstance(exc, InvalidResponseError) else None
        if code in FULL or full or "507" in text:
            return StorageFull("the object store is full; try again once space is freed")
        if code is None or code == "InternalError" or isinstance(exc, ServerError):
            return StorageUnavailable("the object store failed; try again shortly")
        return None
    if isinstance(exc, urllib3.exceptions.HTTPError | ConnectionError | TimeoutError):
        return StorageUnavailable("the object store cannot be reached; try again shortly")
    return None


def _store_call(
    call: Callable[_P, Coroutine[Any, Any, _T]],
) -> Callable[_P, Coroutine[Any, Any, _T]]:
    """The call, with the store's own failures raised as StorageUnavailable (a 503)."""

    @functools.wraps(call)
    async def guarded(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        try:
            return await call(*args, **kwargs)
        except (
            S3Error,
            InvalidResponseError,
            ServerError,
            urllib3.exceptions.HTTPError,
            OSError,
        ) as exc:
            unavailable = store_failure(exc)
            if unavailable is None:
                raise
            raise unavailable from exc

    return guarded


def _client(endpoint: str, access_key: str, secret_key: str, region: str) -> Minio:
    url = urlparse(endpoint)
    return Minio(
        url.netloc,
        access_key=access_key,
        secret_key=secret_key,
        secure=url.scheme == "https",
        region=region,
    )


def content_disposition(filename: str) -> str:
    """An ASCII fallback plus the exact UTF-8 name (RFC 6266), e.g. for `Замер.pdf`."""
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


class ObjectStore:
    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        bucket: str,
        region: str = "us-east-1",
        public_endpoint: str | None = None,
    ) -> None:
        self.bucket = bucket
        self.client = _client(endpoint, access_key, secret_key, region)
        self.signer = _client(public_endpoint or endpoint, access_key, secret_key, region)
        self._signing = (public_endpoint or endpoint, access_key, secret_key, region)
        self._threads = ThreadPoolExecutor(STORE_THREADS, thread_name_prefix="object-store")

    async def _run(self, call: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        """`call` on this adapter's threads (module docstring)."""
        return await run_on(self._threads, call, *args, **kwargs)

    async def ensure_bucket(self) -> None:
        def make() -> None:
            if not self.client.bucket_exists(self.bucket):
                self.client.make_bucket(self.bucket)

        await self._run(make)

    async def ping(self) -> None:
        await self._run(self.client.bucket_exists, self.bucket)

    async def presign_put(self, key: str, ttl: timedelta, size: int) -> str:
        """A PUT URL that the store honours only for a body of exactly `size` bytes: the
        store refuses anything longer before keeping it (no network call: pure signing)."""
        return self._sized_put(key, ttl, size)

    async def presign_part(
        self, key: str, upload_id: str, number: int, ttl: timedelta, size: int
    ) -> str:
        """A URL for one part of a multipart upload, honoured only for exactly `size` bytes
        (UploadPart signed in the query, as minio-py's `get_presigned_url` would with
        `extra_query_params`, but with the length signed as for a whole PUT)."""
        return self._sized_put(
            key, ttl, size, query={"partNumber": str(number), "uploadId": upload_id}
        )

    def _sized_put(
        self, key: str, ttl: timedelta, size: int, query: dict[str, str] | None = None
    ) -> str:
        endpoint, access_key, secret_key, region = self._signing
        return presigned_url(
            "PUT",
            endpoint,
            self.bucket,
            key,
            access_key=access_key,
            secret_key=secret_key,
            region=region,
            expires=ttl,
            now=datetime.now(UTC),
            headers={"Content-Length": str(size)},
            query=query,
        )

    # Multipart calls: minio-py has them only as underscored methods (its own put_object
    # uses them); they are the plain S3 operations CreateMultipartUpload, ListParts,
    # CompleteMultipartUpload and AbortMultipartUpload that MinIO and rclone both serve.
    @_store_call
    async def start_multipart(self, key: str, content_type: str) -> str:
        upload_id: str = await self._run(
            self.client._create_multipart_upload,
            self.bucket,
            key,
            {"Content-Type": content_type},
        )
        return upload_id

    @_store_call
    async def list_parts(self, key: str, upload_id: str) -> list[HeldPart] | None:
        """The parts the store holds, or None when the upload is no longer open."""

        def parts() -> list[HeldPart]:
            found: list[HeldPart] = []
            marker: str | None = None
            while True:
                page = self.client._list_parts(
                    self.bucket, key, upload_id, part_number_marker=marker
                )
                found += [HeldPart(p.part_number, p.size or 0, p.etag) for p in page.parts]
                if not page.is_truncated or not page.next_part_number_marker:
                    return found
                marker = page.next_part_number_marker

        try:
            return await self._run(parts)
        except (S3Error, InvalidResponseError) as exc:
            if error_code(exc) in NO_UPLOAD:
                return None
            raise

    @_store_call
    async def complete_multipart(self, key: str, upload_id: str, parts: Sequence[HeldPart]) -> bool:
        """Join the parts into the object at `key`; False when the upload is no longer open
        (completed by a concurrent call, or aborted)."""
        listed = [Part(p.number, p.etag) for p in sorted(parts, key=lambda p: p.number)]
        try:
            await self._run(
                self.client._complete_multipart_upload, self.bucket, key, upload_id, listed
            )
        except (S3Error, InvalidResponseError) as exc:
            if error_code(exc) in NO_UPLOAD:
                return False
            raise
        return True

    @_store_call
    async def abort_multipart(self, key: str, upload_id: str) -> None:
        """Drop an open multipart upload and its parts; one already gone counts as dropped."""
        try:
            await self._run(self.client._abort_multipart_upload, self.bucket, key, upload_id)
        except (S3Error, InvalidResponseError) as exc:
            if error_code(exc) not in NO_UPLOAD:
                raise

    async def presign_get(
        self, key: str, ttl: timedelta, content_type: str, filename: str | None
    ) -> str:
        # The verified type and the human name travel in the signed URL, so the browser
        # gets them whatever Content-Type the client sent with its PUT.
        headers: dict[str, str | list[str] | tuple[str]] = {"response-content-type": content_type}
        if filename:
            headers["response-content-disposition"] = content_disposition(filename)
        url: str = await self._run(self.signer.presigned_get_object, self.bucket, key, ttl, headers)
        return url

    @_store_call
    async def stat(self, key: str) -> ObjectInfo | None:
        try:
            found = await self._run(self.client.stat_object, self.bucket, key)
        except S3Error as exc:
            if exc.code in MISSING:
                return None
            raise
        return ObjectInfo(size=int(found.size or 0))

    @_store_call
    async def read_range(self, key: str, offset: int, length: int) -> bytes:
        """Exactly the bytes asked for (a ranged GET), never the whole object."""

        def read() -> bytes:
            response = self.client.get_object(self.bucket, key, offset=offset, length=length)
            try:
                return bytes(response.read(length))
            finally:
                response.close()
                response.release_conn()

        if length <= 0:
            return b""
        return await self._run(read)

    @_store_call
    async def download(self, key: str, path: Path) -> None:
        # fget_object streams in chunks to a part file and renames it: nothing in memory.
        await self._run(self.client.fget_object, self.bucket, key, str(path))

    @_store_call
    async def upload_file(self, key: str, path: Path, content_type: str) -> None:
        await self._run(
            self.client.fput_object, self.bucket, key, str(path), content_type=content_type
        )

    @_store_call
    async def copy(self, source: str, target: str) -> bool:
        """Server-side copy; False when the source does not exist."""
        try:
            await self._run(
                self.client.copy_object, self.bucket, target, CopySource(self.bucket, source)
            )
        except S3Error as exc:
            if exc.code in MISSING:
                return False
            raise
        return True

    @_store_call
    async def remove(self, keys: Sequence[str]) -> None:
        """Remove objects; one that is already gone counts as removed."""

        def remove_all() -> None:
            errors = list(self.client.remove_objects(self.bucket, [DeleteObject(k) for k in keys]))
            failed = [e for e in errors if e.code not in MISSING]
            if failed:
                raise RuntimeError(f"could not remove {[e.name for e in failed]}")

        if keys:
            await self._run(remove_all)

    async def keys(self, prefix: str = "") -> list[str]:
        """Every key under a prefix (tests and the benchmark check what is left)."""

        def names() -> list[str]:
            found = self.client.list_objects(self.bucket, prefix=prefix, recursive=True)
            return [str(o.object_name) for o in found]

        return await self._run(names)
