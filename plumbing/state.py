"""FastAPI dependencies for what `bootstrap.py` puts on `app.state`.

Wiring stays in one place (bootstrap); routes ask for objects by type through these, instead
of each module writing its own `request.app.state.<name>` getter.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import asyncpg
from fastapi import Depends, Request

T = TypeVar("T")


def from_state(name: str, kind: type[T]) -> Callable[[Request], Awaitable[T]]:
    """A dependency returning `app.state.<name>`, typed as `kind`."""

    # async, as every dependency here: FastAPI runs a plain `def` dependency in a worker
    # thread, two thread hops a request for a getattr (py-spy: a tenth of the gateway's CPU).
    async def get(request: Request) -> T:
        value = getattr(request.app.state, name)
        if not isinstance(value, kind):  # a wiring mistake: say which, not an AttributeError later
            raise TypeError(f"app.state.{name} is {type(value).__name__}, not {kind.__name__}")
        return value

    get.__name__ = f"get_{name}"
    return get


# Every service built by plumbing.service.build_service has its pool at app.state.pool.
PoolDep = Annotated[asyncpg.Pool, Depends(from_state("pool", asyncpg.Pool))]
