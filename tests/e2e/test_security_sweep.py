"""The security sweep: every GET route of the gateway, as every field role, production and
admin, over a rich scenario built through the gateway, plus the live event stream while things
change.

Nothing commercial (the deal's amount and payment terms, commercial documents' names, ids and
purposes, commercial keys), nothing that hints at them (document counts that include them, gate
codes about the deal or contracts) and nothing of an order the caller may not see (its id or
its text) may appear in any answer; admin may see no order at all (issue 14: it administers,
seeing orders and money is for managers and directors). The routes come from the gateway
app itself, so a new route is swept without anyone remembering to add it; a route whose path
parameter has no filler here fails, asking for one. Each (role, route) is its own test, and a
failure lists what leaked where.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from contracts.api.hidden import COMMERCIAL_DOCUMENT_PURPOSES
from deploy.local.stack import Stack
from gateway.bootstrap import Settings, build
from tests.e2e.conftest import NEW_PASSWORD, login
from tests.e2e.test_order_lifecycle import card
from tests.e2e.test_real_services_flow import PDF, eventually, upload

ROLES = ("measurer", "installer", "delivery", "production")
FIELD = ("measurer", "installer", "delivery")
# Swept too: admin, who sees no order (it works on none, so takes no part in building them).
SWEPT = (*ROLES, "admin")
# What a route shows a role whole by design: admin edits the pipeline, so it is shown every
# gate condition, the deal's and the contract's too (what is needed, never a value).
CONDITIONS_SHOWN = {("admin", "/api/v1/pipeline")}
TAG = uuid.uuid4().hex[:6].upper()
AMOUNT = "731904.17"
TERMS = f"Оплата двумя частями QZX{TAG}"
DEAL = {
    "amount": AMOUNT,
    "decor": "Шпон дуба",
    "finishing": "Матовый лак",
    "extra_work": "Демонтаж старого шкафа",
    "payment_terms": TERMS,
}
# Gate codes that tell about the deal or about documents a role may not see.
HIDDEN_CODES = ("deal_terms_missing", "signed_contract_missing", "documents_missing")
# Keys that are commercial wherever they appear, plus the projection's per-purpose counts: the
# sweep's own list of what a leak would carry (the gateway shows by allowlist, not by this).
HIDDEN_KEYS = frozenset(
    {"deal", "amount", "price", "prices", "discount", "discounts", "payment_terms", "prepayment"}
    | {"document_purposes"}
)

# Routes that are not JSON data about orders: the web app's static files and the API's own
# description (it names the fields, and holds no data). Everything else is swept.
SKIPPED = {
    "/": "web app shell (static HTML)",
    "/app/{path:path}": "web app static files",
    "/guides/{role}": "static user guides (HTML)",
    "/guides/img/{name}": "the guides' pictures (WebP screenshots of the demo)",
    "/openapi.json": "the API description: field names, no data",
    "/docs": "Swagger UI (static HTML)",
    "/docs/oauth2-redirect": "Swagger UI (static HTML)",
    "/redoc": "ReDoc (static HTML)",
    "/api/v1/events/stream": "server-sent events: swept by test_the_live_stream_*",
}


def _walk(routes: Any, prefix: str = "") -> Iterator[tuple[str, set[str]]]:
    for route in routes:
        inner = getattr(route, "original_router", None)  # FastAPI's included routers
        if inner is not None:
            context = getattr(route, "include_context", None)
            yield from _walk(inner.routes, prefix + str(getattr(context, "prefix", "") or ""))
        elif hasattr(route, "path"):
            yield prefix + route.path, set(getattr(route, "methods", None) or ())


def gateway_get_routes() -> list[str]:
    """Every GET path of the gateway app, hidden-from-schema routes included."""
    # Built only to list its routes: a throwaway signing key, no database is touched.
    app = build(Settings(jwt_secret=secrets.token_urlsafe(48)))
    paths = {path for path, methods in _walk(app.router.routes) if "GET" in methods}
    paths |= {p for p, ops in app.openapi()["paths"].items() if "get" in ops}
    return sorted(paths)


ROUTES = gateway_get_routes()


@dataclass
class World:
    """What the scenario built: ids, distinctive strings, and what each role may see."""

    heads: dict[str, dict[str, str]]
    ids: dict[str, str]  # username -> user id
    ours: str  # contract stage, deal recorded, no signed contract: blocked by hidden codes
    made: str  # in production, every commercial document
    foreign: str  # nobody in ROLES works on it; its text is distinctive
    commercial_media: list[str]
    visible_media: list[str]
    visible_docs: dict[str, int]  # order -> documents a restricted role may count
    words: dict[str, list[str]]  # order -> distinctive texts of that order
    filenames: list[str]
    frames: dict[str, list[str]] = field(default_factory=dict)
    imports: list[str] = field(default_factory=list)  # an admin's dry-run import jobs

    def unseen(self, role: str) -> list[str]:
        """Orders `role` may not see at all: production sees production and later only,
        admin none."""
        if role == "admin":
            return [self.foreign, self.ours, self.made]
        return [self.foreign, self.ours] if role == "production" else [self.foreign]


async def _free_slot(
    api: httpx.AsyncClient, manager: dict[str, str], member: str, skip: int
) -> datetime:
    now = datetime.now().astimezone()
    # From the day after tomorrow: a visit tomorrow is reminded from 08:00 today (at once when
    # booked later), and that reminder, pushed in the live phase, would read as a push of a
    # hidden change (a whole run after 08:00 Moscow time failed so).
    params = {
        "from": (now + timedelta(days=2)).isoformat(),
        "to": (now + timedelta(days=14)).isoformat(),
    }
    reply = await api.get(f"/api/v1/crew/{member}/schedule", headers=manager, params=params)
    assert reply.status_code == 200, reply.text
    slots = [
        datetime.fromisoformat(f["starts_at"])
        for f in reply.json()["free"]
        if datetime.fromisoformat(f["ends_at"]) - datetime.fromisoformat(f["starts_at"])
        >= timedelta(hours=1)
    ]
    assert slots, f"no free hour for {member}"
    return slots[skip % len(slots)]


async def book(
    api: httpx.AsyncClient, manager: dict[str, str], oid: str, kind: str, member: str
) -> dict[str, Any]:
    for attempt in range(10):
        starts = await _free_slot(api, manager, member, attempt)
        reply = await api.post(
            f"/api/v1/orders/{oid}/visits",
            headers=manager,
            json={
                "kind": kind,
                "assignee_id": member,
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=1)).isoformat(),
            },
        )
        if reply.status_code == 201:
            body: dict[str, Any] = reply.json()
            return body
        assert reply.status_code == 409, reply.text
    raise AssertionError(f"could not book a {kind} visit on {oid}")


async def until_card(
    api: httpx.AsyncClient, head: dict[str, str], oid: str, ok: Any
) -> dict[str, Any]:
    async def probe() -> dict[str, Any] | None:
        got = await card(api, head, oid)
        return got if ok(got) else None

    found: dict[str, Any] = await eventually(probe)
    return found


async def move(api: httpx.AsyncClient, head: dict[str, str], oid: str, to: str) -> None:
    async def moved() -> bool:
        reply = await api.post(f"/api/v1/orders/{oid}/transitions", headers=head, json={"to": to})
        return reply.status_code == 200 or (await card(api, head, oid))["stage"] == to

    await eventually(moved)


async def new_order(api: httpx.AsyncClient, head: dict[str, str], words: list[str]) -> str:
    title, customer, description = words
    body = {
        "title": title,
        "customer": {
            "name": customer,
            "phone": "+7 915 555-01-02",
            "address": "Москва, ул. Мира, 5",
        },
        "description": description,
    }
    reply = await api.post("/api/v1/orders", headers=head, json=body)
    assert reply.status_code == 201, reply.text
    oid: str = reply.json()["id"]
    return oid


async def doc(
    api: httpx.AsyncClient, head: dict[str, str], oid: str, purpose: str, name: str
) -> str:
    done = await upload(api, head, oid, "document", purpose, PDF, "application/pdf", name)
    media_id: str = done["media_id"]
    return media_id


async def measure(api: httpx.AsyncClient, measurer: dict[str, str], oid: str) -> None:
    async def my_task() -> list[dict[str, Any]]:
        tasks = (await api.get("/api/v1/tasks", headers=measurer, params={"mine": "true"})).json()
        return [
            t
            for t in tasks
            if t["order_id"] == oid and t["kind"] == "measurement" and t["status"] == "open"
        ]

    (task,) = await eventually(my_task)
    results = {"rooms": [{"name": "Прихожая", "width_mm": 2400, "height_mm": 2650}]}
    done = await api.post(
        f"/api/v1/tasks/{task['id']}/complete",
        headers=measurer,
        json={"note": "готово", "results": results},
    )
    assert done.status_code == 200, done.text


async def _read_stream(
    api: httpx.AsyncClient, head: dict[str, str], frames: list[str], ready: asyncio.Event
) -> None:
    async with api.stream("GET", "/api/v1/events/stream", headers=head, timeout=None) as stream:
        async for line in stream.aiter_lines():
            if line.startswith("event: ready"):
                ready.set()
            frames.append(line)


@pytest.fixture(scope="module")
async def world(stack: Stack) -> AsyncIterator[World]:
    async with httpx.AsyncClient(base_url=stack.urls["gateway"], timeout=30) as api:
        yield await build_world(api)


async def build_world(api: httpx.AsyncClient) -> World:
    heads = {r: await login(api, r) for r in (*ROLES, "manager", "admin")}
    ids = {r: (await api.get("/api/v1/me", headers=heads[r])).json()["id"] for r in heads}
    manager = heads["manager"]
    # A second admin, whose live stream the live phase ends by deactivating them: the stream's
    # last frame then says how far it had read the changes (see live_changes).
    heads[LIVE_ADMIN] = await _another_admin(api, heads["admin"])

    # a second measurer, who alone works on the foreign order
    other = f"measurer_{TAG.lower()}"
    made_user = await api.post(
        "/api/v1/users",
        headers=heads["admin"],
        json={
            "username": other,
            "display_name": f"Замерщик {TAG}",
            "role": "measurer",
            "password": NEW_PASSWORD,
        },
    )
    assert made_user.status_code == 201, made_user.text
    ids[other] = made_user.json()["id"]

    words = {
        "ours": [f"Гардероб АЛЬФА-{TAG}", f"Альфин Пётр {TAG}", f"Описание альфа {TAG}"],
        "made": [f"Кухня ПРОД-{TAG}", f"Продов Семён {TAG}", f"Описание прод {TAG}"],
        "foreign": [f"Чужой ФОКСТРОТ-{TAG}", f"Чужаков Фома {TAG}", f"Тайное описание {TAG}"],
    }
    ours = await new_order(api, manager, words["ours"])
    made = await new_order(api, manager, words["made"])
    foreign = await new_order(api, manager, words["foreign"])
    names = {p: f"{p}-QZX{TAG}.pdf" for p in sorted(COMMERCIAL_DOCUMENT_PURPOSES)}
    commercial: list[str] = []
    visible: list[str] = []
    for oid in (ours, made, foreign):
        visible.append(await doc(api, manager, oid, "requirements", f"требования-{TAG}.pdf"))
        commercial += [
            await doc(api, manager, oid, purpose, names[purpose])
            for purpose in ("contract_draft", "calculation")
        ]
        await until_card(api, manager, oid, lambda c: len(c["documents"]) == 3)
        await move(api, manager, oid, "measurement")

    # the field roles work on both of our orders; only the other measurer on the foreign one
    for oid in (ours, made):
        await book(api, manager, oid, "measurement", ids["measurer"])
        await book(api, manager, oid, "installation", ids["installer"])
        await book(api, manager, oid, "delivery", ids["delivery"])
    await crew_knows(api, manager, ids[other])
    await book(api, manager, foreign, "measurement", ids[other])

    for oid in (ours, made):
        await measure(api, heads["measurer"], oid)
        await until_card(api, manager, oid, lambda c: c["stage"] == "contract")
        reply = await api.put(f"/api/v1/orders/{oid}/deal", headers=manager, json=DEAL)
        assert reply.status_code == 200, reply.text
    commercial.append(await doc(api, manager, made, "signed_contract", names["signed_contract"]))
    await until_card(api, manager, made, lambda c: not c["gate"]["unmet"])
    await move(api, manager, made, "production")
    # ours stays in `contract`, blocked by the missing signed contract alone (a hidden code)
    await until_card(
        api,
        manager,
        ours,
        lambda c: [u["code"] for u in c["gate"]["unmet"]] == ["signed_contract_missing"],
    )

    chat = {"text": f"@measurer @installer @delivery @production секрет {words['foreign'][2]}"}
    reply = await api.post(f"/api/v1/orders/{foreign}/comments", headers=manager, json=chat)
    assert reply.status_code == 201, reply.text
    reply = await api.post(
        f"/api/v1/orders/{ours}/comments", headers=manager, json={"text": "Цвет фасадов согласован"}
    )
    assert reply.status_code == 201, reply.text

    # The live phase below must start after the read side has every earlier change of these
    # orders, or a late push of a visible one (the move to production) would count as hidden.
    for oid, stage in ((ours, "contract"), (made, "production")):
        await until_board_card(api, manager, oid, stage)

    world = World(
        heads=heads,
        ids=ids,
        ours=ours,
        made=made,
        foreign=foreign,
        commercial_media=commercial,
        visible_media=visible,
        visible_docs={ours: 1, made: 1},
        words={ours: words["ours"], made: words["made"], foreign: words["foreign"]},
        filenames=list(names.values()),
        imports=[await _dry_run_import(api, heads["admin"])],
    )
    await live_changes(api, world)
    return world


async def _dry_run_import(api: httpx.AsyncClient, admin: dict[str, str]) -> str:
    """An import job to look at (GET /imports/{id}): a dry run of one Bitrix24 deal."""
    deal = {"ID": "1", "TITLE": f"Сделка {TAG}", "STAGE_ID": "NEW"}
    document = {"deals": [deal], "contacts": [], "stage_history": [], "users": []}
    reply = await api.post(
        "/api/v1/imports/bitrix24",
        headers=admin,
        params={"dry_run": "true"},
        json={**document, "stage_map": {"NEW": "intake"}},
    )
    assert reply.status_code == 200, reply.text
    return str(reply.json()["id"])


LIVE_ADMIN = "admin_live"


async def _another_admin(api: httpx.AsyncClient, admin: dict[str, str]) -> dict[str, str]:
    username = f"admin_{TAG.lower()}"
    password = secrets.token_urlsafe(18)  # long and random: any password policy takes it
    body = {
        "username": username,
        "display_name": f"Админ {TAG}",
        "role": "admin",
        "password": password,
    }
    made = await api.post("/api/v1/users", headers=admin, json=body)
    assert made.status_code == 201, made.text
    return await login(api, username, password)


async def until_board_card(
    api: httpx.AsyncClient, manager: dict[str, str], oid: str, stage: str
) -> None:
    """The board (the read side, which feeds the live stream) shows `oid` in `stage`."""

    async def there() -> bool:
        reply = await api.get(f"/api/v1/board/cards/{oid}", headers=manager)
        return reply.status_code == 200 and reply.json()["stage"] == stage

    await eventually(there)


async def crew_knows(api: httpx.AsyncClient, manager: dict[str, str], member: str) -> None:
    async def known() -> bool:
        crew = (await api.get("/api/v1/crew", headers=manager, params={"role": "measurer"})).json()
        return any(c["id"] == member for c in crew)

    await eventually(known)


async def live_changes(api: httpx.AsyncClient, world: World) -> None:
    """Each role's live stream while commercial things change on orders they work on and
    anything changes on orders they may not see; a visible comment last, so every stream
    provably got that far."""
    manager = world.heads["manager"]
    readers: list[asyncio.Task[None]] = []
    for role in SWEPT:
        world.frames[role] = []
        ready = asyncio.Event()
        head = world.heads[LIVE_ADMIN if role == "admin" else role]
        readers.append(asyncio.create_task(_read_stream(api, head, world.frames[role], ready)))
        await asyncio.wait_for(ready.wait(), 30)
    try:
        changed = dict(DEAL, payment_terms=TERMS + " (уточнено)")
        reply = await api.put(f"/api/v1/orders/{world.ours}/deal", headers=manager, json=changed)
        assert reply.status_code == 200, reply.text
        late = await doc(api, manager, world.ours, "calculation", world.filenames[0])
        world.commercial_media.append(late)
        gone = world.commercial_media[0]  # the first contract draft, on `ours`
        reply = await api.delete(f"/api/v1/media/{gone}", headers=manager)
        assert reply.status_code in (200, 204), reply.text
        secret = {"text": f"ещё секрет {world.words[world.foreign][0]}"}
        await api.post(f"/api/v1/orders/{world.foreign}/comments", headers=manager, json=secret)
        await api.put(f"/api/v1/orders/{world.foreign}/deal", headers=manager, json=DEAL)
        end = {"text": f"конец-{TAG}"}
        reply = await api.post(f"/api/v1/orders/{world.made}/comments", headers=manager, json=end)
        assert reply.status_code == 201, reply.text

        async def everyone_saw_the_end() -> bool:
            return all(
                any(world.made in f and "CommentPosted" in f for f in world.frames[r])
                for r in ROLES
            )

        await eventually(everyone_saw_the_end, timeout=30)
        await asyncio.sleep(3)  # a few seconds more: late pushes count too
        # Admin's stream shows nothing to wait for: deactivating its user ends it with a
        # `reauth` frame carrying its cursor, which proves it read past the end too.
        me = await api.get("/api/v1/me", headers=world.heads[LIVE_ADMIN])
        off = {"active": False}
        reply = await api.patch(
            f"/api/v1/users/{me.json()['id']}", headers=world.heads["admin"], json=off
        )
        assert reply.status_code == 200, reply.text
        await asyncio.wait_for(asyncio.shield(readers[SWEPT.index("admin")]), 30)
    finally:
        for reader in readers:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
                await reader


# --- what counts as a leak -------------------------------------------------------------------


def leaks_in(world: World, role: str, text: str, *, conditions_shown: bool = False) -> list[str]:
    """What of the hidden world appears in `text` (a response body or a stream).
    `conditions_shown`: the answer names gate conditions by design (CONDITIONS_SHOWN): their
    codes and the document purposes they need are no leak there."""
    found: list[str] = []
    # The amount as a number of its own: its digits inside another number (a metric's
    # "0.00731904…" or "1731904" on /metrics) are not the amount.
    amounts = [AMOUNT, AMOUNT.partition(".")[0]]
    found += [
        f"commercial value {v!r}"
        for v in amounts
        if re.search(rf"(?<![\d.]){re.escape(v)}(?!\d)", text)
    ]
    values = [TERMS, f"QZX{TAG}"]
    values += world.filenames + world.commercial_media
    if not conditions_shown:
        values += sorted(COMMERCIAL_DOCUMENT_PURPOSES) + list(HIDDEN_CODES)
    found += [f"commercial value {v!r}" for v in values if v in text]
    for oid in world.unseen(role):
        if oid in text:
            found.append(f"id of an order the role may not see ({oid})")
        found += [
            f"text of an order the role may not see ({w!r})" for w in world.words[oid] if w in text
        ]
    try:
        body = json.loads(text)
    except ValueError:
        return found
    found += [f"commercial key {k!r}" for k in sorted(_keys(body) & HIDDEN_KEYS)]
    found += _counts(world, body)
    return found


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def _counts(world: World, value: Any) -> list[str]:
    """A document count on an order's card that includes documents the role may not see."""
    found: list[str] = []
    if isinstance(value, dict):
        oid = value.get("id") or value.get("order_id")
        count = value.get("documents")
        visible = world.visible_docs.get(str(oid))
        if visible is not None and isinstance(count, int) and count != visible:
            found.append(f"document count {count} on {oid} (visible: {visible})")
        for v in value.values():
            found += _counts(world, v)
    elif isinstance(value, list):
        for v in value:
            found += _counts(world, v)
    return found


# --- the sweep -------------------------------------------------------------------------------


def _path_fillers(world: World, role: str, name: str) -> list[str] | None:
    own = world.ids[role]
    others = [world.ids[r] for r in FIELD if r != role] + [world.ids[f"measurer_{TAG.lower()}"]]
    return {
        "order_id": [world.ours, world.made, world.foreign],
        "media_id": world.commercial_media + world.visible_media,
        "member_id": [own, *others],
        "user_id": [own, world.ids["manager"]],
        "import_id": world.imports,
        # The customer page of the world's customers' number: every order at it.
        "phone": ["79155550102"],
    }.get(name)


def _query_variants(world: World, role: str, name: str) -> list[str]:
    """Values that try to reach what the role may not see, or another shape of the answer."""
    return {
        "order_id": [world.ours, world.made, world.foreign],
        "q": [world.words[world.foreign][1], TAG],
        "format": ["csv"],
        "lang": ["en"],
        "mine": ["false", "true"],
        "assignee": [f"measurer_{TAG.lower()}", "manager"],
        "manager": ["manager"],
        "role": ["measurer", "manager"],
        "unread": ["false"],
        "state": ["parked", "sent"],
        "status": ["open", "done"],
        "limit": ["500"],
        "phone": ["8 (915) 555-01-02"],  # the world's customers' number, in another form
        "overdue": ["true"],
        "at": [datetime.now(UTC).isoformat()],  # the order as it was: now, after the world
        "key": ["task", "order", "intake"],  # a report's drill-down: the orders behind a number
    }.get(name, [])


def requests_for(
    world: World, role: str, path: str, spec: dict[str, Any]
) -> list[tuple[str, dict[str, str]]]:
    """(url, query) pairs: every filler of every path parameter (enums from the schema), then
    each query parameter the route declares, one at a time, with its probing values."""
    op = spec.get("get", {})
    params = op.get("parameters", [])
    urls = [path]
    for name in re.findall(r"{([^}:]+)", path):
        declared: dict[str, Any] = next(
            (p for p in params if p["name"] == name and p["in"] == "path"), {}
        )
        values = declared.get("schema", {}).get("enum") or _path_fillers(world, role, name)
        assert values, f"{path}: no filler for path parameter {name!r}: add one to the sweep"
        urls = [u.replace("{" + name + "}", str(v)) for u in urls for v in values]
    out: list[tuple[str, dict[str, str]]] = [(u, {}) for u in urls]
    for p in params:
        if p["in"] == "query":
            out += [
                (u, {p["name"]: v}) for u in urls for v in _query_variants(world, role, p["name"])
            ]
    return out


@pytest.fixture(scope="module")
async def openapi(stack: Stack) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=stack.urls["gateway"], timeout=30) as api:
        schema: dict[str, Any] = (await api.get("/openapi.json")).json()
    return schema


def test_the_sweep_knows_every_route_the_running_gateway_serves(
    openapi: dict[str, Any],
) -> None:
    live = {p for p, ops in openapi["paths"].items() if "get" in ops}
    assert live <= set(ROUTES), live - set(ROUTES)


def unecho(reply: httpx.Response, query: dict[str, str]) -> str:
    """The body without what the request itself sent (an error may name the id it refuses;
    saying back what the caller said reveals nothing)."""
    text = reply.text
    sent = [s for s in reply.request.url.path.split("/") if len(s) >= 6] + list(query.values())
    for value in sorted(sent, key=len, reverse=True):
        text = text.replace(value, "<sent>")
    return text


def _cases() -> list[Any]:
    cases = []
    for role in SWEPT:
        for route in ROUTES:
            if route in SKIPPED:
                continue
            cases.append(pytest.param(role, route, id=f"{role}:{route}"))
    return cases


@pytest.mark.parametrize(("role", "route"), _cases())
async def test_no_route_leaks_to_field_roles_or_production(
    stack: Stack, world: World, openapi: dict[str, Any], role: str, route: str
) -> None:
    spec = openapi["paths"].get(route, {})
    leaks: list[str] = []
    async with httpx.AsyncClient(base_url=stack.urls["gateway"], timeout=30) as api:
        for url, query in requests_for(world, role, route, spec):
            reply = await api.get(url, headers=world.heads[role], params=query)
            asked = f"{url}?{httpx.QueryParams(query)}" if query else url
            where = f"GET {asked} -> {reply.status_code}"
            if reply.status_code >= 500:
                leaks.append(f"{where}: server error")
            shown = (role, route) in CONDITIONS_SHOWN
            body = unecho(reply, query)
            leaks += [
                f"{where}: {what}" for what in leaks_in(world, role, body, conditions_shown=shown)
            ]
    assert not leaks, f"{role} on {route} sees:\n" + "\n".join(leaks)


@pytest.mark.parametrize("role", SWEPT)
async def test_the_live_stream_shows_no_hidden_change(world: World, role: str) -> None:
    frames = world.frames[role]
    text = "\n".join(frames)
    leaks = leaks_in(world, role, text)
    # On the orders they work on, the live phase changed only commercial things (the deal, a
    # calculation attached, a contract draft detached) before the closing comment: a board
    # push for any of those tells that something hidden happened. Admin works on none.
    seen = {"production": [world.made], "admin": []}.get(role, [world.ours, world.made])
    for line in frames:
        if not line.startswith("data:"):
            continue
        data = json.loads(line.removeprefix("data:"))
        if data.get("order_id") in seen and data.get("type") != "orders.CommentPosted":
            leaks.append(f"push of a hidden change: {data}")
    assert not leaks, f"{role}'s stream shows:\n" + "\n".join(leaks)


def _data(line: str) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(line.removeprefix("data:"))
    return found


async def test_admins_stream_read_every_change_and_pushed_none(world: World) -> None:
    """Hidden means hidden for admin on the live stream too: from `ready` to the `reauth` that
    ended it no frame at all, and that `reauth`'s cursor is past the change every worker's
    stream was pushed last, so the stream did read every change of the live phase."""
    ends = [
        _data(line)["seq"]
        for line in world.frames["measurer"]
        if line.startswith("data:") and world.made in line and "CommentPosted" in line
    ]
    assert ends, "the control: the measurer's stream got the closing comment"
    frames = world.frames["admin"]
    kinds = [line.removeprefix("event:").strip() for line in frames if line.startswith("event:")]
    assert kinds == ["ready", "reauth"], kinds
    reauth = _data(frames[frames.index("event: reauth") + 1])
    changes, _, _inbox = reauth["cursor"].partition(".")  # "<change seq>.<inbox seq>"
    assert int(changes) >= max(ends)


@pytest.mark.parametrize("role", ROLES)
async def test_the_card_of_an_order_blocked_by_hidden_conditions_names_none(
    stack: Stack, world: World, role: str
) -> None:
    """The control for the gate rule: the manager sees the hidden code, field roles an empty
    list (production may not see the order at all)."""
    async with httpx.AsyncClient(base_url=stack.urls["gateway"], timeout=30) as api:
        mine = await card(api, world.heads["manager"], world.ours)
        assert [u["code"] for u in mine["gate"]["unmet"]] == ["signed_contract_missing"]
        reply = await api.get(f"/api/v1/orders/{world.ours}", headers=world.heads[role])
    if role == "production":
        assert reply.status_code == 404
    else:
        assert reply.status_code == 200, reply.text
        assert reply.json()["gate"]["unmet"] == []


async def test_the_sweep_would_see_a_leak(stack: Stack, world: World) -> None:
    """The control: what a manager may see trips every kind of check the sweep makes."""
    manager = world.heads["manager"]
    async with httpx.AsyncClient(base_url=stack.urls["gateway"], timeout=30) as api:
        ours = (await api.get(f"/api/v1/orders/{world.ours}", headers=manager)).text
        foreign = (await api.get(f"/api/v1/orders/{world.foreign}", headers=manager)).text
        board = (await api.get("/api/v1/board", headers=manager, params={"limit": 500})).text
    found = "\n".join(
        w for text in (ours, foreign, board) for w in leaks_in(world, "measurer", text)
    )
    for kind in ("commercial value", "commercial key", "may not see", "document count"):
        assert kind in found, kind
    assert "signed_contract_missing" in found


async def test_the_on_site_commands_show_field_roles_nothing_commercial(
    stack: Stack, world: World
) -> None:
    """Issue 15's commands (check-in, check-out, the site pin, a photo's review) answer a
    field role nothing of the deal; the office-only ones refuse it; the card they change
    stays clean."""
    installer = world.heads["installer"]
    async with httpx.AsyncClient(base_url=stack.urls["gateway"], timeout=30) as api:
        visits = await api.get(f"/api/v1/orders/{world.made}/visits", headers=installer)
        visit = next(v for v in visits.json() if v["assignee_id"] == world.ids["installer"])
        answers = []
        for act in ("check-in", "check-out"):
            reply = await api.post(
                f"/api/v1/visits/{visit['id']}/{act}",
                headers=installer,
                json={"lat": 55.75, "lon": 37.61},
            )
            assert reply.status_code in (201, 409), reply.text  # 409: checked in by a rerun
            answers.append(reply.text)
        for method, path, body in (
            ("PUT", f"/api/v1/orders/{world.made}/site", {"lat": 55.0, "lon": 37.0}),
            ("POST", f"/api/v1/media/{world.visible_media[1]}/review", {"decision": "confirm"}),
        ):
            reply = await api.request(method, path, headers=installer, json=body)
            assert reply.status_code == 403, reply.text
            answers.append(reply.text)
        # Someone else's visit on an order the role cannot see: as if it did not exist.
        foreign = await api.get(
            f"/api/v1/orders/{world.foreign}/visits", headers=world.heads["manager"]
        )
        for v in foreign.json():
            reply = await api.post(
                f"/api/v1/visits/{v['id']}/check-in", headers=installer, json={"lat": 1, "lon": 1}
            )
            assert reply.status_code == 404, reply.text
            answers.append(unecho(reply, {}))
        answers.append((await api.get(f"/api/v1/orders/{world.made}", headers=installer)).text)
    leaks = [w for text in answers for w in leaks_in(world, "installer", text)]
    assert not leaks, leaks
