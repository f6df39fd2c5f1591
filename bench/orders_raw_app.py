"""The orders benchmark's baseline: a FastAPI endpoint doing the durable work of a command
and nothing else.

`python -m bench.orders_raw_app`, started by bench.orders as a separate process and served
exactly as our services are (plumbing.serve: one uvicorn worker, same loop and HTTP parser,
no access log), with the same pool size, against the same PostgreSQL.

POST /raw/{stream_id} stores the request body, an event's JSON, the way an event-sourced
command must: appended to its stream at the next version (read in the same statement, the
stream's (stream_id, stream_version) and the event id unique, as in the event store) and an
outbox row for the relay, in one transaction. It is one statement, so one round trip and one
commit flush per request: the least a command that records an event durably can cost.

Before issue 17 step 1 it was one INSERT into a table with no keys: the ratio then counted
the version read, the keys' indexes and the publishable copy as our overhead, though any
command must pay for them. (Our event store is its own outbox - the relay follows the events
table - so ours writes one row where this writes two: if anything the baseline does more.)
"""

from __future__ import annotations

import uuid

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from bench.bare_app import bare_app
from plumbing.serve import serve
from plumbing.settings import ServiceSettings

RAW_DDL = """
CREATE TABLE IF NOT EXISTS raw_events (
    position       bigserial PRIMARY KEY,
    event_id       uuid NOT NULL UNIQUE,
    stream_id      text NOT NULL,
    stream_version int NOT NULL,
    envelope       jsonb NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (stream_id, stream_version)
);
CREATE TABLE IF NOT EXISTS raw_outbox (
    position bigserial PRIMARY KEY,
    event_id uuid NOT NULL UNIQUE,
    topic    text NOT NULL,
    key      text NOT NULL,
    envelope jsonb NOT NULL
);
"""
# $1 stream, $2 a new event id, $3 the event's JSON. The version is read and the event and
# its outbox row written in one statement: one round trip, one transaction, one flush.
APPEND = """
WITH last AS (
    SELECT coalesce(max(stream_version), 0) AS version FROM raw_events WHERE stream_id = $1
), added AS (
    INSERT INTO raw_events (event_id, stream_id, stream_version, envelope)
    SELECT $2, $1, last.version + 1, $3::text::jsonb FROM last
    RETURNING position, event_id, envelope
)
INSERT INTO raw_outbox (event_id, topic, key, envelope)
SELECT event_id, 'orders', $1, envelope FROM added
RETURNING (SELECT position FROM added)
"""


class Settings(ServiceSettings):
    service_name: str = "raw-insert"
    db_schema: str = "raw_bench"


def build(settings: Settings) -> FastAPI:
    app = bare_app(settings, [RAW_DDL])

    @app.post("/raw/{stream_id}")
    async def raw(stream_id: str, request: Request) -> JSONResponse:
        body = await request.body()
        # ::text::jsonb - the pool's json codec would parse and re-dump the body otherwise.
        position = await request.app.state.pool.fetchval(
            APPEND, stream_id, uuid.uuid4(), body.decode()
        )
        return JSONResponse({"position": position})

    return app


if __name__ == "__main__":
    settings = Settings()
    serve(build(settings), settings)
