"""Child processes that cannot outlive us, and the start/wait/stop shape every component shares.

Three promises, each with its reason:
- Own process group: a terminal Ctrl-C reaches only the stack, which then stops children in
  order (services before the database they flush to).
- PR_SET_PDEATHSIG: if the stack dies hard (SIGKILL, OOM) the kernel kills the children, so no
  orphaned postgres keeps the port and the data-dir lock.
- One log file per process, appended, so a restart keeps the previous run's last words.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path

from deploy.local.ports import wait_until

_PR_SET_PDEATHSIG = 1
try:
    _prctl: Callable[..., int] | None = ctypes.CDLL(None, use_errno=True).prctl
except (OSError, AttributeError):  # not Linux: children just are not tied to us
    _prctl = None

# PDEATHSIG fires when the *thread* that forked the child exits, not the process. Tests spawn
# from short-lived executor threads, so every fork goes through this one thread, which lives
# exactly as long as the interpreter.
_SPAWNER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="oms-spawner")


class ComponentFailedError(RuntimeError):
    """A component did not become ready; the message carries the tail of its log."""


def _tie_to_parent(parent_pid: int, death_signal: int) -> Callable[[], None]:
    def in_child() -> None:  # runs after fork, after setuid (which would clear the setting)
        if _prctl is not None:
            _prctl(_PR_SET_PDEATHSIG, death_signal)
        if os.getppid() != parent_pid:  # parent died before prctl: nobody would signal us
            os._exit(1)

    return in_child


class ChildProcess:
    def __init__(
        self,
        argv: Sequence[str],
        log_path: Path,
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        user: str | None = None,
        group: str | None = None,
        death_signal: int = signal.SIGKILL,
    ) -> None:
        self.argv = list(argv)
        self.log_path = log_path
        self._env = dict(env) if env is not None else None
        self._cwd = cwd
        self._user = user
        self._group = group
        self._death_signal = death_signal
        self._proc: subprocess.Popen[bytes] | None = None

    def spawn(self) -> None:
        if self.running:
            raise RuntimeError(f"{self.argv[0]} is already running (pid {self.pid})")
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        parent = os.getpid()

        def launch() -> None:
            with self.log_path.open("ab") as log:
                stamp = time.strftime("%Y-%m-%d %H:%M:%S")
                log.write(f"\n--- {stamp} starting: {' '.join(self.argv)}\n".encode())
                log.flush()
                # Assigned here, in the spawner thread, so a Ctrl-C interrupting the caller's
                # wait can never lose track of a started child.
                self._proc = subprocess.Popen(
                    self.argv,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    env=self._env,
                    cwd=self._cwd,
                    process_group=0,
                    user=self._user,
                    group=self._group,
                    # Drop root's supplementary groups too, not just uid/gid.
                    extra_groups=[] if self._user is not None else None,
                    preexec_fn=_tie_to_parent(parent, self._death_signal),  # noqa: PLW1509
                )

        _SPAWNER.submit(launch).result()

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def returncode(self) -> int | None:
        return self._proc.poll() if self._proc is not None else None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 10.0) -> None:
        proc = self._proc
        if proc is None:
            return
        if proc.poll() is None:
            with suppress(ProcessLookupError):
                proc.send_signal(sig)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        # Anything the child forked into its group (workers, helpers) goes with it.
        with suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)

    def kill(self) -> None:
        """Die like a crash would: no graceful shutdown."""
        self.stop(signal.SIGKILL, timeout=5.0)

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])


class ProcessComponent:
    """One child process plus a readiness check: start() returns only once it is usable."""

    name = "component"
    ready_timeout = 30.0
    stop_signal: int = signal.SIGTERM
    stop_timeout = 10.0

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self._child: ChildProcess | None = None

    # Subclasses describe the process and how to tell it is ready.
    def _command(self) -> ChildProcess:
        raise NotImplementedError

    def _ready(self) -> bool:
        raise NotImplementedError

    def _prepare(self) -> None:
        """One-time work before the first spawn (initdb, folders)."""

    @property
    def log_path(self) -> Path:
        return self.log_dir / f"{self.name}.log"

    def start(self) -> None:
        self._prepare()
        self._child = child = self._command()
        child.spawn()
        try:
            wait_until(
                self._ready,
                what=f"{self.name} (log: {self.log_path})",
                timeout=self.ready_timeout,
                alive=lambda: child.running,
            )
        except TimeoutError as exc:
            self.stop()  # also releases whatever the component set up around the process
            raise ComponentFailedError(
                f"{exc}; exit code {child.returncode}\n--- last lines of {self.log_path}:\n"
                f"{child.log_tail()}"
            ) from None

    def stop(self) -> None:
        if self._child is not None:
            self._child.stop(self.stop_signal, self.stop_timeout)

    def kill(self) -> None:
        if self._child is not None:
            self._child.kill()

    def restart(self) -> None:
        self.stop()
        self.start()

    def is_running(self) -> bool:
        return self._child is not None and self._child.running

    def ready(self) -> bool:
        """Running and answering its readiness check (the fault run's recovery probe)."""
        return self.is_running() and self._ready()

    @property
    def pid(self) -> int | None:
        return self._child.pid if self._child is not None else None

    @property
    def exit_code(self) -> int | None:
        return self._child.returncode if self._child is not None else None
