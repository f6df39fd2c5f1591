"""The Python services as supervised child processes, and the one list of them."""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from deploy.local.layout import REPO_ROOT
from deploy.local.ports import LOCALHOST
from deploy.local.process import ChildProcess, ProcessComponent


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    module: str  # run as `python -m <module>`
    url_env: str | None  # how the gateway is told where this service is


# Start order. The gateway comes last (separately) because it needs every URL above.
SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec("orders", "services.orders", "ORDERS_URL"),
    ServiceSpec("scheduling", "services.scheduling", "SCHEDULING_URL"),
    ServiceSpec("media", "services.media", "MEDIA_URL"),
    ServiceSpec("notifications", "services.notifications", "NOTIFICATIONS_URL"),
    ServiceSpec("projections", "services.projections", "PROJECTIONS_URL"),
)
GATEWAY = ServiceSpec("gateway", "gateway", None)


class ServiceProcess(ProcessComponent):
    ready_timeout = 60.0  # first start runs migrations and waits for Kafka group joins

    def __init__(self, spec: ServiceSpec, port: int, env: Mapping[str, str], log_dir: Path):
        super().__init__(log_dir)
        self.name = spec.name
        self.spec = spec
        self.port = port
        self._env = dict(env)

    @property
    def url(self) -> str:
        return f"http://{LOCALHOST}:{self.port}"

    def _command(self) -> ChildProcess:
        env = {**os.environ, **self._env, "HOST": LOCALHOST, "PORT": str(self.port)}
        argv = [sys.executable, "-m", self.spec.module]
        return ChildProcess(argv, self.log_path, env=env, cwd=REPO_ROOT)

    def _ready(self) -> bool:
        try:
            # 5 s, not 2: a gateway restarted under full load answers readiness behind a queue of
            # requests, and a probe that gives up too soon gets a healthy process killed.
            with urllib.request.urlopen(f"{self.url}/readyz", timeout=5) as reply:  # noqa: S310
                return bool(reply.status == 200)
        except (urllib.error.URLError, OSError):
            return False
