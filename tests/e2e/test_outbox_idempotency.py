"""What a phone's outbox sends, sent twice, does nothing twice (issue 15): a task completion
under the same Idempotency-Key answers the first result, and another body under it is refused;
a media upload under the same client_key is the same item for the same person on the same
order, another person's or another order's is not theirs; completing an upload again answers
the same item. Through the running gateway, as the demo roles."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from deploy.local.stack import Stack
from tests.e2e.conftest import book_visit, login
from tests.e2e.test_booking_idempotency import _setup
from tests.e2e.test_first_slice import ORDER
from tests.e2e.test_security_uploads import Site, declared, jpeg, site, start

__all__ = ["site"]  # the fixture, imported to be used here

RESULTS: dict[str, Any] = {"rooms": [{"name": "Прихожая", "width_mm": 2400, "height_mm": 2700}]}


async def _measurement_task(api: httpx.AsyncClient) -> tuple[dict[str, str], str, str]:
    manager, order_id, body = await _setup(api)
    booked = await book_visit(api, manager, order_id, body)
    assert booked.status_code == 201, booked.text
    measurer = await login(api, "measurer")
    return measurer, order_id, booked.json()["task_id"]


async def test_a_completion_sent_again_under_its_key_answers_the_first(
    api: httpx.AsyncClient,
) -> None:
    measurer, order_id, task_id = await _measurement_task(api)
    keyed = {**measurer, "Idempotency-Key": "outbox-done-1"}
    body = {"note": "всё по месту", "results": RESULTS}
    first = await api.post(f"/api/v1/tasks/{task_id}/complete", json=body, headers=keyed)
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "done"
    again = await api.post(f"/api/v1/tasks/{task_id}/complete", json=body, headers=keyed)
    assert again.status_code == 200, again.text
    assert again.json() == first.json()

    # One completion on the order: the repeat wrote nothing.
    tasks = await api.get("/api/v1/tasks", params={"order_id": order_id}, headers=measurer)
    done = [t for t in tasks.json() if t["id"] == task_id]
    assert [t["completed_at"] for t in done] == [first.json()["completed_at"]]

    # Another body under the same key is a mistake, said as such.
    other = {"note": "другое", "results": RESULTS}
    reused = await api.post(f"/api/v1/tasks/{task_id}/complete", json=other, headers=keyed)
    assert reused.status_code == 422, reused.text
    assert reused.json()["code"] == "idempotency_key_reused"

    # Without the key (or with another) a closed task stays the 409 it was.
    plain = await api.post(f"/api/v1/tasks/{task_id}/complete", json=body, headers=measurer)
    assert plain.status_code == 409, plain.text
    assert plain.json()["code"] == "task_not_open"
    fresh = {**measurer, "Idempotency-Key": "outbox-done-2"}
    other_key = await api.post(f"/api/v1/tasks/{task_id}/complete", json=body, headers=fresh)
    assert other_key.status_code == 409, other_key.text


async def test_someone_elses_repeat_of_the_key_is_not_a_replay(api: httpx.AsyncClient) -> None:
    measurer, _, task_id = await _measurement_task(api)
    keyed = {**measurer, "Idempotency-Key": "shared-key"}
    first = await api.post(f"/api/v1/tasks/{task_id}/complete", json={}, headers=keyed)
    assert first.status_code == 200, first.text
    manager = {**await login(api, "manager"), "Idempotency-Key": "shared-key"}
    theirs = await api.post(f"/api/v1/tasks/{task_id}/complete", json={}, headers=manager)
    assert theirs.status_code == 409, theirs.text


async def test_racing_repeats_complete_once(api: httpx.AsyncClient) -> None:
    measurer, _, task_id = await _measurement_task(api)
    keyed = {**measurer, "Idempotency-Key": "raced-done"}
    body = {"results": RESULTS}
    url = f"/api/v1/tasks/{task_id}/complete"
    replies = await asyncio.gather(*(api.post(url, json=body, headers=keyed) for _ in range(3)))
    assert {r.status_code for r in replies} == {200}, [r.text for r in replies]
    assert len({r.json()["completed_at"] for r in replies}) == 1


async def test_an_upload_key_is_the_persons_on_the_order(
    site: Site, api: httpx.AsyncClient, stack: Stack
) -> None:
    data = jpeg()
    body = {**declared("photo", "installation", data, "image/jpeg"), "client_key": "phone-1"}
    first = await start(site, "installer", body)
    assert first.status_code == 201, first.text
    again = await start(site, "installer", body)
    assert again.status_code == 200, again.text
    assert again.json()["media_id"] == first.json()["media_id"]

    # The same key from someone else on the same order is another item, not theirs to take.
    body_m = {**declared("photo", "measurement", data, "image/jpeg"), "client_key": "phone-1"}
    theirs = await start(site, "measurer", body_m)
    assert theirs.status_code == 201, theirs.text
    assert theirs.json()["media_id"] != first.json()["media_id"]

    # The same person's key on another order is another item too.
    other = await api.post("/api/v1/orders", json=ORDER, headers=site.heads["manager"])
    assert other.status_code == 201, other.text
    elsewhere = await api.post(
        f"/api/v1/orders/{other.json()['id']}/media", headers=site.heads["manager"], json=body
    )
    assert elsewhere.status_code == 201, elsewhere.text
    assert elsewhere.json()["media_id"] != first.json()["media_id"]


async def test_completing_an_upload_again_answers_the_same_item(site: Site) -> None:
    data = jpeg()
    body = {**declared("photo", "installation", data, "image/jpeg"), "client_key": "phone-2"}
    started = await start(site, "installer", body)
    assert started.status_code == 201, started.text
    async with httpx.AsyncClient(timeout=30) as raw:
        put = await raw.put(started.json()["upload_url"], content=data)
    assert put.status_code == 200, put.text
    media_id = started.json()["media_id"]
    url = f"/api/v1/media/{media_id}/complete"
    first = await site.api.post(url, headers=site.heads["installer"])
    assert first.status_code == 200, first.text
    again = await site.api.post(url, headers=site.heads["installer"])
    assert again.status_code == 200, again.text
    same = ("media_id", "status", "size", "taken_at", "location", "uploaded_by")
    assert {k: again.json().get(k) for k in same} == {k: first.json().get(k) for k in same}

    # The outbox asking for the slot again after a lost answer learns the item is there.
    late = await start(site, "installer", body)
    assert late.status_code == 409, late.text
    assert late.json()["code"] == "already_ready"
    assert late.json()["media_id"] == media_id
    listed = await site.api.get(f"/api/v1/orders/{site.oid}/media", headers=site.heads["installer"])
    assert [m["media_id"] for m in listed.json()].count(media_id) == 1
