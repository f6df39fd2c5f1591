"""One fault run: start a stack of its own, drive load, inject the faults in turn, wait for
quiet, audit. The stack is always our own (its own PostgreSQL, broker and S3 server in a temp
folder) — a fault run kills those processes, so it must never point at shared servers."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

import httpx

from chaos import faults
from chaos.audit import Findings, audit, wait_quiet
from chaos.faults import Fault
from chaos.ledger import Ledger
from chaos.own_stack import crew, login, own_stack
from chaos.slots import slots
from chaos.workload import Driver
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
)
# `lose:broker` (the broker back empty) is asked for by name: every relay republishes its
# whole log and every consumer reads it again, which made a five-minute run a half-hour one
# (measured before the S3 guard answered the broker's listings; not measured since).


@dataclass
class Plan:
    rate: float = 50.0  # commands offered per second
    phase_s: float = 20.0  # each fault's phase, and the steady phase before the first fault
    fault_at_s: float = 3.0  # into its phase
    pause_s: float = 20.0  # past the broker's session timeout (6 s) and the gateway's (15 s)
    settle_s: float = 10.0  # nothing moved for this long = quiet
    durable_broker: bool = True  # the broker's log in the local S3 server, as `make run` has it
    faults: list[Fault] = field(default_factory=lambda: [faults.parse(f) for f in DEFAULT_FAULTS])


@dataclass
class Result:
    ledger: Ledger
    findings: Findings
    stuck: int
    quiet_after_s: float

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
    async with own_stack(
        "oms-chaos-", durable_broker=plan.durable_broker, keep_data=keep_data
    ) as stack:
        ledger, driver = await _drive(stack, plan)
        quiet = await wait_quiet(stack.urls["database"], plan.settle_s)
        log.info("quiet after %.1f s; auditing", quiet)
        findings = await audit(stack.urls["database"], ledger)
        return Result(ledger, findings, len(driver.stuck), quiet)


async def _drive(stack: Stack, plan: Plan) -> tuple[Ledger, Driver]:
    limits = httpx.Limits(max_connections=500, max_keepalive_connections=100)
    async with httpx.AsyncClient(base_url=stack.urls["gateway"], timeout=30, limits=limits) as api:
        manager, measurer = await login(api, "manager"), await login(api, "measurer")
        measurers = await crew(api, manager, "measurer")
        ledger = Ledger()
        driver = Driver(api, manager, measurer, slots(measurers), ledger, plan.rate)
        stop = asyncio.Event()
        ledger.begin("steady")
        load = asyncio.create_task(driver.run(stop))
        await asyncio.sleep(plan.phase_s)
        for fault in plan.faults:
            phase = ledger.begin(fault.label)
            await asyncio.sleep(plan.fault_at_s)
            log.info("%s", fault.label)
            injected = time.monotonic()
            await faults.inject(stack, fault, plan.pause_s)
            phase.recovered_after_s = await faults.wait_recovered(stack, fault, injected)
            log.info("%s: recovered after %s s", fault.label, phase.recovered_after_s)
            left = plan.phase_s - plan.fault_at_s - (time.monotonic() - injected)
            await asyncio.sleep(max(left, 2.0))
        stop.set()  # commands in flight finish and count in the phase they were sent in
        await load
        return ledger, driver
