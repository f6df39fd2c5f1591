"""py-spy on the benchmark's Python processes while one side runs, summed by library.

Each sample's innermost Python frame says whose code was running (py-spy leaves idle
samples out, so the shares are of CPU, not of wall time). Time inside a C extension is
counted to the Python frame that called it: asyncpg's Cython protocol shows as asyncpg, the
event loop's reading and writing of sockets as the event loop.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bench.costs import Profile

RATE_HZ = 100
OUR_PACKAGES = {"bench", "chaos", "contracts", "deploy", "gateway", "load", "plumbing", "services"}
# (piece of the frame's file path, the part it is counted to), first match wins
_PARTS = (
    ("/asyncpg/", "asyncpg (driver)"),
    ("/pydantic", "pydantic"),
    ("/json/", "json"),
    ("/orjson", "json"),
    ("/asyncio/", "event loop"),
    ("/selectors.py", "event loop"),
    ("/uvloop/", "event loop"),
    ("/httpx/", "HTTP client (httpx)"),
    ("/httpcore/", "HTTP client (httpx)"),
    ("/h11/", "HTTP (h11)"),
    ("/starlette/", "HTTP server (starlette)"),
    ("/fastapi/", "HTTP server (fastapi)"),
    ("/uvicorn/", "HTTP server (uvicorn)"),
    ("/aiokafka/", "aiokafka"),
    ("/kafka/", "aiokafka"),
    ("/minio/", "minio client"),
    ("/urllib3/", "minio client"),
    ("/PIL/", "imaging"),
    ("/logging/", "logging"),
    ("/prometheus_client/", "metrics"),
    ("/opentelemetry/", "tracing"),
)


@dataclass
class Spy:
    process: str
    output: Path
    child: subprocess.Popen[bytes]


def _binary() -> str | None:
    return shutil.which("py-spy") or (
        str(Path(sys.executable).parent / "py-spy")
        if (Path(sys.executable).parent / "py-spy").exists()
        else None
    )


def start(profile: Profile, label: str) -> list[Spy]:
    binary = _binary()
    if binary is None or profile.spy_dir is None:
        return []
    targets = {"bench process": [os.getpid()]}
    targets.update({name: pids() for name, pids in profile.processes.items()})
    spies = []
    for process, pids in targets.items():
        for pid in pids:
            output = profile.spy_dir / f"{label}-{process.replace(' ', '_')}-{pid}.txt"
            # --nonblocking: read the process's memory without stopping it. Stopping each
            # process 200 times a second (py-spy's default) cut the stack's throughput by two
            # thirds; the price is an occasional torn sample.
            argv = [binary, "record", "--nonblocking", "--pid", str(pid), "--rate", str(RATE_HZ)]
            argv += ["--format", "raw", "--output", str(output)]
            child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            spies.append(Spy(process, output, child))
    return spies


def finish(spies: list[Spy]) -> dict[str, dict[str, float]]:
    """process -> part -> share of that process's CPU samples."""
    counts: dict[str, Counter[str]] = {}
    for spy in spies:
        spy.child.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
    for spy in spies:
        try:
            spy.child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            spy.child.kill()
        if spy.output.exists():
            counts.setdefault(spy.process, Counter()).update(parts(spy.output.read_text()))
    return {
        process: {part: n / total for part, n in found.most_common()}
        for process, found in counts.items()
        if (total := sum(found.values()))
    }


def part_of(frame: str) -> str:
    """The part a frame `function (path:line)` belongs to. py-spy writes a module's path
    relative to the sys.path entry it was found under (`asyncio/tasks.py`, `plumbing/db.py`),
    so a path is ours when its first folder is one of this repository's packages."""
    name, _, where = frame.rpartition(" (")
    path = "/" + where.rsplit(":", 1)[0].lstrip("/")
    for piece, part in _PARTS:
        if piece in path:
            return part
    top = Path(path).parts[1:2]
    if top and top[0] in OUR_PACKAGES:
        return "ours: " + ".".join(Path(path).with_suffix("").parts[1:3])
    return f"other: {Path(path).name or name}"


def parts(raw: str) -> Counter[str]:
    """Samples per part, from py-spy's raw (collapsed stacks) output."""
    found: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        leaf = stack.rsplit(";", 1)[-1]
        found[part_of(leaf)] += int(count)
    return found
