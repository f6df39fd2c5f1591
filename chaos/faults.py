"""The faults, injected into a running local stack, and how long each takes to heal.

kill -9 is a crash: no shutdown code runs, and the supervisor restarts the process on the same
port. A pause (SIGSTOP) is worse in one way: the process keeps its sockets and locks while it
answers nothing, past the broker's session timeout and the gateway's upstream timeout, and
then wakes up believing nothing happened.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from dataclasses import dataclass

import httpx

from deploy.local.process import ProcessComponent
from deploy.local.stack import Stack

RECOVERY_TIMEOUT_S = 180.0


@dataclass(frozen=True)
class Fault:
    target: str  # a component name: gateway, orders, ..., broker, postgres, object-store
    how: str = "kill"  # "kill" (-9) or "pause" (SIGSTOP, then SIGCONT)

    @property
    def label(self) -> str:
        return f"kill -9 {self.target}" if self.how == "kill" else f"pause {self.target}"


def parse(spec: str) -> Fault:
    """`orders` kills orders; `pause:orders` pauses it."""
    how, _, target = spec.rpartition(":")
    return Fault(target, how or "kill")


def _process(stack: Stack, name: str) -> ProcessComponent:
    component = stack.component(name)
    assert isinstance(component, ProcessComponent), f"{name} is not a local process"
    return component


async def inject(stack: Stack, fault: Fault, pause_s: float) -> None:
    component = _process(stack, fault.target)
    if fault.how == "kill":
        await asyncio.to_thread(stack.kill, fault.target)
        return
    pid = component.pid
    assert pid is not None, f"{fault.target} has no process"
    os.kill(pid, signal.SIGSTOP)
    try:
        await asyncio.sleep(pause_s)
    finally:
        os.kill(pid, signal.SIGCONT)


async def wait_recovered(stack: Stack, fault: Fault, since: float) -> float | None:
    """Seconds from `since` until the target answers readiness again and so does the gateway
    (None: not within RECOVERY_TIMEOUT_S)."""
    component = _process(stack, fault.target)
    gateway = stack.urls["gateway"]
    async with httpx.AsyncClient(timeout=2) as client:
        while time.monotonic() - since < RECOVERY_TIMEOUT_S:
            if await asyncio.to_thread(component.ready):
                try:
                    if (await client.get(f"{gateway}/readyz")).status_code == 200:
                        return time.monotonic() - since
                except httpx.TransportError:
                    pass
            await asyncio.sleep(0.2)
    return None
