"""The orders benchmark's baseline: a FastAPI endpoint doing one raw INSERT, nothing else.

`python -m bench.orders_raw_app`, started by bench.orders as a separate process and served
exactly as our services are (plumbing.serve: one uvicorn worker, same loop and HTTP parser,
no access log), with the same pool size, against the same PostgreSQL. POST /raw stores the
request body, an event's JSON, as jsonb in one autocommitted INSERT: one round trip and one
commit flush per request, which is the least a command that records an event can cost.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from plumbing import db
from plumbing.serve import serve
from plumbing.settings import ServiceSettings

RAW_DDL = """
CREATE TABLE IF NOT EXISTS raw_events (
    position    bigserial PRIMARY KEY,
    envelope    jsonb NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
"""


class Settings(ServiceSettings):
    service_name: str = "raw-insert"
    db_schema: str = "raw_bench"


def build(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = await db.create_pool(
            settings.database_url, settings.schema_name, max_size=settings.db_pool_max
        )
        try:
            await db.migrate(pool, settings.schema_name, [RAW_DDL])
            app.state.pool = pool
            yield
        finally:
            await pool.close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/readyz")
    async def readyz() -> dict[str, str]:
        return {"status": "ready"}

    @app.post("/raw")
    async def raw(request: Request) -> JSONResponse:
        body = await request.body()
        # ::text::jsonb - the pool's json codec would parse and re-dump the body otherwise.
        position = await request.app.state.pool.fetchval(
            "INSERT INTO raw_events (envelope) VALUES ($1::text::jsonb) RETURNING position",
            body.decode(),
        )
        return JSONResponse({"position": position})

    return app


if __name__ == "__main__":
    settings = Settings()
    serve(build(settings), settings)
