"""Memory and connections of every process of the stack, from psutil: each component's
process tree (a service, the gateway, the broker, the S3 server, the mail catcher), with
PostgreSQL split into the server's own processes and its backends (one per connection)."""

from __future__ import annotations

import contextlib
import statistics
from collections.abc import Mapping, Sequence

import psutil

from deploy.local.stack import Stack

Usage = dict[str, float]  # "rss_mb", "connections", "processes"
BACKENDS = "postgres backends"


def sample(stack: Stack) -> dict[str, Usage]:
    """Each component's figures now. Connections to or from this process (the load
    generator: its streams, its keep-alive pool, its uploads) are left out: their number is
    the generator's choice, not the stack's."""
    ours = _own_ports()
    found: dict[str, Usage] = {}
    for name in stack.component_names():
        pid = getattr(stack.component(name), "pid", None)
        if pid is None:
            continue
        try:
            root = psutil.Process(pid)
            tree = [root, *root.children(recursive=True)]
        except psutil.Error:
            continue  # restarting this very moment
        if name == "postgres":
            backends = [p for p in tree if _is_backend(p)]
            found[BACKENDS] = _usage(backends, connections=len(backends))
            tree = [p for p in tree if p not in backends]
            found[name] = _usage(tree, connections=0)
        else:
            found[name] = _usage(tree, connections=_established(tree, ours))
    return found


def cpu_seconds(stack: Stack) -> float:
    """CPU time used so far by every process of the stack (user and system)."""
    total = 0.0
    for name in stack.component_names():
        pid = getattr(stack.component(name), "pid", None)
        if pid is None:
            continue
        with contextlib.suppress(psutil.Error):
            root = psutil.Process(pid)
            for proc in [root, *root.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    times = proc.cpu_times()
                    total += times.user + times.system
    return total


def _is_backend(proc: psutil.Process) -> bool:
    """A backend's title names its client: `postgres: oms_orders postgres 127.0.0.1(40312)
    idle`; the server's own processes (checkpointer, walwriter...) name only their job."""
    with contextlib.suppress(psutil.Error):
        title = " ".join(proc.cmdline())
        return "(" in title and title.startswith("postgres:")
    return False


def _usage(procs: list[psutil.Process], connections: int) -> Usage:
    """RSS, as the issue asks, and USS beside it: a PostgreSQL backend's RSS counts every
    page of the shared buffer pool it has touched, so it climbs for as long as the pool fills
    (not a leak); its USS is the memory that is its own alone."""
    rss = uss = 0
    alive = 0
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            memory = proc.memory_full_info()
            rss += memory.rss
            uss += memory.uss
            alive += 1
    return {
        "rss_mb": rss / 2**20,
        "uss_mb": uss / 2**20,
        "connections": float(connections),
        "processes": float(alive),
    }


def _own_ports() -> set[int]:
    return {c.laddr.port for c in psutil.Process().net_connections("tcp") if c.laddr}


def _established(procs: list[psutil.Process], ours: set[int]) -> int:
    count = 0
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            count += sum(
                1
                for c in proc.net_connections("tcp")
                if c.status == psutil.CONN_ESTABLISHED and not (c.raddr and c.raddr.port in ours)
            )
    return count


def median(samples: Sequence[Mapping[str, Usage]]) -> dict[str, Usage]:
    """Each figure's median over a few samples: one instant catches a keep-alive pool
    mid-refill; a minute's median does not."""
    names = {name for found in samples for name in found}
    merged: dict[str, Usage] = {}
    for name in names:
        figures = {what for found in samples for what in found.get(name, {})}
        merged[name] = {
            what: statistics.median(found.get(name, {}).get(what, 0.0) for found in samples)
            for what in figures
        }
    return merged
