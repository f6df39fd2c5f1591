"""Object storage (S3 / MinIO) through the minio client. The client is blocking: every call
runs in a worker thread so the event loop never waits on the network."""

from __future__ import annotations

import asyncio
from urllib.parse import urlparse

from minio import Minio


class ObjectStore:
    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        bucket: str,
        region: str = "us-east-1",
    ) -> None:
        url = urlparse(endpoint)
        self.bucket = bucket
        self.client = Minio(
            url.netloc,
            access_key=access_key,
            secret_key=secret_key,
            secure=url.scheme == "https",
            region=region,
        )

    async def ensure_bucket(self) -> None:
        def make() -> None:
            if not self.client.bucket_exists(self.bucket):
                self.client.make_bucket(self.bucket)

        await asyncio.to_thread(make)

    async def ping(self) -> None:
        await asyncio.to_thread(self.client.bucket_exists, self.bucket)
