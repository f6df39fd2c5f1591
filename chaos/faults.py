"""The faults, injected into a running local stack, and how long each takes to heal.

kill -9 is a crash: no shutdown code runs, and the supervisor restarts the process on the same
port. Losing the broker is a kill after which it starts empty (its log, topics and committed
offsets gone, as when a broker's disk is lost): relays must republish and consumers read again,
their inboxes absorbing what they had. A pause (SIGSTOP) is worse in one way: the process
keeps its sockets and locks while it answers nothing, past the broker's session timeout and
the gateway's upstream timeout, and then wakes up believing nothing happened.

The dependency faults act on what lies between the services and a server, through a fault
proxy each (deploy/local/faultproxy.py) that the run puts there from the start: PostgreSQL
slowed (every round trip held), the broker partitioned away (connections cut and refused for a
minute; it advertises the proxy's address, so clients cannot go around it), the object store
failing (500 to every request) or slow. A full disk is the real thing where the run may mount:
the media bucket's folder is a small tmpfs, filled up for the phase; where it may not, the
proxy answers 507 as a full MinIO does, and the phase's name says so.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
import signal
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from deploy.local.broker import LocalBroker
from deploy.local.faultproxy import ProxyProcess
from deploy.local.process import ProcessComponent
from deploy.local.stack import Stack

log = logging.getLogger("chaos")

RECOVERY_TIMEOUT_S = 180.0
# Held each way: 20 ms more on every round trip to PostgreSQL, a hundred times loopback's.
# (25 ms each way starved the consumers, a handful of round trips an event: the facts the
# driver's next step waits on fell minutes behind, the driver gave up on orders as stuck.)
SLOW_DB_S = 0.010
SLOW_STORE_S = 0.5  # held each way on the object store's connections
MEDIA_BUCKET = "oms-media"  # the media service's default bucket, a folder of the store's
DISK_MB = 256  # the small disk's size: the run's own uploads take a few MB of it
# What S3 servers answer: MinIO's full disk, and any store's internal error.
S3_ERRORS = {
    500: b"<Error><Code>InternalError</Code><Message>We encountered an internal error. "
    b"Please try again.</Message></Error>",
    507: b"<Error><Code>XMinioStorageFull</Code><Message>Storage backend has reached its "
    b"minimum free drive threshold. Please delete a few objects to proceed.</Message></Error>",
}

# how -> (the verb in the phase's name, the targets it applies to; None: any process)
KINDS: dict[str, tuple[str, frozenset[str] | None]] = {
    "kill": ("kill -9", None),
    "lose": ("data loss:", frozenset({"broker"})),
    "pause": ("pause", None),
    "slow": ("slow", frozenset({"postgres", "object-store"})),
    "partition": ("partition", frozenset({"broker"})),
    "error": ("500s from", frozenset({"object-store"})),
    "full": ("disk full:", frozenset({"object-store"})),
}
# The faults that act through a proxy in front of their target.
PROXIED = frozenset({"slow", "partition", "error", "full"})


@dataclass(frozen=True)
class Fault:
    target: str  # a component name: gateway, orders, ..., broker, postgres, object-store
    # "kill" (-9), "lose" (kill -9, back empty: the broker), "pause" (SIGSTOP), or one of the
    # dependency faults: "slow", "partition", "error", "full" (see KINDS)
    how: str = "kill"

    @property
    def label(self) -> str:
        return f"{KINDS[self.how][0]} {self.target}"


def parse(spec: str) -> Fault:
    """`orders` kills orders; `pause:orders` pauses it; `lose:broker` loses the broker's data;
    `slow:postgres`, `partition:broker`, `error:object-store`, `full:object-store`."""
    how, _, target = spec.rpartition(":")
    how = how or "kill"
    if how not in KINDS:
        raise ValueError(f"unknown fault {spec!r}: one of {', '.join(KINDS)}")
    targets = KINDS[how][1]
    if targets is not None and target not in targets:
        raise ValueError(f"{how} applies to {', '.join(sorted(targets))}, not {target!r}")
    return Fault(target, how)


class SmallDisk:
    """A tmpfs of DISK_MB mounted on the media bucket's folder before the store starts, so
    filling it fills that folder alone: never the machine's own disk, nor the broker's log
    (a folder beside it). Needs root and permission to mount; `reason` says why not."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.mounted = False
        self.reason = ""
        self._filler = folder / ".chaos-filler"

    def mount(self) -> bool:
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() != 0:
            self.reason = "not root"
            return False
        argv = ["mount", "-t", "tmpfs", "-o", f"size={DISK_MB}m,mode=0755", "tmpfs"]
        try:
            done = subprocess.run(  # noqa: S603 - fixed argv, our own temp folder
                [*argv, str(self.folder)], capture_output=True, text=True, timeout=10, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            self.reason = f"mount failed: {exc}"
            return False
        if done.returncode != 0:
            self.reason = f"mount refused: {done.stderr.strip() or done.returncode}"
            return False
        self.mounted = True
        return True

    def fill(self) -> int:
        """Write until the disk refuses a byte more; the bytes written."""
        written = 0
        block = b"\0" * (1 << 20)
        with self._filler.open("wb", buffering=0) as out:
            while True:
                try:
                    written += out.write(block)
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
                    # The last partial block: the few bytes still free go too.
                    with contextlib.suppress(OSError):
                        while out.write(b"\0" * 512):
                            written += 512
                    return written

    def drain(self) -> None:
        self._filler.unlink(missing_ok=True)

    def unmount(self) -> None:
        if self.mounted:
            argv = ["umount", "-l", str(self.folder)]
            subprocess.run(argv, check=False, timeout=30)  # noqa: S603 - our own mount
            self.mounted = False


@dataclass
class Rig:
    """What the dependency faults act through: a proxy per fronted server, the small disk."""

    fronts: dict[str, ProxyProcess] = field(default_factory=dict)
    disk: SmallDisk | None = None

    @classmethod
    def for_faults(cls, faults: Iterable[Fault], data: Path) -> Rig:
        rig = cls()
        for fault in faults:
            if fault.how in PROXIED and fault.target not in rig.fronts:
                rig.fronts[fault.target] = ProxyProcess(fault.target, data / "logs")
            if fault.how == "full" and rig.disk is None:
                rig.disk = SmallDisk(data / "s3" / MEDIA_BUCKET)
        return rig

    def start(self) -> None:
        for front in self.fronts.values():
            front.start()
        if self.disk is not None and not self.disk.mount():
            log.warning(
                "no small disk for the object store (%s): `full:object-store` is the S3 "
                "proxy answering 507 instead",
                self.disk.reason,
            )

    def stop(self) -> None:
        for front in self.fronts.values():
            front.stop()
        if self.disk is not None:
            self.disk.unmount()

    def label(self, fault: Fault) -> str:
        if fault.how == "full" and (self.disk is None or not self.disk.mounted):
            return f"507s from {fault.target} (no disk to fill)"
        return fault.label


def _process(stack: Stack, name: str) -> ProcessComponent:
    component = stack.component(name)
    assert isinstance(component, ProcessComponent), f"{name} is not a local process"
    return component


async def inject(
    stack: Stack, rig: Rig, fault: Fault, hold_s: float, slow_db_s: float = SLOW_DB_S
) -> None:
    """Inject the fault; a pause or a dependency fault lasts `hold_s` and is then undone.
    PostgreSQL slowed holds every chunk `slow_db_s` each way."""
    if fault.how in PROXIED:
        await _through_proxy(rig, fault, hold_s, slow_db_s)
        return
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
        await asyncio.sleep(hold_s)
    finally:
        os.kill(pid, signal.SIGCONT)


async def _through_proxy(rig: Rig, fault: Fault, hold_s: float, slow_db_s: float) -> None:
    front = rig.fronts[fault.target]
    disk = rig.disk if fault.how == "full" and rig.disk and rig.disk.mounted else None
    if disk is not None:
        filled = await asyncio.to_thread(disk.fill)
        log.info("the object store's disk is full (%d MB written to fill it)", filled >> 20)
    elif fault.how == "slow":
        held = slow_db_s if fault.target == "postgres" else SLOW_STORE_S
        await asyncio.to_thread(front.latency, held)
    elif fault.how == "partition":
        await asyncio.to_thread(front.offline)
    else:
        status = 500 if fault.how == "error" else 507
        await asyncio.to_thread(front.answer, status, S3_ERRORS[status], "application/xml")
    try:
        await asyncio.sleep(hold_s)
    finally:
        if disk is not None:
            await asyncio.to_thread(disk.drain)
        await asyncio.to_thread(front.passing)


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
