"""Memory and connections of every process of the stack, from psutil: each component's
process tree (a service, the gateway, the broker, the S3 server, the mail catcher), with
PostgreSQL split into the server's own processes and its backends (one per connection)."""

from __future__ import annotations

import contextlib
import statistics
from collections.abc import Mapping, Sequence

import psutil

from deploy.local.stack import Stack

Usage = dict[str, float]  # "rss_mb", "own_mb", "connections", "accepted", "processes"
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
            opened, accepted = _established(tree, ours)
            found[name] = _usage(tree, connections=opened, accepted=accepted)
    return found


def cpu_seconds(stack: Stack, names: Sequence[str] | None = None) -> float:
    """CPU time used so far (user and system) by the process trees of `names`, or of every
    component of the stack."""
    total = 0.0
    for name in stack.component_names() if names is None else names:
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


def _usage(procs: list[psutil.Process], connections: int, accepted: int = 0) -> Usage:
    """RSS, as the issue asks, and the processes' own memory beside it: anonymous resident
    memory (RssAnon: heap, stacks, private data), which leaves out what RSS also counts and
    is not theirs to leak — a PostgreSQL process's pages of the shared buffer pool, counted
    as it touches them (RSS climbs while the pool fills, not a leak), and file pages of
    binaries mapped by other processes too. Read from /proc: cheap, unlike USS (smaps)."""
    rss = own = 0
    alive = 0
    for proc in procs:
        with contextlib.suppress(psutil.Error, OSError, ValueError):
            rss_now = proc.memory_info().rss
            own_now = _anonymous(proc.pid)
            rss, own, alive = rss + rss_now, own + own_now, alive + 1
    return {
        "rss_mb": rss / 2**20,
        "own_mb": own / 2**20,
        "connections": float(connections),
        "accepted": float(accepted),
        "processes": float(alive),
    }


def _anonymous(pid: int) -> int:
    """RssAnon of /proc/<pid>/status, in bytes."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) * 1024
    return 0


def _own_ports() -> set[int]:
    return {c.laddr.port for c in psutil.Process().net_connections("tcp") if c.laddr}


def _established(procs: list[psutil.Process], ours: set[int]) -> tuple[int, int]:
    """(opened, accepted): connections the processes made to a server, and those peers made
    to a port they listen on. Each connection is thereby counted once as opened, at the side
    that holds it in a pool and would leak it: the gateway's keep-alive connections to a
    service are the gateway's figure, not also the service's, where their number follows the
    gateway's concurrency of the moment."""
    opened = accepted = 0
    for proc in procs:
        with contextlib.suppress(psutil.Error):
            conns = proc.net_connections("tcp")
            listening = {c.laddr.port for c in conns if c.status == psutil.CONN_LISTEN}
            for c in conns:
                if c.status != psutil.CONN_ESTABLISHED or (c.raddr and c.raddr.port in ours):
                    continue
                if c.laddr and c.laddr.port in listening:
                    accepted += 1
                else:
                    opened += 1
    return opened, accepted


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
