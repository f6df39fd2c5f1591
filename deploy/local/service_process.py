"""The Python services as supervised child processes, and the one list of them."""

from __future__ import annotations

import os
import ssl
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from deploy.local.layout import REPO_ROOT
from deploy.local.ports import LOCALHOST
from deploy.local.process import ChildProcess, ProcessComponent
from deploy.local.tls import TlsFiles


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

    def __init__(
        self,
        spec: ServiceSpec,
        port: int,
        env: Mapping[str, str],
        log_dir: Path,
        *,
        host: str = LOCALHOST,
        tls: TlsFiles | None = None,  # HTTPS with these (the gateway of `make run HTTPS=1`)
    ):
        super().__init__(log_dir)
        self.name = spec.name
        self.spec = spec
        self.port = port
        self.host = host
        self.tls = tls
        self._env = dict(env)

    @property
    def url(self) -> str:
        # 127.0.0.1 also when listening on every address: it is in the certificate's names.
        return f"{'https' if self.tls else 'http'}://{LOCALHOST}:{self.port}"

    def _command(self) -> ChildProcess:
        env = {**os.environ, **self._env, "HOST": self.host, "PORT": str(self.port)}
        if self.tls is not None:
            env |= {"TLS_CERT_FILE": str(self.tls.cert), "TLS_KEY_FILE": str(self.tls.key)}
        argv = [sys.executable, "-m", self.spec.module]
        return ChildProcess(argv, self.log_path, env=env, cwd=REPO_ROOT)

    def _ready(self) -> bool:
        try:
            # 5 s, not 2: a gateway restarted under full load answers readiness behind a queue of
            # requests, and a probe that gives up too soon gets a healthy process killed.
            context = None
            if self.tls is not None:
                context = ssl.create_default_context(cafile=str(self.tls.ca))
            with urllib.request.urlopen(  # noqa: S310 - our own URL
                f"{self.url}/readyz", timeout=5, context=context
            ) as reply:
                return bool(reply.status == 200)
        except (urllib.error.URLError, OSError):
            return False
