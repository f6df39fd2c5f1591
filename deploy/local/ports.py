"""Port helpers and the generic "wait until it answers" loop used by every component."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable

LOCALHOST = "127.0.0.1"


class PortInUseError(RuntimeError):
    """A port the user asked for is taken; the message says which variable picks another."""


_handed_out: set[int] = set()
_handing_out = threading.Lock()


def free_port() -> int:
    """A port the kernel says is free right now, never one this process handed out before.

    There is a small window before the child binds it; acceptable on one machine, and far
    better than fixed ports that collide with whatever else the developer is running. The
    kernel may offer a port again while its first taker has not bound it yet (seen: the
    gateway's port given to orders too, so the gateway's readiness probe asked orders and the
    API answered 404), hence the memory of what was handed out.
    """
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((LOCALHOST, 0))
            port: int = sock.getsockname()[1]
        with _handing_out:
            if port not in _handed_out:
                _handed_out.add(port)
                return port


def port_is_free(port: int, host: str = LOCALHOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Without SO_REUSEADDR a port in TIME_WAIT would look taken although a server
        # (which does set it) could bind it.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def require_free_port(port: int, env_var: str) -> int:
    if not port_is_free(port):
        raise PortInUseError(
            f"port {port} is taken by another program; set {env_var}=<another port> "
            f"(e.g. {env_var}={free_port()}) or stop that program"
        )
    return port


def tcp_accepts(port: int, host: str = LOCALHOST) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_until(
    ready: Callable[[], bool],
    *,
    what: str,
    timeout: float,
    alive: Callable[[], bool] = lambda: True,
    interval: float = 0.1,
) -> None:
    """Poll `ready` until true; fail fast when `alive` says the process already died.

    The liveness check matters: without it a crashed child costs the full timeout and the
    user sees "timed out" instead of "exited".
    """
    deadline = time.monotonic() + timeout
    while True:
        if ready():
            return
        if not alive():
            raise TimeoutError(f"{what}: the process exited before it became ready")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not ready after {timeout:.0f} s")
        time.sleep(interval)
