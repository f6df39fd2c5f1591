"""The media service when its object store fails or is full (issue 19, found by the fault run's
`error:object-store` and `full:object-store`): completing an upload answers 503 with
Retry-After and a code saying which (`storage_unavailable`, `storage_full`), never 500, and
the upload stays pending, so the same completion succeeds once the store is back. The store
is the real local S3 server behind a fault proxy (deploy/local/faultproxy.py) that answers
for it: 507 as a full MinIO does, 500, or nothing at all."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from chaos.faults import S3_ERRORS
from deploy.local.faultproxy import FaultProxy
from tests.conftest import Infra
from tests.integration.test_media_upload import MANAGER, Rig, open_rig, pdf_bytes, start_upload


@pytest.fixture(scope="module")
def front(infra: Infra) -> Iterator[FaultProxy]:
    proxy = FaultProxy("s3")
    proxy.point(infra.s3_endpoint)
    proxy.start()
    yield proxy
    proxy.stop()


@pytest.fixture(scope="module")
async def rig(infra: Infra, database_url: str, front: FaultProxy) -> AsyncIterator[Rig]:
    through = dataclasses.replace(infra, s3_endpoint=front.url)
    async with open_rig(through, database_url) as opened:
        yield opened


@pytest.fixture(autouse=True)
def store_back(front: FaultProxy) -> Iterator[None]:
    yield
    front.passing()


async def uploaded(rig: Rig) -> str:
    """An upload declared and PUT while the store is well: only completion meets the fault."""
    data = pdf_bytes()
    started = await start_upload(rig, uuid.uuid4(), data)
    assert started.status_code == 201, started.text
    sent = await rig.s3.put(started.json()["upload_url"], content=data)
    assert sent.status_code == 200, sent.text
    return str(started.json()["media_id"])


async def complete(rig: Rig, media_id: str) -> httpx.Response:
    return await rig.http.post(f"/media/{media_id}/complete", headers=MANAGER)


def assert_retry_later(reply: httpx.Response, code: str) -> None:
    assert reply.status_code == 503, reply.text
    assert reply.json()["code"] == code, reply.text
    assert int(reply.headers["Retry-After"]) > 0


@pytest.mark.parametrize(("status", "code"), [(507, "storage_full"), (500, "storage_unavailable")])
async def test_a_store_that_answers_an_error_is_a_503_and_the_upload_completes_later(
    rig: Rig, front: FaultProxy, status: int, code: str
) -> None:
    media_id = await uploaded(rig)
    front.answer(status, S3_ERRORS[status], "application/xml")
    assert_retry_later(await complete(rig, media_id), code)
    front.passing()
    done = await complete(rig, media_id)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "ready"


async def test_a_store_out_of_reach_is_a_503_and_the_upload_completes_later(
    rig: Rig, front: FaultProxy
) -> None:
    media_id = await uploaded(rig)
    front.offline()
    assert_retry_later(await complete(rig, media_id), "storage_unavailable")
    front.online()
    done = await complete(rig, media_id)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "ready"
