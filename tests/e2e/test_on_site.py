"""Issue 15, "checked on site", through the running system as the demo roles: check-in and
check-out of a visit (who may, which times, idempotency), the site pinned by the first
check-in, and which photos open the installation gate — one from another visit, from
someone who is not the visit's assignee, taken before the booking, or not confirmed on site
and then rejected does not; a confirmed one and one taken on site do. The history says which
photos counted and why; the workload report shows the time on site."""

from __future__ import annotations

import asyncio
import io
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational

from tests.e2e import test_security_tasks
from tests.e2e.test_real_services_flow import eventually
from tests.e2e.test_security_tasks import (
    People,
    book,
    card,
    complete,
    in_shipment_prep,
    move,
    my_open_task,
    unmet,
    until,
)

# The fixture of the issue-11 module (the demo roles plus a second installer), shared: pytest
# finds it under this name here.
people = test_security_tasks.people

SITE = (55.7558, 37.6173)
FAR = (55.7700, 37.6400)  # about 2 km from SITE
NEAR = (55.7566, 37.6178)  # about 95 m from SITE


def _dms(value: float) -> tuple[IFDRational, IFDRational, IFDRational]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60 * 100)
    return IFDRational(degrees), IFDRational(minutes), IFDRational(seconds, 100)


def photo(where: tuple[float, float] | None = None, taken: datetime | None = None) -> bytes:
    """A JPEG with EXIF GPS and capture time, as a phone writes them."""
    exif = Image.Exif()
    if taken is not None:
        exif.get_ifd(ExifTags.IFD.Exif)[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")
        exif.get_ifd(ExifTags.IFD.Exif)[0x9011] = "+00:00"
    if where is not None:
        exif.get_ifd(ExifTags.IFD.GPSInfo).update(
            {1: "N", 2: _dms(where[0]), 3: "E", 4: _dms(where[1])}
        )
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (90, 140, 60)).save(out, "JPEG", exif=exif)
    return out.getvalue()


async def attach(
    p: People, who: str, oid: str, content: bytes, visit_id: str | None = None
) -> httpx.Response:
    """Declare, PUT and complete an installation photo; the declaration's answer when it
    is refused, else the completion's."""
    declared: dict[str, Any] = {
        "kind": "photo",
        "purpose": "installation",
        "filename": f"монтаж-{uuid.uuid4().hex[:4]}.jpg",
        "content_type": "image/jpeg",
        "size": len(content),
    }
    if visit_id is not None:
        declared["visit_id"] = visit_id
    started = await p.api.post(f"/api/v1/orders/{oid}/media", headers=p.heads[who], json=declared)
    if started.status_code != 201:
        return started
    async with httpx.AsyncClient(timeout=30) as raw:
        put = await raw.put(
            started.json()["upload_url"], content=content, headers={"Content-Type": "image/jpeg"}
        )
        assert put.status_code == 200, put.text
    path = f"/api/v1/media/{started.json()['media_id']}/complete"
    done = await p.api.post(path, headers=p.heads[who])
    assert done.status_code == 200, done.text
    return done


async def on_site(
    p: People,
    who: str,
    visit_id: str,
    act: str = "check-in",
    where: tuple[float, float] = SITE,
    key: str | None = None,
    **extra: Any,
) -> httpx.Response:
    body = {"lat": where[0], "lon": where[1], **extra}
    headers = {**p.heads[who], **({"Idempotency-Key": key} if key else {})}
    return await p.api.post(f"/api/v1/visits/{visit_id}/{act}", headers=headers, json=body)


async def in_installation(
    p: People, *, done: bool = True
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A new order in installation with its task done unless `done` is False (then only the
    photos missing): the order id, the delivery visit and the installation visit (the
    installer's)."""
    oid = await in_shipment_prep(p)
    delivery = await book(p, oid, "delivery", "delivery")
    await move(p, oid, "delivery")
    task = await my_open_task(p, "delivery", oid, "delivery")
    assert (await complete(p, "delivery", task["id"])).status_code == 200
    await move(p, oid, "installation")
    install = await book(p, oid, "installation", "installer")
    if not done:
        return oid, delivery, install
    own = await my_open_task(p, "installer", oid, "installation")
    assert (await complete(p, "installer", own["id"], note="смонтировано")).status_code == 200
    await until(p, oid, lambda c: unmet(c) == ["installation_photos_missing"])
    return oid, delivery, install


def photo_of(found: dict[str, Any], media_id: str) -> dict[str, Any]:
    return next(ph for ph in found["photos"] if ph["media_id"] == media_id)


async def review(p: People, media_id: str, decision: str, who: str = "manager") -> httpx.Response:
    body = {"decision": decision, "reason": "проверено по звонку"}
    return await p.api.post(f"/api/v1/media/{media_id}/review", headers=p.heads[who], json=body)


async def test_check_in_and_out_are_the_assignees_validated_and_idempotent(
    people: People,
) -> None:
    p = people
    oid, delivery, install = await in_installation(p)
    vid = install["visit_id"]

    # Who: a manager may not check in for the installer; someone not on the order sees nothing.
    refused = await on_site(p, "manager", vid)
    assert (refused.status_code, refused.json()["code"]) == (403, "not_your_visit")
    refused = await on_site(p, "installer2", vid)
    assert (refused.status_code, refused.json()["code"]) == (404, "not_found")
    # What: a position out of range, a time in the future or before the booking.
    for bad in ({"lat": 91, "lon": 37}, {"lat": 55, "lon": -181}, {"lat": "x", "lon": 1}):
        reply = await p.api.post(
            f"/api/v1/visits/{vid}/check-in", headers=p.heads["installer"], json=bad
        )
        assert reply.status_code == 422, reply.text
    future = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    refused = await on_site(p, "installer", vid, at=future)
    assert (refused.status_code, refused.json()["code"]) == (422, "time_in_future")
    past = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    refused = await on_site(p, "installer", vid, at=past)
    assert (refused.status_code, refused.json()["code"]) == (422, "time_before_booking")
    # Check-out before any check-in.
    refused = await on_site(p, "installer", vid, "check-out")
    assert (refused.status_code, refused.json()["code"]) == (409, "not_checked_in")

    # The phone's time of the act, sent later from its queue, with a key (the visit was
    # booked seconds ago: the act a moment after that, and before now).
    await asyncio.sleep(2)
    arrived = datetime.now(UTC) - timedelta(seconds=1)
    key = str(uuid.uuid4())
    first = await on_site(p, "installer", vid, key=key, accuracy_m=8, at=arrived.isoformat())
    assert first.status_code == 201, first.text
    assert first.json()["check_in"]["lat"] == SITE[0]
    again = await on_site(p, "installer", vid, key=key, accuracy_m=8, at=arrived.isoformat())
    assert (again.status_code, again.json()) == (200, first.json())
    reused = await on_site(p, "installer", vid, key=key, where=FAR, at=arrived.isoformat())
    assert (reused.status_code, reused.json()["code"]) == (422, "idempotency_key_reused")
    twice = await on_site(p, "installer", vid)
    assert (twice.status_code, twice.json()["code"]) == (409, "already_checked_in")

    early = (arrived - timedelta(milliseconds=500)).isoformat()
    refused = await on_site(p, "installer", vid, "check-out", at=early)
    assert (refused.status_code, refused.json()["code"]) == (422, "check_out_before_check_in")
    await asyncio.sleep(4)  # a stay the report's three decimals of an hour can show
    left = await on_site(p, "installer", vid, "check-out", key=str(uuid.uuid4()))
    assert left.status_code == 201, left.text
    refused = await on_site(p, "installer", vid, "check-out")
    assert (refused.status_code, refused.json()["code"]) == (409, "already_checked_out")

    # The order: the site pinned by the check-in, the visit's times, the history's lines.
    found = await until(p, oid, lambda c: c.get("site") is not None)
    assert found["site"] == {"lat": SITE[0], "lon": SITE[1]}
    visits = await p.api.get(f"/api/v1/orders/{oid}/visits", headers=p.heads["installer"])
    mine = next(v for v in visits.json() if v["id"] == vid)
    assert mine["checked_in_at"]
    assert mine["checked_out_at"]

    async def lines(lang: str) -> list[str]:
        reply = await p.api.get(
            f"/api/v1/orders/{oid}/history", headers=p.heads["installer"], params={"lang": lang}
        )
        return [h["summary"] for h in reply.json()]

    ru = await eventually(lambda: _having(lines("ru"), "Отметка на объекте: убыл"))
    assert any(s.startswith("Отметка на объекте: прибыл") for s in ru)
    assert any(s.startswith("Положение объекта закреплено по первой отметке") for s in ru)
    en = await lines("en")
    assert any(s.startswith("Checked in on site at") for s in en)
    assert any(s.startswith("Checked out of the site at") for s in en)

    # A manager re-pins the site; a field role may not.
    refused_pin = await p.api.put(
        f"/api/v1/orders/{oid}/site", headers=p.heads["installer"], json={"lat": 1, "lon": 1}
    )
    assert refused_pin.status_code == 403, refused_pin.text
    repinned = await p.api.put(
        f"/api/v1/orders/{oid}/site", headers=p.heads["manager"], json={"lat": 55.7, "lon": 37.6}
    )
    assert repinned.status_code == 200, repinned.text
    assert repinned.json()["site"] == {"lat": 55.7, "lon": 37.6}

    # The workload report: the installer's time on site (a few seconds).
    async def reported() -> dict[str, Any] | None:
        reply = await p.api.get("/api/v1/reports/workload", headers=p.heads["manager"])
        row = next(r for r in reply.json()["rows"] if r["id"] == p.ids["installer"])
        return row if row["on_site_visits"] >= 1 and row["on_site_hours"] > 0 else None

    row = await eventually(reported)
    assert row["on_site_hours"] < row["on_site_visits"] * 1.0  # these visits lasted seconds
    csv = await p.api.get(
        "/api/v1/reports/workload", headers=p.heads["manager"], params={"format": "csv"}
    )
    assert "on_site_hours" in csv.text.splitlines()[0]
    del delivery


async def _having(lines: Any, prefix: str) -> list[str] | None:
    found: list[str] = await lines
    return found if any(s.startswith(prefix) for s in found) else None


async def test_only_photos_of_the_visit_by_its_assignee_taken_on_site_open_the_gate(
    people: People,
) -> None:
    p = people
    oid, delivery, install = await in_installation(p)
    vid = install["visit_id"]
    assert (await on_site(p, "installer", vid)).status_code == 201
    await until(p, oid, lambda c: c.get("site") is not None)

    async def blocked_by(code: str) -> dict[str, Any]:
        return await until(p, oid, lambda c: unmet(c) == [code])

    # The uploader must be allowed on the visit the photo names.
    refused = await attach(p, "installer", oid, photo(SITE), visit_id=delivery["visit_id"])
    assert (refused.status_code, refused.json()["code"]) == (422, "not_your_visit")
    refused = await attach(p, "installer", oid, photo(SITE), visit_id=str(uuid.uuid4()))
    assert (refused.status_code, refused.json()["code"]) == (422, "unknown_visit")

    # Another visit's photo (the office may name any visit of the order).
    other = await attach(p, "manager", oid, photo(SITE), visit_id=delivery["visit_id"])
    assert other.status_code == 200, other.text
    await blocked_by("installation_photos_not_from_visit")
    # A gallery photo taken before the visit was booked, even with the site's position.
    old = await attach(p, "installer", oid, photo(SITE, datetime(2024, 5, 1, 10, tzinfo=UTC)))
    assert old.status_code == 200, old.text
    await blocked_by("installation_photos_taken_before_booking")
    # Far from the pin: accepted, marked, and waits for a manager, who rejects it.
    far = (await attach(p, "installer", oid, photo(FAR), visit_id=vid)).json()["media_id"]
    found = await blocked_by("installation_photos_unconfirmed")
    assert photo_of(found, far)["site_check"] == "not_confirmed_on_site"
    refused = await review(p, far, "confirm", who="installer")
    assert refused.status_code == 403, refused.text
    assert (await review(p, far, "reject")).status_code == 200
    found = await blocked_by("installation_photos_rejected")
    assert photo_of(found, far)["site_check"] == "rejected"
    gate = await p.api.post(
        f"/api/v1/orders/{oid}/transitions", headers=p.heads["manager"], json={"to": "closed"}
    )
    assert gate.status_code == 409, gate.text
    [why] = gate.json()["unmet"]
    assert why["message"] == "Фото монтажа отклонены менеджером"

    # Another far photo, which the manager confirms: it counts.
    second = (await attach(p, "installer", oid, photo(FAR), visit_id=vid)).json()["media_id"]
    await blocked_by("installation_photos_unconfirmed")
    confirmed = await review(p, second, "confirm")
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["review"] == "confirm"
    found = await until(p, oid, lambda c: unmet(c) == [])
    assert photo_of(found, second)["site_check"] == "confirmed"
    await move(p, oid, "closed")

    reply = await p.api.get(f"/api/v1/orders/{oid}/history", headers=p.heads["manager"])
    counted = [h for h in reply.json() if h["type"] == "orders.GatePhotosCounted"]
    assert [ph["media_id"] for ph in counted[0]["data"]["photos"]] == [second]
    assert "подтверждено менеджером" in counted[0]["summary"]
    reply = await p.api.get(
        f"/api/v1/orders/{oid}/history", headers=p.heads["manager"], params={"lang": "en"}
    )
    en = next(h for h in reply.json() if h["type"] == "orders.GatePhotosCounted")
    assert "confirmed by a manager" in en["summary"]
    reviewed = [h["summary"] for h in reply.json() if h["type"] == "orders.PhotoReviewed"]
    assert reviewed == [
        "Photo rejected by a manager: проверено по звонку",
        "Photo confirmed by a manager: проверено по звонку",
    ]


async def test_a_photo_by_someone_no_longer_on_the_visit_does_not_count_one_on_site_does(
    people: People,
) -> None:
    p = people
    oid, _, install = await in_installation(p, done=False)
    vid = install["visit_id"]
    assert (await on_site(p, "installer", vid)).status_code == 201
    await until(p, oid, lambda c: c.get("site") is not None)
    # The installer's photo of the visit; then the visit is handed to another installer.
    shot = await attach(p, "installer", oid, photo(NEAR), visit_id=vid)
    assert shot.status_code == 200, shot.text
    # It counts while it is their visit.
    await until(p, oid, lambda c: unmet(c) == ["installation_not_done"])
    handed = await p.api.patch(
        f"/api/v1/visits/{vid}",
        headers=p.heads["manager"],
        json={"assignee_id": p.ids["installer2"]},
    )
    assert handed.status_code == 200, handed.text
    await until(
        p,
        oid,
        lambda c: unmet(c) == ["installation_not_done", "installation_photos_by_someone_else"],
    )
    own = await my_open_task(p, "installer2", oid, "installation")
    assert (await complete(p, "installer2", own["id"])).status_code == 200

    # The new assignee's own photo on site (no visit named: their own visit is assumed).
    async def attached() -> httpx.Response | None:
        reply = await attach(p, "installer2", oid, photo(NEAR))
        return reply if reply.status_code == 200 else None  # once their access has arrived

    mine = (await eventually(attached)).json()["media_id"]
    found = await until(p, oid, lambda c: unmet(c) == [])
    assert photo_of(found, mine)["site_check"] == "on_site"
    await move(p, oid, "closed")
    reply = await p.api.get(f"/api/v1/orders/{oid}/history", headers=p.heads["installer2"])
    counted = next(h for h in reply.json() if h["type"] == "orders.GatePhotosCounted")
    assert [ph["media_id"] for ph in counted["data"]["photos"]] == [mine]
    assert "снято на объекте" in counted["summary"]
    assert (await card(p, oid))["stage"] == "closed"
