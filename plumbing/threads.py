"""Blocking calls on a thread pool of the caller's own, as asyncio.to_thread runs them on the
shared default one: the caller's context (correlation id, span) goes along. An adapter keeps
its own pool to bound how many threads (and so glibc malloc arenas) its work touches."""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import Executor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


async def run_on(executor: Executor, call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    work = functools.partial(contextvars.copy_context().run, call, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(executor, work)
