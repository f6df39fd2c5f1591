"""Uploads through the running gateway as the demo roles (issue 11): each crew attaches only the
purposes of its own work, an upload URL takes no more bytes than declared, a pixel bomb is
refused from its header, and no refusal shows a server path."""

from __future__ import annotations

import asyncio
import contextlib
import io
import tempfile
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from PIL import Image

from contracts.events.common import VisitKind
from deploy.local.stack import Stack
from tests.e2e.conftest import login
from tests.e2e.test_first_slice import ORDER
from tests.e2e.test_order_lifecycle import publish
from tests.e2e.test_real_services_flow import PDF
from tests.e2e.test_roles_and_reports import booked, me
from tests.integration.test_media_upload import png_bomb

CREW = ("measurer", "installer", "delivery")
VISIT_OF: dict[str, VisitKind] = {
    "measurer": "measurement",
    "installer": "installation",
    "delivery": "delivery",
}


@dataclass
class Site:
    """One order with a visit for each crew member, and everyone's headers."""

    api: httpx.AsyncClient
    oid: str
    heads: dict[str, dict[str, str]]


@pytest.fixture
async def site(api: httpx.AsyncClient, stack: Stack) -> Site:
    heads = {role: await login(api, role) for role in ("manager", "production", *CREW)}
    created = await api.post("/api/v1/orders", json=ORDER, headers=heads["manager"])
    assert created.status_code == 201, created.text
    oid = created.json()["id"]
    for role in CREW:
        visit = booked(oid, VISIT_OF[role], await me(api, heads[role]))
        await publish(stack, visit, f"visit-{visit.visit_id}")
    async with asyncio.timeout(30):  # until the access read model has every visit
        for role in CREW:
            while (await api.get(f"/api/v1/orders/{oid}", headers=heads[role])).status_code != 200:
                await asyncio.sleep(0.2)
    return Site(api, oid, heads)


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 140, 60)).save(out, "JPEG")
    return out.getvalue()


def declared(kind: str, purpose: str, data: bytes, content_type: str) -> dict[str, Any]:
    name = "photo.jpg" if kind == "photo" else "scan.pdf"
    return {
        "kind": kind,
        "purpose": purpose,
        "filename": name,
        "content_type": content_type,
        "size": len(data),
    }


async def start(site: Site, role: str, body: dict[str, Any]) -> httpx.Response:
    return await site.api.post(
        f"/api/v1/orders/{site.oid}/media", headers=site.heads[role], json=body
    )


async def attach(
    site: Site, role: str, kind: str, purpose: str, data: bytes, content_type: str
) -> httpx.Response:
    """Declare, PUT exactly the bytes, complete: the answer of the completion."""
    started = await start(site, role, declared(kind, purpose, data, content_type))
    assert started.status_code == 201, started.text
    async with httpx.AsyncClient(timeout=30) as raw:
        put = await raw.put(started.json()["upload_url"], content=data)
    assert put.status_code == 200, put.text
    media_id = started.json()["media_id"]
    return await site.api.post(f"/api/v1/media/{media_id}/complete", headers=site.heads[role])


def no_server_path(detail: str) -> None:
    for leak in (tempfile.gettempdir(), "media-", "original", "/work/", "site-packages"):
        assert leak not in detail, (leak, detail)


async def test_a_measurer_cannot_attach_installation_photos_but_attaches_measurements(
    site: Site,
) -> None:
    refused = await start(site, "measurer", declared("photo", "installation", jpeg(), "image/jpeg"))
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "purpose_not_allowed"
    assert "'installation'" in refused.json()["detail"]
    assert "measurer" in refused.json()["detail"]
    offered = await site.api.get("/api/v1/media/purposes", headers=site.heads["measurer"])
    assert offered.json()["purposes"] == {"photo": ["measurement"], "document": ["measurement"]}
    done = await attach(site, "measurer", "photo", "measurement", jpeg(), "image/jpeg")
    assert done.status_code == 200, done.text
    scan = await attach(site, "measurer", "document", "measurement", PDF, "application/pdf")
    assert scan.status_code == 200, scan.text
    listed = await site.api.get(f"/api/v1/orders/{site.oid}/media", headers=site.heads["manager"])
    assert {(m["kind"], m["purpose"]) for m in listed.json()} == {
        ("photo", "measurement"),
        ("document", "measurement"),
    }


async def test_an_installer_attaches_installation_and_rework_photos_only(site: Site) -> None:
    for purpose in ("installation", "rework"):
        done = await attach(site, "installer", "photo", purpose, jpeg(), "image/jpeg")
        assert done.status_code == 200, (purpose, done.text)
    refused = await start(site, "installer", declared("photo", "measurement", jpeg(), "image/jpeg"))
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "purpose_not_allowed"


async def test_delivery_and_production_attach_nothing_by_default(site: Site) -> None:
    for role in ("delivery", "production"):
        offered = await site.api.get("/api/v1/media/purposes", headers=site.heads[role])
        assert offered.json()["purposes"] == {"photo": [], "document": []}, role
    for purpose in ("other", "installation"):
        refused = await start(site, "delivery", declared("photo", purpose, jpeg(), "image/jpeg"))
        assert refused.status_code == 403, refused.text
        assert refused.json()["code"] == "purpose_not_allowed"
        assert "delivery" in refused.json()["detail"]
    # Production does not even see an order before its production stage.
    early = await start(site, "production", declared("photo", "other", jpeg(), "image/jpeg"))
    assert early.status_code == 404, early.text
    listed = await site.api.get(f"/api/v1/orders/{site.oid}/media", headers=site.heads["manager"])
    assert listed.json() == []


async def test_media_of_an_order_not_yours_is_404_on_every_route_by_media_id(
    site: Site, api: httpx.AsyncClient
) -> None:
    other = (await api.post("/api/v1/orders", json=ORDER, headers=site.heads["manager"])).json()
    elsewhere = Site(api, other["id"], site.heads)
    started = await start(elsewhere, "manager", declared("photo", "other", jpeg(), "image/jpeg"))
    assert started.status_code == 201, started.text
    media_id = started.json()["media_id"]
    for role in CREW:
        body = declared("photo", VISIT_OF[role], jpeg(), "image/jpeg")
        for method, path, sent in (
            ("POST", f"/api/v1/media/{media_id}/complete", body),
            ("POST", f"/api/v1/media/{media_id}/parts", {"numbers": [1]}),
            ("GET", f"/api/v1/media/{media_id}", body),
            ("DELETE", f"/api/v1/media/{media_id}", body),
            ("POST", f"/api/v1/orders/{other['id']}/media", body),
            ("GET", f"/api/v1/orders/{other['id']}/media", body),
        ):
            reply = await api.request(method, path, headers=site.heads[role], json=sent)
            assert reply.status_code == 404, (role, method, path, reply.text)


async def test_a_put_longer_than_declared_is_refused_and_a_declared_oversize_too(
    site: Site,
) -> None:
    started = await start(
        site, "manager", declared("document", "requirements", PDF, "application/pdf")
    )
    assert started.status_code == 201, started.text
    url = started.json()["upload_url"]
    async with httpx.AsyncClient(timeout=60) as raw:
        longer = await raw.put(url, content=PDF + b"\0" * (1024 * 1024))
        assert longer.status_code == 403, longer.text
        try:  # far longer: the store answers before the body is sent, and may hang up
            bomb = await raw.put(url, content=PDF + b"\0" * (30 * 1024 * 1024))
            assert bomb.status_code == 403, bomb.text
        except httpx.TransportError:
            pass
    async with httpx.AsyncClient(timeout=60) as raw:
        assert (await raw.put(url, content=PDF)).status_code == 200
    media_id = started.json()["media_id"]
    done = await site.api.post(f"/api/v1/media/{media_id}/complete", headers=site.heads["manager"])
    assert done.status_code == 200, done.text
    assert done.json()["size"] == len(PDF)
    huge = declared("photo", "other", b"", "image/jpeg") | {"size": 25 * 1024 * 1024 + 1}
    too_large = await start(site, "manager", huge)
    assert too_large.status_code == 413, too_large.text


async def test_a_pixel_bomb_is_refused_without_a_server_path_and_media_stays_up(
    site: Site,
) -> None:
    bomb = await asyncio.to_thread(png_bomb, 20_000, 20_000, 8)
    assert len(bomb) < 500_000  # a few hundred KB that would decode to 400 megapixels
    done = await attach(site, "measurer", "photo", "measurement", bomb, "image/png")
    assert done.status_code == 422, done.text
    assert done.json()["code"] == "too_many_pixels"
    assert "megapixels" in done.json()["detail"]
    no_server_path(done.json()["detail"])
    junk = b"\x89PNG\r\n\x1a\n" + b"junk, not a picture " * 30
    refused = await attach(site, "measurer", "photo", "measurement", junk, "image/png")
    assert refused.status_code == 422, refused.text
    no_server_path(refused.json()["detail"])
    normal = await attach(site, "measurer", "photo", "measurement", jpeg(), "image/jpeg")
    assert normal.status_code == 200, normal.text
    assert uuid.UUID(normal.json()["media_id"])


async def test_a_measurer_sends_a_long_scan_in_parts_through_the_gateway(site: Site) -> None:
    """Issue 15: a file longer than one part goes up in parts, each URL signed for its part's
    length; the field role's own upload, through the gateway's access checks."""
    part = 5 * 1024 * 1024
    data = b"%PDF-1.4\n%" + bytes(part + 1000) + b"\n%%EOF\n"
    started = await start(
        site, "measurer", declared("document", "measurement", data, "application/pdf")
    )
    assert started.status_code == 201, started.text
    assert (started.json()["part_size"], started.json()["part_count"]) == (part, 2)
    media_id = started.json()["media_id"]
    head = site.heads["measurer"]
    signed = await site.api.post(
        f"/api/v1/media/{media_id}/parts", headers=head, json={"numbers": [1, 2]}
    )
    assert signed.status_code == 200, signed.text
    assert signed.json()["held"] == []
    async with httpx.AsyncClient(timeout=60) as raw:
        for p in signed.json()["parts"]:
            start_at = (p["number"] - 1) * part
            chunk = data[start_at : start_at + p["size"]]
            # A part longer than signed: refused by the store (which may hang up first).
            with contextlib.suppress(httpx.TransportError):
                assert (await raw.put(p["upload_url"], content=chunk + b"x")).status_code == 403
            assert (await raw.put(p["upload_url"], content=chunk)).status_code == 200
    other = site.heads["installer"]  # sees the order, but it is not their upload
    refused = await site.api.post(f"/api/v1/media/{media_id}/parts", headers=other, json={})
    assert refused.status_code == 403, refused.text
    done = await site.api.post(f"/api/v1/media/{media_id}/complete", headers=head)
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["size"]) == ("ready", len(data))
