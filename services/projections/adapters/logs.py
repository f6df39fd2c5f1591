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


async def read_after(
    conn: Conn, log: LogTable, position: int, limit: int
) -> list[tuple[int, Envelope]]:
    """Positions are gap-free in commit order (appends are serialized, see ordered_log), so
    `position > last` never skips a row that committed late."""
    # The envelope as text, parsed and validated in one step by pydantic (a rebuild reads
    # every event: json.loads and then a validation of the dict took twice as long).
    rows = await conn.fetch(
        f"SELECT position, envelope::text FROM {log.name} WHERE position > $1 "
        "ORDER BY position LIMIT $2",
        position,
        limit,
    )
    out = []
    for position_, text in rows:
        # What the consumer does before its handler, refusal included: an event of a newer
        # release (unknown type or schema version) stops the rebuild with UnknownEventType or
        # FutureSchemaVersion. Skipping it would claim it in the fresh inbox, and after the
        # swap a live consumer that can read it would skip it too.
        envelope = registry.upcast(Envelope.model_validate_json(text))
        out.append((position_, envelope))
    return out
