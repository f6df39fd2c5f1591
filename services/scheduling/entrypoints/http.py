"""HTTP routes of the scheduling service."""

from __future__ import annotations

from typing import Annotated, Any

import asyncpg
from fastapi import APIRouter, Depends, Request

from services.scheduling.adapters.crew_store import list_members

router = APIRouter()


def get_pool(request: Request) -> asyncpg.Pool:
    pool: asyncpg.Pool = request.app.state.pool
    return pool


@router.get("/crew")
async def crew(
    pool: Annotated[asyncpg.Pool, Depends(get_pool)], role: str | None = None
) -> list[dict[str, Any]]:
    return await list_members(pool, role)
