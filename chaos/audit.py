"""After the run, once the system is quiet: is every acknowledged command's effect in its
log, is anything there twice, and do the read models equal a fresh rebuild?

It reads the services' tables directly (one PostgreSQL server, one schema per service): the
logs are the truth the services keep, and going around the API means a lie in an API path
cannot hide a loss.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from chaos.ledger import Ack, Ledger
from chaos.workload import TITLE_PREFIX
from plumbing.db import quote_ident
from services.projections.application.rebuild import compare
from services.projections.bootstrap import Settings as ProjectionsSettings

# Counts that move while anything is still in flight anywhere: logs, relays, inboxes, feeds.
_ACTIVITY = """
SELECT (SELECT coalesce(max(position), 0) FROM orders.events),
       (SELECT coalesce(max(position), 0) FROM scheduling.outbox),
       (SELECT coalesce(max(position), 0) FROM media.outbox),
       (SELECT coalesce(sum(checkpoint), 0) FROM orders.relay_state),
       (SELECT coalesce(sum(checkpoint), 0) FROM scheduling.relay_state),
       (SELECT coalesce(sum(checkpoint), 0) FROM media.relay_state),
       (SELECT count(*) FROM orders.inbox),
       (SELECT count(*) FROM scheduling.inbox),
       (SELECT count(*) FROM notifications.inbox),
       (SELECT count(*) FROM projections.inbox),
       (SELECT count(*) FROM notifications.notifications)
"""
# Every relay has published all of its log: the last row in the order relays follow
# (plumbing.ordered_log) is at or before a stored checkpoint. Positions alone no longer say
# it: the last row followed need not hold the highest position.
_LAST_UNPUBLISHED = """
(SELECT count(*) FROM (
    SELECT transaction_order, position FROM {schema}.{log}
    ORDER BY transaction_order DESC, position DESC LIMIT 1
) AS last WHERE NOT EXISTS (
    SELECT FROM {schema}.relay_state AS r
    WHERE (last.transaction_order, last.position) <= (r.checkpoint_order, r.checkpoint)
))"""
_RELAYS_BEHIND = "SELECT " + " + ".join(
    _LAST_UNPUBLISHED.format(schema=schema, log=log)
    for schema, log in (("orders", "events"), ("scheduling", "outbox"), ("media", "outbox"))
)


async def wait_quiet(url: str, settle_s: float = 10.0, timeout_s: float = 300.0) -> float:
    """Seconds until nothing moved for `settle_s` and every relay has published its log."""
    started = time.monotonic()
    conn = await _connect(url, timeout_s)
    try:
        last, since = None, time.monotonic()
        while time.monotonic() - started < timeout_s:
            try:
                now = tuple(await conn.fetchrow(_ACTIVITY) or ())
                behind = await conn.fetchval(_RELAYS_BEHIND)
            except (asyncpg.PostgresError, OSError):
                await asyncio.sleep(1)
                continue
            if now != last or behind:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= settle_s:
                return time.monotonic() - started
            await asyncio.sleep(0.5)
    finally:
        await conn.close()
    raise TimeoutError(f"the system did not settle within {timeout_s:.0f} s")


async def _connect(url: str, timeout_s: float) -> asyncpg.Connection:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return await asyncpg.connect(url)
        except (asyncpg.PostgresError, OSError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(1)


@dataclass
class Findings:
    lost: list[tuple[Ack, str]] = field(default_factory=list)  # (ack, what is missing)
    duplicates: Counter[str] = field(default_factory=Counter)  # what -> how many extra
    read_models_differ: dict[str, tuple[str, str]] = field(default_factory=dict)
    dead_letters: dict[str, int] = field(default_factory=dict)  # consumer -> events set aside
    orders_checked: int = 0

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicates or self.read_models_differ or self.dead_letters)

    def lost_in(self, phase: str) -> int:
        return sum(1 for ack, _ in self.lost if ack.phase == phase)


@dataclass
class _World:
    """What the logs and tables hold for the run's orders."""

    events: dict[str, list[dict[str, Any]]]  # order id -> its stream's events, in order
    visits: dict[str, dict[str, Any]]
    tasks: dict[str, dict[str, Any]]
    board: dict[str, dict[str, Any]]

    def has(self, order_id: str, type_: str, **data: str) -> bool:
        return any(
            e["type"] == f"orders.{type_}"
            and all(str(e["data"].get(k)) == v for k, v in data.items())
            for e in self.events.get(order_id, [])
        )


async def audit(url: str, ledger: Ledger) -> Findings:
    conn = await asyncpg.connect(url)
    try:
        world = await _load(conn)
        findings = Findings(orders_checked=len(world.events))
        for ack in ledger.acks:
            missing = _missing(world, ack)
            if missing:
                findings.lost.append((ack, missing))
        findings.duplicates = await _duplicates(conn, world)
        findings.dead_letters = await _dead_letters(conn)
    finally:
        await conn.close()
    findings.read_models_differ = await compare(
        ProjectionsSettings(database_url=url).rebuild_plan()
    )
    return findings


async def _load(conn: asyncpg.Connection) -> _World:
    rows = await conn.fetch(
        "SELECT e.stream_id, e.envelope AS env FROM orders.events e "
        "WHERE e.stream_id IN (SELECT stream_id FROM orders.events "
        "  WHERE envelope->>'type' = 'orders.OrderCreated' "
        "  AND envelope->'data'->>'title' LIKE $1) "
        "ORDER BY e.stream_id, e.stream_version",
        TITLE_PREFIX + "%",
    )
    events: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        env = _json(row["env"])
        events[row["stream_id"].removeprefix("order-")].append(env)
    ids = list(events)
    visits = await conn.fetch(
        "SELECT id::text, order_id::text, status FROM scheduling.visits "
        "WHERE order_id::text = ANY($1)",
        ids,
    )
    tasks = await conn.fetch(
        "SELECT id::text, order_id::text, kind, status FROM scheduling.tasks "
        "WHERE order_id::text = ANY($1)",
        ids,
    )
    board = await conn.fetch(
        "SELECT order_id::text, stage, version FROM projections.board_cards "
        "WHERE order_id::text = ANY($1)",
        ids,
    )
    return _World(
        events=dict(events),
        visits={r["id"]: dict(r) for r in visits},
        tasks={r["id"]: dict(r) for r in tasks},
        board={r["order_id"]: dict(r) for r in board},
    )


def _json(value: str) -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(value)  # a plain connection hands jsonb over as text
    return parsed


def _missing(world: _World, ack: Ack) -> str:
    """What of this acknowledged command's effect is not there ('' when all of it is)."""
    oid = ack.order_id
    match ack.kind:
        case "create":
            if not world.has(oid, "OrderCreated"):
                return "OrderCreated not in the order's stream"
            if oid not in world.board:
                return "order not on the board"
            stream_version = len(world.events[oid])
            if world.board[oid]["version"] != stream_version:
                return f"board at version {world.board[oid]['version']}, stream at {stream_version}"
        case "upload":
            if not world.has(oid, "MediaAttached", media_id=ack.ref):
                return "MediaAttached not in the order's stream"
        case "comment":
            if not world.has(oid, "CommentPosted", text=ack.ref):
                return "CommentPosted not in the order's stream"
        case "transition":
            if not world.has(oid, "StageChanged", to_stage=ack.ref):
                return "StageChanged not in the order's stream"
        case "book":
            visit = world.visits.get(ack.ref)
            if visit is None or visit["status"] == "cancelled":
                return "visit not booked in scheduling"
            if not world.has(oid, "VisitRecorded", visit_id=ack.ref):
                return "VisitRecorded not in the order's stream"
        case "complete":
            task = world.tasks.get(ack.ref)
            if task is None or task["status"] != "done":
                return "task not done in scheduling"
            if not world.has(oid, "TaskDone", task_id=ack.ref):
                return "TaskDone not in the order's stream"
            if not world.has(oid, "StageChanged", to_stage="contract"):
                return "the robot did not move the order to contract"
    return ""


async def _duplicates(conn: asyncpg.Connection, world: _World) -> Counter[str]:
    found: Counter[str] = Counter()

    def extra(what: str, keys: list[Any]) -> None:
        for n in Counter(keys).values():
            if n > 1:
                found[what] += n - 1

    titles, moves, media, comments, recorded, done = [], [], [], [], [], []
    for oid, stream in world.events.items():
        for e in stream:
            data, kind = e["data"], e["type"].removeprefix("orders.")
            if kind == "OrderCreated":
                titles.append(data["title"])
            elif kind == "StageChanged":
                moves.append((oid, data["from_stage"], data["to_stage"]))
            elif kind == "MediaAttached":
                media.append(data["media_id"])
            elif kind == "CommentPosted":
                comments.append(data["text"])
            elif kind == "VisitRecorded" and data["status"] == "booked":
                recorded.append(data["visit_id"])
            elif kind == "TaskDone":
                done.append(data["task_id"])
    extra("orders", titles)
    extra("stage moves", moves)
    extra("media attached", media)
    extra("comments", comments)
    extra("visits recorded", recorded)
    extra("tasks done", done)
    extra("visits", [v["order_id"] for v in world.visits.values() if v["status"] != "cancelled"])
    extra(
        "tasks",
        [(t["order_id"], t["kind"]) for t in world.tasks.values() if t["status"] != "cancelled"],
    )
    rows = await conn.fetch(
        "SELECT user_id, order_id, text_ru FROM notifications.notifications "
        "WHERE order_id::text = ANY($1)",
        list(world.events),
    )
    extra("notifications", [tuple(r) for r in rows])
    return found


async def _dead_letters(conn: asyncpg.Connection) -> dict[str, int]:
    """Events a consumer set aside. The driver sends nothing undecodable, so every one is an
    event some read model or robot never applied: a loss, whatever the other checks say."""
    schemas = await conn.fetch(
        "SELECT table_schema FROM information_schema.tables WHERE table_name = 'dead_letters'"
    )
    found: dict[str, int] = {}
    for row in schemas:
        schema = row["table_schema"]
        rows = await conn.fetch(
            f"SELECT consumer, count(*) AS n FROM {quote_ident(schema)}.dead_letters "
            "GROUP BY consumer"
        )
        found.update({r["consumer"]: r["n"] for r in rows})
    return found
