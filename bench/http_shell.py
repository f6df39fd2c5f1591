"""The service shell's cost per request and per streamed frame: every service's app as
`plumbing.app.create_app` builds it (request observation, NUL refusal, literal paths first,
error handlers) against a bare FastAPI app with the same two routes (the raw baseline), both
in-process over httpx's ASGI transport, alternating which goes first.

What it isolates: the middleware. A request through the shell did one task switch and one
memory-stream copy per answer chunk more while the observation was Starlette's
BaseHTTPMiddleware; a live stream's every frame paid it."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI
from fastapi.responses import StreamingResponse

from bench.rounds import OURS, RAW, settle, sides
from plumbing.app import Runtime, create_app

FRAME = b"data: x\n\n"


def _with_routes(app: FastAPI) -> FastAPI:
    @app.get("/ping")
    async def ping() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/stream")
    async def stream(frames: int) -> StreamingResponse:
        async def body() -> AsyncIterator[bytes]:
            for _ in range(frames):
                yield FRAME

        return StreamingResponse(body(), media_type="text/event-stream")

    return app


async def _rates(app: FastAPI, requests: int, frames: int) -> tuple[float, float]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://shell") as client:
        started = time.perf_counter()
        for _ in range(requests):
            await client.get("/ping")
        per_request = requests / (time.perf_counter() - started)
        started = time.perf_counter()
        reply = await client.get("/stream", params={"frames": frames})
        assert len(reply.content) == frames * len(FRAME)
        per_frame = frames / (time.perf_counter() - started)
    return per_request, per_frame


async def measure(rounds: int = 5, requests: int = 2000, frames: int = 5000) -> list[str]:
    ours_app = _with_routes(create_app("bench", Runtime()))
    raw_app = _with_routes(FastAPI())
    for app in (ours_app, raw_app):
        await _rates(app, 100, 100)  # warm
    apps = {OURS: ours_app, RAW: raw_app}
    found: dict[str, list[tuple[float, float]]] = {OURS: [], RAW: []}
    for number in range(rounds):
        for side in sides(number):
            await settle(f"before shell {side}, round {number + 1}")
            found[side].append(await _rates(apps[side], requests, frames))
    ours, raw = found[OURS], found[RAW]
    row = "{:<30}{:>12}{:>12}{:>9}"
    lines = [row.format("service shell (in-process)", "ours /s", "raw /s", "ratio")]
    for label, index in ((f"  requests ({requests:,})", 0), (f"  stream frames ({frames:,})", 1)):
        mine = statistics.median(r[index] for r in ours)
        theirs = statistics.median(r[index] for r in raw)
        lines.append(row.format(label, f"{mine:,.0f}", f"{theirs:,.0f}", f"{mine / theirs:.2f}"))
    return lines


if __name__ == "__main__":
    print(*asyncio.run(measure()), sep="\n")
