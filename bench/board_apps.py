"""The board benchmark's two servers, each a process served as our services are
(plumbing.serve: one uvicorn worker, same loop and HTTP parser, no access log), with the same
pool size, on the schema bench.board seeded (DB_SCHEMA).

`BENCH_BOARD_SIDE=ours python -m bench.board_apps`: the projections service's own read API
(its router, its app shell, its signed-actor guard: the gateway's calls are signed) without
its consumers, so GET /board is what the gateway calls, and nothing else runs beside it.
`BENCH_BOARD_SIDE=raw`: a bare FastAPI app whose GET /raw answers the raw query, the stage
counts (`SELECT stage, count(*) ... GROUP BY stage`), as JSON.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from bench.bare_app import bare_app
from plumbing.serve import serve
from plumbing.service import Job, ServiceSpec, build_service
from plumbing.settings import ServiceSettings
from services.projections.adapters.tables import MIGRATIONS
from services.projections.entrypoints.http import router

RAW_QUERY = "SELECT stage, count(*) AS n FROM board_cards GROUP BY stage"


class Settings(ServiceSettings):
    service_name: str = "projections"  # the name the gateway signs its calls for


def ours(settings: Settings) -> FastAPI:
    async def wire(_pool: asyncpg.Pool, _app: FastAPI) -> Sequence[Job]:
        return []  # no consumer: the board is read while nothing writes

    return build_service(
        settings, ServiceSpec(migrations=MIGRATIONS, topics=(), wire=wire, routers=[router])
    )


def raw(settings: Settings) -> FastAPI:
    app = bare_app(settings)

    @app.get("/raw")
    async def counts(request: Request) -> JSONResponse:
        rows = await request.app.state.pool.fetch(RAW_QUERY)
        return JSONResponse({row["stage"]: row["n"] for row in rows})

    return app


if __name__ == "__main__":
    settings = Settings()
    side = os.environ.get("BENCH_BOARD_SIDE", "")
    if side not in ("ours", "raw"):
        raise SystemExit("BENCH_BOARD_SIDE must be ours or raw")
    serve(ours(settings) if side == "ours" else raw(settings), settings)
