"""The raw baselines' HTTP server: a bare FastAPI app with the services' pool on its schema
(migrated with the baseline's own tables, if any) and a /readyz for the bench's stack to
wait on. Each baseline adds its one route (bench/orders_raw_app.py, bench/board_apps.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import FastAPI

from plumbing import db
from plumbing.settings import ServiceSettings


def bare_app(settings: ServiceSettings, ddl: Sequence[str] = ()) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pool = await db.create_pool(
            settings.database_url, settings.schema_name, max_size=settings.db_pool_max
        )
        try:
            if ddl:
                await db.migrate(pool, settings.schema_name, list(ddl))
            app.state.pool = pool
            yield
        finally:
            await pool.close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/readyz")
    async def readyz() -> dict[str, str]:
        return {"status": "ready"}

    return app
