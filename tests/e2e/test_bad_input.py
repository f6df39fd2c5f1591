"""Bad input through the real gateway over real HTTP: every refusal is a 4xx with the API's
error body `{"detail": str, "code": str}` (API.md: "Never a 500 for bad input"), and nothing a
client sends stops the system answering others.

Fixed by issue 11, kept here as the proof: deeply nested JSON, lone surrogates and NUL
characters in a body are refused by the gateway's body guard (gateway/entrypoints/bodies.py);
a NUL (`%00`) in any request target is refused by every service (plumbing/app.py); raw
non-ASCII bytes in the target, huge heads, slow heads and bodies, and a declared body of
gigabytes are refused below the app, in the API's error shape (plumbing/http_guard.py); a
malformed `order_id` in POST /tasks is a 422; a `Last-Event-ID` that is no cursor (thousands of
digits, beyond int64, invalid UTF-8) is treated as absent and the stream starts from now.

Accepted, not failures: a free-text search (`q`) with undecodable bytes finds nothing (200),
as does a filter naming nothing known; a numeric string `expected_version` ("1") is coerced.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from deploy.local.stack import Stack
from tests.e2e.bad_input_helpers import (
    PDF,
    RawReply,
    SlowClient,
    assert_api_error,
    assert_error_body,
    jpeg_bomb,
    png_bomb,
    raw_exchange,
    raw_get,
    small_jpeg,
)
from tests.e2e.conftest import login
from tests.e2e.test_first_slice import ORDER

MB = 1024 * 1024
SLOW_CLIENT_BOUND_S = 10.0  # a slow connection must be closed (or refused) within this
SLOW_CLIENTS = 5
STREAM = "/api/v1/events/stream"


@pytest.fixture
async def client(stack: Stack) -> AsyncIterator[httpx.AsyncClient]:
    """No kept-alive connections: a connection the server drops after a 500 is never reused."""
    limits = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(
        base_url=stack.urls["gateway"], timeout=30, limits=limits
    ) as opened:
        yield opened


@pytest.fixture(scope="module")
async def manager(stack: Stack) -> dict[str, str]:
    async with httpx.AsyncClient(base_url=stack.urls["gateway"], timeout=30) as api:
        return await login(api, "manager")


@pytest.fixture(scope="module")
async def order_id(stack: Stack, manager: dict[str, str]) -> str:
    async with httpx.AsyncClient(base_url=stack.urls["gateway"], timeout=30) as api:
        created = await api.post("/api/v1/orders", json=ORDER, headers=manager)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def as_json(headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "Content-Type": "application/json"}


# --- bodies ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/orders",
        "/api/v1/orders/{order}/comments",
        "/api/v1/orders/{order}/transitions",
        "/api/v1/orders/{order}/visits",
        "/api/v1/orders/{order}/media",
    ],
)
async def test_a_json_body_of_megabytes_is_refused_with_413(
    client: httpx.AsyncClient, manager: dict[str, str], order_id: str, path: str
) -> None:
    body = json.dumps({**ORDER, "text": "я" * (3 * MB)}).encode()  # ~6 MB of UTF-8
    reply = await client.post(path.format(order=order_id), headers=as_json(manager), content=body)
    assert assert_api_error(reply, 413)["code"] == "too_large"


async def test_a_declared_body_of_gigabytes_is_refused_before_it_is_sent(
    stack: Stack, manager: dict[str, str]
) -> None:
    start = b"\r\n".join(
        [
            b"POST /api/v1/orders HTTP/1.1",
            b"Host: 127.0.0.1",
            b"Authorization: " + manager["Authorization"].encode(),
            b"Content-Type: application/json",
            b"Content-Length: 10000000000",
            b"Connection: close",
            b"",
            b"",
        ]
    )
    waiting = await SlowClient.open(stack.urls["gateway"], start)
    try:
        deadline = asyncio.get_running_loop().time() + 3
        while (reply := await waiting.poll()) is None:
            if asyncio.get_running_loop().time() >= deadline:
                break
            await asyncio.sleep(0.1)
    finally:
        await waiting.close()
    assert reply is not None, "no answer: the gateway is waiting for the 10 GB"
    assert reply.status == 413, reply
    assert_error_body(reply.headers.get("content-type", ""), reply.body)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        pytest.param(
            "/api/v1/orders",
            b"[" * 100_000 + b"]" * 100_000,
            id="orders-100k-arrays",
        ),
        pytest.param(
            "/api/v1/orders/{order}/comments",
            b"[" * 100_000 + b"]" * 100_000,
            id="comments-100k-arrays",
        ),
        pytest.param(
            "/api/v1/orders",
            b'{"a":' * 40_000 + b"1" + b"}" * 40_000,
            id="orders-40k-objects",
        ),
        pytest.param(
            "/api/v1/orders/{order}/comments",
            b'{"text": ' + b"[" * 900 + b"]" * 900 + b"}",
            id="comments-900-arrays-in-a-field",
        ),
    ],
)
async def test_deeply_nested_json_is_refused_with_4xx(
    client: httpx.AsyncClient, manager: dict[str, str], order_id: str, path: str, body: bytes
) -> None:
    reply = await client.post(path.format(order=order_id), headers=as_json(manager), content=body)
    assert_api_error(reply, 400, 413, 422)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            "/api/v1/orders",
            b'{"title": "\xff\xfe", "customer": {"name": "\xc3\x28", "phone": "89157654321", '
            b'"address": "x"}}',
        ),
        ("/api/v1/orders/{order}/comments", b'{"text": "\xc3\x28\xa0\xa1"}'),
    ],
    ids=["orders", "comments"],
)
async def test_a_json_body_that_is_not_utf8_is_refused_with_422(
    client: httpx.AsyncClient, manager: dict[str, str], order_id: str, path: str, body: bytes
) -> None:
    reply = await client.post(path.format(order=order_id), headers=as_json(manager), content=body)
    assert assert_api_error(reply, 400, 422)["code"] == "invalid_json"


@pytest.mark.parametrize(
    ("path", "body"),
    [
        pytest.param("/api/v1/orders", {**ORDER, "title": "\ud800"}, id="orders"),
        pytest.param("/api/v1/orders/{order}/comments", {"text": "a\udfffb"}, id="comments"),
    ],
)
async def test_a_lone_surrogate_escape_in_json_is_refused_with_422(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    order_id: str,
    path: str,
    body: dict[str, Any],
) -> None:
    content = json.dumps(body).encode()  # ASCII JSON: the surrogate travels as `\ud800`
    reply = await client.post(
        path.format(order=order_id), headers=as_json(manager), content=content
    )
    assert_api_error(reply, 400, 422)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/orders", b"title=x&customer=y"),
        ("/api/v1/orders", bytes(range(256))),
        ("/api/v1/orders", b"<order><title>x</title></order>"),
        ("/api/v1/orders", b""),
        ("/api/v1/orders/{order}/comments", b"\x89PNG\r\n\x1a\n\x00\x00"),
    ],
    ids=["form", "binary", "xml", "empty", "comments-binary"],
)
async def test_a_body_that_is_not_json_is_refused_with_422(
    client: httpx.AsyncClient, manager: dict[str, str], order_id: str, path: str, body: bytes
) -> None:
    reply = await client.post(path.format(order=order_id), headers=as_json(manager), content=body)
    assert_api_error(reply, 400, 422)


# --- query strings and the request line --------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "/api/v1/tasks?order_id=%ff%fe",
        "/api/v1/tasks?date=%ff%00",
        "/api/v1/tasks?status=%c3%28",
        "/api/v1/reports/funnel?from=%ff%fe",
        "/api/v1/orders/{order}?min_version=%ff",
        "/api/v1/notifications?unread=%ff",
        "/api/v1/board?limit=%ff%fe",
    ],
)
async def test_undecodable_bytes_in_a_typed_query_parameter_are_refused_with_422(
    client: httpx.AsyncClient, manager: dict[str, str], order_id: str, target: str
) -> None:
    reply = await client.get(target.format(order=order_id), headers=manager)
    assert assert_api_error(reply, 400, 422)["code"] == "invalid_input"


@pytest.mark.parametrize(
    "target",
    [
        "/api/v1/reports/funnel?to=0.5",
        "/api/v1/reports/funnel?from=1700000000",
        "/api/v1/reports/stage-durations?from=2025-03-03T09:00",
        "/api/v1/reports/workload?to=03.03.2025",
        "/api/v1/tasks?date=0",
        "/api/v1/tasks?date=2025-03-03T00:00:00Z",
    ],
)
async def test_a_number_or_another_form_is_not_a_time_or_a_day(
    client: httpx.AsyncClient, manager: dict[str, str], target: str
) -> None:
    # Pydantic alone reads a number as seconds since 1970 (schemathesis found both).
    reply = await client.get(target, headers=manager)
    assert assert_api_error(reply, 422)["code"] == "invalid_input"


@pytest.mark.parametrize(
    "target",
    [
        pytest.param("/api/v1/board?q=%ff%fe", id="search-undecodable"),
        pytest.param("/api/v1/board?q=%00", id="search-nul"),
        pytest.param("/api/v1/board?assignee=%ff%00", id="assignee-nul"),
        pytest.param("/api/v1/crew?role=%00", id="crew-role-nul"),
    ],
)
async def test_undecodable_bytes_in_a_filter_find_nothing_or_are_refused(
    client: httpx.AsyncClient, manager: dict[str, str], target: str
) -> None:
    reply = await client.get(target, headers=manager)
    if reply.status_code == 200:
        reply.json()  # a filter matching nothing is a fine answer
    else:
        assert_api_error(reply, 400, 422)


@pytest.mark.parametrize(
    "target",
    [b"/api/v1/tasks?order_id=\xff\xfe", b"/api/v1/orders/\xff\xfe\x80"],
    ids=["query", "path"],
)
async def test_raw_non_ascii_bytes_in_the_request_target_get_the_error_body(
    stack: Stack, manager: dict[str, str], target: bytes
) -> None:
    auth = b"Authorization: " + manager["Authorization"].encode()
    reply = await raw_exchange(stack.urls["gateway"], raw_get(target, auth))
    assert reply.status in (400, 422), reply
    assert_error_body(reply.headers.get("content-type", ""), reply.body)


# --- headers -----------------------------------------------------------------------------


def _many_headers(count: int) -> list[bytes]:
    return [b"X-Many-%d: v" % i for i in range(count)]


@pytest.mark.parametrize(
    "extra",
    [
        [b"X-Padding: " + b"a" * 100_000],
        [b"X-Padding: " + b"a" * MB],
        _many_headers(10_000),
    ],
    ids=["one-100KB-header", "one-1MB-header", "10000-headers"],
)
async def test_huge_headers_are_refused_with_431_and_the_error_body(
    stack: Stack, manager: dict[str, str], extra: list[bytes]
) -> None:
    auth = b"Authorization: " + manager["Authorization"].encode()
    reply = await raw_exchange(stack.urls["gateway"], raw_get(b"/api/v1/me", auth, *extra))
    assert reply.status in (400, 431), reply.status  # RFC 6585: 431; RFC 9110: a fitting 4xx
    assert_error_body(reply.headers.get("content-type", ""), reply.body)


# --- ids -----------------------------------------------------------------------------------

ID_PATHS = [
    ("GET", "/api/v1/orders/{}"),
    ("POST", "/api/v1/orders/{}/comments"),
    ("POST", "/api/v1/orders/{}/visits"),
    ("PATCH", "/api/v1/visits/{}"),
    ("POST", "/api/v1/tasks/{}/complete"),
    ("POST", "/api/v1/media/{}/complete"),
    ("GET", "/api/v1/media/{}"),
    ("POST", "/api/v1/notifications/{}/read"),
    ("GET", "/api/v1/crew/{}/schedule"),
]
BAD_IDS = {
    "not-a-uuid": "not-a-uuid",
    "overlong": "f" * 5000,
    "one-char-too-many": "0" * 8 + "-0000-0000-0000-" + "0" * 13,
    "undecodable": "%ff%fe",
}


@pytest.mark.parametrize("bad_id", list(BAD_IDS.values()), ids=list(BAD_IDS))
@pytest.mark.parametrize(("method", "path"), ID_PATHS, ids=[f"{m}-{p}" for m, p in ID_PATHS])
async def test_a_malformed_id_in_a_path_is_refused_with_422(
    client: httpx.AsyncClient, manager: dict[str, str], method: str, path: str, bad_id: str
) -> None:
    reply = await client.request(
        method, path.format(bad_id), headers=as_json(manager), content=b"{}"
    )
    assert assert_api_error(reply, 422)["code"] == "invalid_input"


def _slot() -> dict[str, str]:
    starts = datetime.now(UTC) + timedelta(days=3)
    return {
        "kind": "measurement",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1)).isoformat(),
    }


BAD_UUIDS: dict[str, object] = {
    "text": "not-a-uuid",
    "overlong": "f" * 5000,
    "number": 12345,
    "nul": "\x00",
    "non-hex": "00000000-0000-0000-0000-00000000000g",
    "object": {"id": 1},
}


@pytest.mark.parametrize("bad", list(BAD_UUIDS.values()), ids=list(BAD_UUIDS))
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v1/orders/{order}/visits", lambda bad: {**_slot(), "assignee_id": bad}),
        ("PATCH", f"/api/v1/visits/{uuid.uuid4()}", lambda bad: {"assignee_id": bad}),
        ("POST", "/api/v1/tasks", lambda bad: {"order_id": bad, "title": "позвонить"}),
    ],
    ids=["book-visit-assignee", "change-visit-assignee", "new-task-order"],
)
async def test_a_malformed_uuid_in_a_body_is_refused_with_422(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    order_id: str,
    method: str,
    path: str,
    body: Callable[[object], dict[str, Any]],
    bad: object,
) -> None:
    reply = await client.request(
        method, path.format(order=order_id), headers=manager, json=body(bad)
    )
    assert_api_error(reply, 422)


@pytest.mark.parametrize(
    ("version", "statuses"),
    [
        (b'"one"', (422,)),
        (b"-1", (422,)),
        (b"1.5", (422,)),
        (b'"' + b"9" * 5000 + b'"', (422,)),
        (b"1" + b"0" * 30, (409, 422)),  # well formed, just not the order's version
        (b"9" * 5000, (422,)),  # beyond what a JSON parser turns into an int
    ],
    ids=["word", "negative", "fraction", "5000-digit-string", "huge-int", "5000-digit-number"],
)
async def test_a_malformed_expected_version_is_refused(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    order_id: str,
    version: bytes,
    statuses: tuple[int, ...],
) -> None:
    body = b'{"to": "measurement", "expected_version": ' + version + b"}"
    reply = await client.post(
        f"/api/v1/orders/{order_id}/transitions", headers=as_json(manager), content=body
    )
    assert_api_error(reply, *statuses)


# --- Last-Event-ID -----------------------------------------------------------------------


async def _next_event(lines: AsyncIterator[str]) -> tuple[str, dict[str, Any]]:
    """The next server-sent event (heartbeat comments skipped): its name and its data."""
    name, data = "message", ""
    async for line in lines:
        if line.startswith("event:"):
            name = line.partition(":")[2].strip()
        elif line.startswith("data:"):
            data += line.partition(":")[2].strip()
        elif not line and data:
            return name, json.loads(data)
    raise AssertionError("the stream ended")


async def _feed_head(client: httpx.AsyncClient, manager: dict[str, str]) -> int:
    """Where a stream opened now starts: the end of the change feed."""
    async with client.stream("GET", STREAM, headers=manager) as reply:
        assert reply.status_code == 200
        async with asyncio.timeout(10):
            name, data = await _next_event(reply.aiter_lines())
    assert name == "ready"
    return int(data["seq"])


@pytest.mark.parametrize(
    "last_event_id",
    [
        pytest.param(b"abc", id="letters"),
        pytest.param(b"\xff\xfe\x80", id="invalid-utf8"),
        pytest.param(b"9" * 5000, id="5000-digits"),
        pytest.param(b"9" * 30, id="beyond-int64"),
    ],
)
async def test_a_malformed_last_event_id_is_refused_or_the_stream_still_delivers(
    client: httpx.AsyncClient, manager: dict[str, str], order_id: str, last_event_id: bytes
) -> None:
    headers = [
        (b"Authorization", manager["Authorization"].encode()),
        (b"Last-Event-ID", last_event_id),
    ]
    async with client.stream("GET", STREAM, headers=headers) as reply:
        if reply.status_code != 200:
            await reply.aread()
            assert_api_error(reply, 400, 422)
            return
        lines = reply.aiter_lines()
        async with asyncio.timeout(10):
            name, data = await _next_event(lines)
        assert name == "ready"
        head = await _feed_head(client, manager)
        assert int(data["seq"]) <= head, "resumes beyond the feed's end: nothing would arrive"
        posted = await client.post(
            f"/api/v1/orders/{order_id}/comments", headers=manager, json={"text": "проверка"}
        )
        assert posted.status_code == 201, posted.text
        async with asyncio.timeout(15):
            while (await _next_event(lines))[1].get("order_id") != order_id:
                pass


# --- slow clients --------------------------------------------------------------------------


@dataclass
class SlowClients:
    opened_at: float
    trickling: list[SlowClient]  # send their headers a byte at a time, never the end
    stalled: list[SlowClient]  # sent their headers and 10 of 1000 promised body bytes


@pytest.fixture(scope="module")
async def slow_clients(stack: Stack, manager: dict[str, str]) -> AsyncIterator[SlowClients]:
    url = stack.urls["gateway"]
    headers_start = b"GET /api/v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
    body_start = b"\r\n".join(
        [
            b"POST /api/v1/orders HTTP/1.1",
            b"Host: 127.0.0.1",
            b"Authorization: " + manager["Authorization"].encode(),
            b"Content-Type: application/json",
            b"Content-Length: 1000",
            b"",
            b'{"title":',
        ]
    )
    opened_at = asyncio.get_running_loop().time()
    clients = SlowClients(
        opened_at,
        [await SlowClient.open(url, headers_start) for _ in range(SLOW_CLIENTS)],
        [await SlowClient.open(url, body_start) for _ in range(SLOW_CLIENTS)],
    )
    yield clients
    for slow in clients.trickling + clients.stalled:
        await slow.close()


async def _ends_by_deadline(
    clients: list[SlowClient], opened_at: float, *, trickle: bool
) -> list[RawReply | None]:
    """Each connection's end (closed, or an answer) if it comes within the bound."""
    deadline = opened_at + SLOW_CLIENT_BOUND_S
    while True:
        ends = [await c.poll() for c in clients]
        if all(e is not None for e in ends) or asyncio.get_running_loop().time() >= deadline:
            return ends
        if trickle:
            for c in clients:
                await c.trickle(b"a")
        await asyncio.sleep(0.5)


def _assert_cut_off(ends: list[RawReply | None]) -> None:
    for end in ends:
        assert end is not None, "the slow connection is still open"
        assert end.status is None or 400 <= end.status < 500, end


async def test_slow_clients_do_not_stop_others_being_answered(
    client: httpx.AsyncClient, slow_clients: SlowClients
) -> None:
    for slow in slow_clients.trickling:
        await slow.trickle(b"a")
    manager = await login(client, "manager")
    created = await client.post("/api/v1/orders", json=ORDER, headers=manager)
    assert created.status_code == 201, created.text
    order = created.json()
    card = await client.get(
        f"/api/v1/orders/{order['id']}", headers=manager, params={"min_version": order["version"]}
    )
    assert card.status_code == 200, card.text
    assert card.json()["title"] == ORDER["title"]


async def test_a_client_trickling_its_headers_is_cut_off(slow_clients: SlowClients) -> None:
    ends = await _ends_by_deadline(slow_clients.trickling, slow_clients.opened_at, trickle=True)
    _assert_cut_off(ends)


async def test_a_client_that_never_finishes_its_body_is_cut_off(
    slow_clients: SlowClients,
) -> None:
    ends = await _ends_by_deadline(slow_clients.stalled, slow_clients.opened_at, trickle=False)
    _assert_cut_off(ends)


# --- media -----------------------------------------------------------------------------------


async def _upload_and_complete(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    order_id: str,
    content: bytes,
    content_type: str,
) -> httpx.Response:
    declared = {
        "kind": "photo",
        "purpose": "measurement",
        "filename": "photo.jpg" if content_type == "image/jpeg" else "photo.png",
        "content_type": content_type,
        "size": len(content),
    }
    started = await client.post(f"/api/v1/orders/{order_id}/media", headers=headers, json=declared)
    assert started.status_code == 201, started.text
    put = await client.put(
        started.json()["upload_url"], content=content, headers={"Content-Type": content_type}
    )
    assert put.status_code == 200, put.text
    return await client.post(
        f"/api/v1/media/{started.json()['media_id']}/complete", headers=headers
    )


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"a photo of the hallway, honestly\n" * 20, "image/jpeg"),
        (PDF, "image/jpeg"),
        (PDF, "image/png"),
        (b"\xff\xd8\xff" + b"text after a JPEG signature " * 20, "image/jpeg"),
    ],
    ids=["text-as-jpeg", "pdf-as-jpeg", "pdf-as-png", "jpeg-signature-then-text"],
)
async def test_a_file_that_only_claims_to_be_a_photo_is_refused_with_422(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    order_id: str,
    content: bytes,
    content_type: str,
) -> None:
    done = await _upload_and_complete(client, manager, order_id, content, content_type)
    assert assert_api_error(done, 422)["code"] in {"content_mismatch", "not_an_image"}


@pytest.mark.parametrize(
    ("make", "content_type"),
    [
        (lambda: png_bomb(20_000, 20_000), "image/png"),
        (lambda: jpeg_bomb(20_000, 20_000), "image/jpeg"),
        (lambda: png_bomb(10_000, 10_000), "image/png"),  # over our cap, under Pillow's
    ],
    ids=["png-400MP", "jpeg-400MP", "png-100MP"],
)
async def test_an_image_of_hundreds_of_megapixels_is_refused_and_media_stays_up(
    client: httpx.AsyncClient,
    manager: dict[str, str],
    order_id: str,
    make: Callable[[], bytes],
    content_type: str,
) -> None:
    bomb = await asyncio.to_thread(make)
    assert len(bomb) < MB  # small on the wire, enormous when decoded
    done = await _upload_and_complete(client, manager, order_id, bomb, content_type)
    assert_api_error(done, 413, 422)
    normal = await _upload_and_complete(client, manager, order_id, small_jpeg(), "image/jpeg")
    assert normal.status_code == 200, normal.text
    assert normal.json()["status"] == "ready"
