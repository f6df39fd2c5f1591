"""A local SMTP server for `make run` (aiosmtpd): keeps every message it accepts as an .eml
file in the data folder (<data>/mail), so a developer opens what the system sent in any mail
program, and the end-to-end tests read it. It delivers nothing anywhere.

Run as `python -m deploy.local.mail --dir PATH --port N` (a supervised child of the stack).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from deploy.local.ports import LOCALHOST, tcp_accepts
from deploy.local.process import ChildProcess, ProcessComponent


class EmlFolder:
    """An aiosmtpd handler: each accepted message becomes `<time>-<id>.eml` in `folder`,
    written whole before it appears (a reader never sees half a message)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:12]}.eml"
        partial = self.folder / f".{name}.part"
        content = envelope.original_content or envelope.content
        partial.write_bytes(content if isinstance(content, bytes) else content.encode())
        partial.rename(self.folder / name)
        return "250 Message accepted for delivery"


class LocalMail(ProcessComponent):
    name = "mail"

    def __init__(self, folder: Path, port: int, *, log_dir: Path) -> None:
        super().__init__(log_dir)
        self.folder = folder
        self.port = port

    def _prepare(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)

    def _command(self) -> ChildProcess:
        argv = [sys.executable, "-m", "deploy.local.mail", "--dir", str(self.folder)]
        argv += ["--port", str(self.port)]
        repo = Path(__file__).resolve().parents[2]
        env = {**os.environ, "PYTHONPATH": str(repo)}
        return ChildProcess(argv, self.log_path, env=env, cwd=repo)

    def _ready(self) -> bool:
        return tcp_accepts(self.port)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", type=Path, required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    controller = Controller(EmlFolder(args.dir), hostname=LOCALHOST, port=args.port)
    controller.start()
    print(f"local mail: {LOCALHOST}:{args.port} -> {args.dir}", flush=True)
    try:
        threading.Event().wait()  # the controller's thread serves; we wait for a signal
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
