"""Where a timed side's time goes, for the goals `make bench` does not meet (issue 17 asks
for a profile that names the causes of a gap and their cost).

Off by default: every section wraps each timed side in `side(...)`, which does nothing until
`python -m bench.profile` turns it on. Then, per side, it records:
- CPU seconds of each process group over the side's run: this process (the client, or the
  service built in-process), PostgreSQL (its backends, the reaped ones included) and any
  service processes the section registers;
- with pg_stat_statements loaded, the statements the side ran: calls and server time;
- optionally a py-spy profile of the Python processes, summed by library (`pyspy.py`).

A 2-core machine serves both sides, so a side's wall time per operation is at least its
CPU per operation over 2, and at least the busiest single process's CPU per operation (one
Python process uses one core). The printout divides everything by the operations done.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import psutil

from bench import pyspy


@dataclass(frozen=True)
class Statement:
    query: str
    calls: int
    exec_ms: float
    plan_ms: float


@dataclass
class SideCost:
    where: str
    side: str
    ops: int
    wall_s: float
    cpu_s: dict[str, float]
    statements: list[Statement] = field(default_factory=list)
    spy: dict[str, dict[str, float]] = field(default_factory=dict)  # process -> part -> share


@dataclass
class Profile:
    """What `python -m bench.profile` switches on; the sections only call `side`."""

    database_url: str
    postmaster_pid: int | None
    spy_dir: Path | None = None  # None: no py-spy
    processes: dict[str, Callable[[], list[int]]] = field(default_factory=dict)
    sides: list[SideCost] = field(default_factory=list)


class _Switch:
    profile: Profile | None = None  # set by `python -m bench --profile`


def enable(profile: Profile | None) -> None:
    _Switch.profile = profile


def register(name: str, pids: Callable[[], list[int]]) -> None:
    """A process group the section started (the stack's gateway, a service): its CPU counts."""
    if _Switch.profile is not None:
        _Switch.profile.processes[name] = pids


def _cpu(pid: int, *, with_reaped: bool = False) -> float:
    try:
        times = psutil.Process(pid).cpu_times()
    except psutil.Error:
        return 0.0
    own = float(times.user + times.system)
    return own + (float(times.children_user + times.children_system) if with_reaped else 0.0)


def _postgres_cpu(postmaster: int) -> float:
    """The postmaster, its live children and (through its reaped-children counters) every
    backend that exited: a pool's recycled connections are spent CPU too."""
    try:
        children = psutil.Process(postmaster).children()
    except psutil.Error:
        return 0.0
    return _cpu(postmaster, with_reaped=True) + sum(_cpu(c.pid) for c in children)


def _snapshot(profile: Profile) -> dict[str, float]:
    cpu = {"bench process": _cpu(os.getpid())}
    if profile.postmaster_pid is not None:
        cpu["postgres"] = _postgres_cpu(profile.postmaster_pid)
    for name, pids in profile.processes.items():
        cpu[name] = sum(_cpu(pid) for pid in pids())
    return cpu


async def _statements_reset(url: str) -> bool:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        await conn.execute("SELECT pg_stat_statements_reset()")
        return True
    except asyncpg.PostgresError:  # not preloaded on this server: no statements then
        return False
    finally:
        await conn.close()


async def _statements(url: str) -> list[Statement]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT query, calls, total_exec_time, total_plan_time FROM pg_stat_statements "
            "WHERE query NOT LIKE '%pg_stat_statements%' "
            "ORDER BY total_exec_time + total_plan_time DESC"
        )
    finally:
        await conn.close()
    return [
        Statement(
            " ".join(r["query"].split()), r["calls"], r["total_exec_time"], r["total_plan_time"]
        )
        for r in rows
    ]


@contextlib.asynccontextmanager
async def side(where: str, name: str, ops: int) -> AsyncIterator[None]:
    """Wrap one timed run of one side of a comparison: `ops` operations."""
    profile = _Switch.profile
    if profile is None:
        yield
        return
    counting = await _statements_reset(profile.database_url)
    spies = pyspy.start(profile, f"{where}-{name}") if profile.spy_dir else []
    before = _snapshot(profile)
    started = time.perf_counter()
    try:
        yield
    finally:
        wall = time.perf_counter() - started
        after = _snapshot(profile)
        spied = pyspy.finish(spies)
        statements = await _statements(profile.database_url) if counting else []
        profile.sides.append(
            SideCost(
                where,
                name,
                ops,
                wall,
                {k: after[k] - before.get(k, 0.0) for k in after},
                statements,
                spied,
            )
        )


def _us(seconds: float, ops: int) -> str:
    return f"{seconds / ops * 1e6:,.0f}"


def report(profile: Profile, top: int = 6) -> list[str]:
    """The costs of every side measured, then each comparison's gap by process group."""
    lines = ["", "where the time goes (bench --profile): per operation, µs"]
    for cost in profile.sides:
        total = sum(cost.cpu_s.values())
        busy = ", ".join(
            f"{name} {_us(cpu, cost.ops)} ({cpu / cost.wall_s:.0%} of a core)"
            for name, cpu in cost.cpu_s.items()
        )
        lines.append(
            f"{cost.where} {cost.side}: {cost.ops:,} ops, wall {_us(cost.wall_s, cost.ops)}; "
            f"CPU {_us(total, cost.ops)} = {busy}"
        )
        if cost.statements:
            calls = sum(s.calls for s in cost.statements)
            exec_s = sum(s.exec_ms for s in cost.statements) / 1000
            plan_s = sum(s.plan_ms for s in cost.statements) / 1000
            lines.append(
                f"  statements: {calls / cost.ops:.1f} per op, executing "
                f"{_us(exec_s, cost.ops)} + planning {_us(plan_s, cost.ops)} µs per op"
            )
            lines.extend(
                f"    {s.calls / cost.ops:5.2f}/op {s.exec_ms / cost.ops * 1e3:7.1f}"
                f" + {s.plan_ms / cost.ops * 1e3:5.1f} µs/op  {s.query[:100]}"
                for s in cost.statements[:top]
            )
        for process, shares in cost.spy.items():
            parts = ", ".join(f"{part} {share:.0%}" for part, share in list(shares.items())[:top])
            lines.append(f"  py-spy {process}: {parts}")
    latest: dict[tuple[str, str], SideCost] = {(c.where, c.side): c for c in profile.sides}
    for where in dict.fromkeys(c.where for c in profile.sides):
        ours, raw = latest.get((where, "ours")), latest.get((where, "raw"))
        if ours is None or raw is None:
            continue
        gap = ours.wall_s / ours.ops - raw.wall_s / raw.ops
        deltas = {
            name: ours.cpu_s.get(name, 0.0) / ours.ops - raw.cpu_s.get(name, 0.0) / raw.ops
            for name in {**ours.cpu_s, **raw.cpu_s}
        }
        extra = sum(deltas.values())
        shown = ", ".join(
            f"{name} {delta * 1e6:+,.0f}"
            for name, delta in sorted(deltas.items(), key=lambda kv: -kv[1])
        )
        lines.append(
            f"gap {where}: wall {gap * 1e6:+,.0f} µs/op; CPU {extra * 1e6:+,.0f} µs/op = {shown}"
        )
    return lines
