"""Dead letters: the messages a consumer set aside for good, and their replay.

A consumer dead-letters bytes that are no event at all, and an event its handler refused
MAX_ATTEMPTS times (plumbing/batch_apply.py). Once the cause is fixed — a release with the bug
fixed is running — an operator asks for a replay:

    python -m plumbing.dead_letters list [--all]       # waiting ones (--all: replayed too)
    python -m plumbing.dead_letters show ID            # the row, and the event in it
    python -m plumbing.dead_letters replay ID... | --all

with the service's own DATABASE_URL and DB_SCHEMA (`kubectl exec` into one of its pods, or
the Job in deploy/k8s/jobs/dead-letters.yaml). The command only marks the rows; the running
service replays them (Consumer.replay_dead_letters, every watchdog interval), because only it
holds the handler with its wiring. A replay goes through the inbox like any delivery: an
event applied meanwhile (it was redelivered, say) is not applied twice. One that fails again
keeps its row, with the new error and the request cleared.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from plumbing import db
from plumbing.db import Conn

# A step after INBOX_DDL, in every service whose migrations have that one.
DEAD_LETTER_REPLAY_DDL = """
ALTER TABLE dead_letters ADD COLUMN IF NOT EXISTS replay_requested_at timestamptz;
ALTER TABLE dead_letters ADD COLUMN IF NOT EXISTS replayed_at timestamptz;
ALTER TABLE dead_letters ADD COLUMN IF NOT EXISTS replay_error text;
"""
COLUMNS = (
    'id, consumer, topic, partition, "offset", error, recorded_at, replay_requested_at, '
    "replayed_at, replay_error"
)


async def listed(conn: Conn, *, include_replayed: bool = False) -> list[dict[str, Any]]:
    where = "" if include_replayed else "WHERE replayed_at IS NULL "
    rows = await conn.fetch(f"SELECT {COLUMNS} FROM dead_letters {where}ORDER BY id")
    return [dict(r) for r in rows]


async def one(conn: Conn, letter_id: int) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        f"SELECT {COLUMNS}, payload FROM dead_letters WHERE id = $1", letter_id
    )
    return None if row is None else dict(row)


async def request_replay(conn: Conn, ids: Sequence[int] | None) -> list[int]:
    """Mark these (None: every waiting one) for the service to replay; the ids marked."""
    rows = await conn.fetch(
        "UPDATE dead_letters SET replay_requested_at = now(), replay_error = NULL "
        "WHERE replayed_at IS NULL AND ($1::bigint[] IS NULL OR id = ANY($1::bigint[])) "
        "RETURNING id",
        None if ids is None else list(ids),
    )
    return sorted(r["id"] for r in rows)


async def requested(conn: Conn, consumer: str, limit: int = 50) -> list[tuple[int, bytes]]:
    rows = await conn.fetch(
        "SELECT id, payload FROM dead_letters WHERE consumer = $1 "
        "AND replay_requested_at IS NOT NULL AND replayed_at IS NULL ORDER BY id LIMIT $2",
        consumer,
        limit,
    )
    return [(r["id"], bytes(r["payload"] or b"")) for r in rows]


async def lock_requested(conn: Conn, letter_id: int) -> bool:
    """Inside the replay's transaction: this replica replays it (another has it otherwise)."""
    found = await conn.fetchval(
        "SELECT id FROM dead_letters WHERE id = $1 AND replay_requested_at IS NOT NULL "
        "AND replayed_at IS NULL FOR UPDATE SKIP LOCKED",
        letter_id,
    )
    return found is not None


async def replayed(conn: Conn, letter_id: int) -> None:
    await conn.execute(
        "UPDATE dead_letters SET replayed_at = now(), replay_error = NULL WHERE id = $1",
        letter_id,
    )


async def failed_again(conn: Conn, letter_id: int, error: str) -> None:
    await conn.execute(
        "UPDATE dead_letters SET replay_requested_at = NULL, replay_error = $2 WHERE id = $1",
        letter_id,
        error,
    )


def _payload(raw: bytes) -> str:
    try:
        return json.dumps(json.loads(raw), ensure_ascii=False, indent=2)
    except ValueError:
        return f"(not JSON) {raw[:2000]!r}"


def _line(row: dict[str, Any]) -> str:
    state = (
        f"replayed {row['replayed_at']:%Y-%m-%d %H:%M}"
        if row["replayed_at"]
        else "replay requested"
        if row["replay_requested_at"]
        else "waiting"
    )
    again = f" — replay failed: {row['replay_error']}" if row["replay_error"] else ""
    return (
        f"{row['id']:>6}  {row['recorded_at']:%Y-%m-%d %H:%M}  {row['consumer']}  "
        f"{row['topic']}:{row['partition']}@{row['offset']}  [{state}]  {row['error']}{again}"
    )


async def _main(args: argparse.Namespace) -> int:
    url = os.environ.get("DATABASE_URL")
    schema = args.schema or os.environ.get("DB_SCHEMA") or os.environ.get("SERVICE_NAME")
    if not url or not schema:
        sys.stderr.write("DATABASE_URL and the service's schema (--schema or DB_SCHEMA) needed\n")
        return 2
    conn = await db.connect(url, schema)
    try:
        if args.command == "list":
            rows = await listed(conn, include_replayed=args.all)
            for row in rows:
                sys.stdout.write(_line(row) + "\n")
            sys.stdout.write(f"{len(rows)} dead letter(s) in {schema}\n")
        elif args.command == "show":
            letter = await one(conn, args.id)
            if letter is None:
                sys.stderr.write(f"no dead letter {args.id} in {schema}\n")
                return 1
            raw = bytes(letter["payload"] or b"")
            sys.stdout.write(_line(letter) + "\n" + _payload(raw) + "\n")
        else:
            if not args.ids and not args.all:
                sys.stderr.write("replay: name the ids, or --all\n")
                return 2
            marked = await request_replay(conn, None if args.all else args.ids)
            sys.stdout.write(
                f"{len(marked)} marked for replay ({', '.join(map(str, marked)) or 'none'}); "
                "the running service replays them within seconds: `list --all` shows how "
                "it went\n"
            )
    finally:
        await conn.close()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m plumbing.dead_letters", description="a service's dead letters"
    )
    parser.add_argument("--schema", help="the service's schema (default: $DB_SCHEMA)")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="the waiting dead letters")
    listing.add_argument("--all", action="store_true", help="the replayed ones too")
    showing = commands.add_parser("show", help="one dead letter and the event in it")
    showing.add_argument("id", type=int)
    replay = commands.add_parser("replay", help="mark dead letters for the service to replay")
    replay.add_argument("ids", type=int, nargs="*")
    replay.add_argument("--all", action="store_true", help="every waiting one")
    return asyncio.run(_main(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
