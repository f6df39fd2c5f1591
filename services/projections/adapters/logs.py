"""Reading the published logs for a rebuild: the orders event store and the other services'
retained outboxes.

This is the one documented exception to "no service reads another's tables": a rebuild is a
replay of logs those services publish anyway (the same envelopes Kafka carried, kept because
Kafka's retention is not forever), read-only, from a command an operator runs. The live
service never does it.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.envelope import Envelope
from contracts.events import registry
from plumbing.db import Conn, quote_ident
from plumbing.ordered_log import FOLLOW_ORDER, Cursor, after_cursor


@dataclass(frozen=True)
class LogTable:
    schema: str
    table: str  # `events` (orders' event store) or `outbox`

    @property
    def name(self) -> str:
        return f"{quote_ident(self.schema)}.{quote_ident(self.table)}"


async def exists(conn: Conn, log: LogTable) -> bool:
    found = await conn.fetchval("SELECT to_regclass($1)", f"{log.schema}.{log.table}")
    return found is not None


def _token(cursor: Cursor) -> int:
    # The rebuild keeps one int per log and passes it back (services/projections/application/
    # rebuild.py): the cursor packed into one, 0 the start. Positions stay below 2**63.
    return (cursor.transaction_order << 64) | cursor.position


def _cursor(token: int) -> Cursor:
    return Cursor(token >> 64, token & (2**64 - 1))


async def read_after(
    conn: Conn, log: LogTable, position: int, limit: int
) -> list[tuple[int, Envelope]]:
    """The log after `position`, an opaque token this function returned (0: the start).

    Read in the followers' order (plumbing.ordered_log): appends no longer serialize, so
    `position > last` could skip a row that committed late; each stream's events still come
    in order."""
    cursor = _cursor(position)
    # The envelope as text, parsed and validated in one step by pydantic (a rebuild reads
    # every event: json.loads and then a validation of the dict took twice as long).
    rows = await conn.fetch(
        f"SELECT transaction_order, position, envelope::text FROM {log.name} "
        f"WHERE {after_cursor(1)} {FOLLOW_ORDER} LIMIT $3",
        cursor.transaction_order,
        cursor.position,
        limit,
    )
    out = []
    for transaction_order, position_, text in rows:
        # What the consumer does before its handler, refusal included: an event of a newer
        # release (unknown type or schema version) stops the rebuild with UnknownEventType or
        # FutureSchemaVersion. Skipping it would claim it in the fresh inbox, and after the
        # swap a live consumer that can read it would skip it too.
        envelope = registry.upcast(Envelope.model_validate_json(text))
        out.append((_token(Cursor(transaction_order, position_)), envelope))
    return out
