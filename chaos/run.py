"""One fault run: start a stack of its own, drive load, inject the faults in turn, wait for
quiet, audit. The stack is always our own (its own PostgreSQL, broker and S3 server in a temp
folder) — a fault run kills those processes, so it must never point at shared servers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from chaos import faults
from chaos.audit import Findings, audit, wait_quiet
from chaos.faults import Fault
from chaos.ledger import Ledger
from chaos.slots import slots
from chaos.workload import STEPS, Driver
from deploy.local.stack import Stack

log = logging.getLogger("chaos")

DEFAULT_FAULTS = (
    "gateway",
    "orders",
    "scheduling",
    "media",
    "notifications",
    "projections",
    "broker",
    "postgres",
    "pause:orders",
    # Before the partition: its backlog (every order waiting on a fact still on its way)
    # would take the driver's ticks, and few uploads would meet the store's faults.
    "error:object-store",
    "full:object-store",
    "slow:postgres",
    "partition:broker",
)
# `lose:broker` (the broker back empty) is asked for by name: every relay republishes its
# whole log and every consumer reads it again, which made a five-minute run a half-hour one
# (measured before the S3 guard answered the broker's listings; not measured since).
# `slow:object-store` (every chunk to and from the store held half a second) too.

# Variables that would make the stack reuse a running server instead of starting its own.
_SHARED = ("DATABASE_URL", "KAFKA_BOOTSTRAP", "S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY")


@dataclass
class Plan:
    rate: float = 50.0  # commands offered per second
    phase_s: float = 20.0  # each fault's phase, and the steady phase before the first fault
    fault_at_s: float = 3.0  # into its phase
    pause_s: float = 20.0  # past the broker's session timeout (6 s) and the gateway's (15 s)
    # (also how long PostgreSQL stays slow and the object store failing or full)
    partition_s: float = 60.0  # how long the broker stays partitioned away
    slow_db_s: float = faults.SLOW_DB_S  # `slow:postgres` holds each chunk this long each way
    settle_s: float = 10.0  # nothing moved for this long = quiet
    durable_broker: bool = True  # the broker's log in the local S3 server, as `make run` has it
    faults: list[Fault] = field(default_factory=lambda: [faults.parse(f) for f in DEFAULT_FAULTS])


@dataclass
class Result:
    ledger: Ledger
    findings: Findings
    stuck: int
    quiet_after_s: float
    stuck_steps: dict[str, int] = field(default_factory=dict)  # the step each waited on

    @property
    def server_errors(self) -> dict[str, int]:
        """Answers that are this system's faults: any 5xx but 503, which a dependency away
        answers with Retry-After (API.md) and a client retries."""
        found: dict[str, int] = {}
        for phase in self.ledger.phases:
            for code, n in phase.errors.items():
                if code.isdigit() and code >= "500" and code != "503":
                    found[code] = found.get(code, 0) + n
        return found

    @property
    def ok(self) -> bool:
        return self.findings.ok and not self.stuck and not self.server_errors


async def run(plan: Plan, keep_data: bool = False) -> Result:
    data = _data_folder()
    environ = {k: v for k, v in os.environ.items() if k not in _SHARED}
    rig = faults.Rig.for_faults(plan.faults, data)
    stack = Stack(
        data,
        gateway_port=None,
        environ=environ,
        seed=False,
        durable_broker=plan.durable_broker,
        fronts=rig.fronts,
    )
    try:
        rig.start()
        await asyncio.to_thread(stack.start)
        log.info("stack up in %s; gateway %s", data, stack.urls["gateway"])
        ledger, driver = await _drive(stack, rig, plan)
        quiet = await wait_quiet(stack.urls["database"], plan.settle_s)
        log.info("quiet after %.1f s; auditing", quiet)
        findings = await audit(stack.urls["database"], ledger)
        steps = Counter(STEPS[order.step] for order in driver.stuck)
        return Result(ledger, findings, len(driver.stuck), quiet, dict(steps))
    finally:
        await asyncio.to_thread(stack.stop)
        rig.stop()  # the small disk unmounted before its folder is removed
        if keep_data:
            log.info("data kept in %s", data)
        else:
            shutil.rmtree(data, ignore_errors=True)


async def _measurers(api: httpx.AsyncClient, manager: dict[str, str]) -> list[str]:
    """The measurers' ids, once scheduling has them: its crew list comes from the gateway's
    user events, which a just-started stack may not have delivered yet."""
    async with asyncio.timeout(60):
        while True:
            reply = await api.get("/api/v1/crew", headers=manager, params={"role": "measurer"})
            if reply.status_code == 200 and reply.json():
                return [str(c["id"]) for c in reply.json()]
            await asyncio.sleep(0.5)


def _data_folder() -> Path:
    data = Path(tempfile.mkdtemp(prefix="oms-chaos-"))
    data.chmod(0o755)  # PostgreSQL runs as `nobody` under root and keeps its files in here
    return data


async def _drive(stack: Stack, rig: faults.Rig, plan: Plan) -> tuple[Ledger, Driver]:
    limits = httpx.Limits(max_connections=500, max_keepalive_connections=100)
    async with httpx.AsyncClient(base_url=stack.urls["gateway"], timeout=30, limits=limits) as api:
        manager, measurer = await _login(api, "manager"), await _login(api, "measurer")
        crew = await _measurers(api, manager)
        ledger = Ledger()
        driver = Driver(api, manager, measurer, slots(crew), ledger, plan.rate)
        stop = asyncio.Event()
        ledger.begin("steady")
        load = asyncio.create_task(driver.run(stop))
        renewing = asyncio.create_task(
            _keep_signed_in(api, {"manager": manager, "measurer": measurer})
        )
        await asyncio.sleep(plan.phase_s)
        for fault in plan.faults:
            phase = ledger.begin(rig.label(fault))
            await asyncio.sleep(plan.fault_at_s)
            log.info("%s", phase.name)
            injected = time.monotonic()
            hold = plan.partition_s if fault.how == "partition" else plan.pause_s
            await faults.inject(stack, rig, fault, hold, plan.slow_db_s)
            phase.recovered_after_s = await faults.wait_recovered(stack, fault, injected)
            log.info("%s: recovered after %s s", phase.name, phase.recovered_after_s)
            left = plan.phase_s - plan.fault_at_s - (time.monotonic() - injected)
            await asyncio.sleep(max(left, 2.0))
        stop.set()  # commands in flight finish and count in the phase they were sent in
        await load
        renewing.cancel()
        return ledger, driver


RENEW_EVERY_S = 240.0  # well inside the gateway's 10-minute access token


async def _keep_signed_in(api: httpx.AsyncClient, who: dict[str, dict[str, str]]) -> None:
    """Sign each driver user in again now and then, replacing the header the driver sends in
    place: a run the machine slows past a token's life (two stacks on two cores took over
    ten minutes) otherwise counts every later command as a 401, which is the driver's doing,
    not the system's. A sign-in that fails (the gateway killed this moment) is tried again
    on the next turn; the old token is still good until then."""
    while True:
        await asyncio.sleep(RENEW_EVERY_S)
        for username, headers in who.items():
            with contextlib.suppress(httpx.HTTPError):
                headers.update(await _login(api, username))


async def _login(api: httpx.AsyncClient, username: str) -> dict[str, str]:
    reply = await api.post("/api/v1/auth/token", data={"username": username, "password": "demo"})
    reply.raise_for_status()
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}
