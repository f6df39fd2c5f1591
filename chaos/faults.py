"""The faults, injected into a running local stack, and how long each takes to heal.

kill -9 is a crash: no shutdown code runs, and the supervisor restarts the process on the same
port. Losing the broker is a kill after which it starts empty (its log, topics and committed
offsets gone, as when a broker's disk is lost): relays must republish and consumers read again,
their inboxes absorbing what they had. A pause (SIGSTOP) is worse in one way: the process
keeps its sockets and locks while it answers nothing, past the broker's session timeout and
the gateway's upstream timeout, and then wakes up believing nothing happened.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from dataclasses import dataclass

import httpx

from deploy.local.broker import LocalBroker
from deploy.local.process import ProcessComponent
from deploy.local.stack import Stack

RECOVERY_TIMEOUT_S = 180.0


@dataclass(frozen=True)
class Fault:
    target: str  # a component name: gateway, orders, ..., broker, postgres, object-store
    how: str = "kill"  # "kill" (-9), "lose" (kill -9, back empty: the broker) or "pause"

    @property
    def label(self) -> str:
        verb = {"kill": "kill -9", "lose": "data loss:", "pause": "pause"}[self.how]
        return f"{verb} {self.target}"


def parse(spec: str) -> Fault:
    """`orders` kills orders; `pause:orders` pauses it; `lose:broker` loses the broker's data."""
    how, _, target = spec.rpartition(":")
    return Fault(target, how or "kill")


def _process(stack: Stack, name: str) -> ProcessComponent:
    component = stack.component(name)
    assert isinstance(component, ProcessComponent), f"{name} is not a local process"
    return component


async def inject(stack: Stack, fault: Fault, pause_s: float) -> None:
    component = _process(stack, fault.target)
    if fault.how == "lose":
        assert isinstance(component, LocalBroker), "only the broker can lose its data"
        component.lose_data_at_next_start()
    if fault.how in ("kill", "lose"):
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
    """Seconds from `since` until the target answers readiness again and so does the gateway,
    seeing every service and the broker reachable (None: not within RECOVERY_TIMEOUT_S). The
    gateway stays in rotation while a service is away (API.md): whole means all reported ok."""
    component = _process(stack, fault.target)
    gateway = stack.urls["gateway"]
    async with httpx.AsyncClient(timeout=2) as client:
        while time.monotonic() - since < RECOVERY_TIMEOUT_S:
            if await asyncio.to_thread(component.ready):
                try:
                    reply = await client.get(f"{gateway}/readyz")
                    deps = reply.json().get("dependencies", {}) if reply.status_code == 200 else {}
                    if reply.status_code == 200 and all(v == "ok" for v in deps.values()):
                        return time.monotonic() - since
                except httpx.TransportError:
                    pass
            await asyncio.sleep(0.2)
    return None
