"""Keeps started components alive: one watcher thread per component, restart with backoff.

A dead component is restarted on the same port so everyone else just reconnects; nothing else
is touched. Shutdown is the reverse of start order, so services flush to the database before it
goes away.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Protocol

from deploy.local.process import ComponentFailedError

__all__ = ["Component", "ComponentFailedError", "Supervisor"]

log = logging.getLogger("deploy.local")

_MIN_BACKOFF = 0.5
_MAX_BACKOFF = 10.0
_STABLE_AFTER = 30.0  # a component up this long has recovered; its next crash starts afresh


class Component(Protocol):
    name: str

    def start(self) -> None: ...
    def stop(self) -> None: ...
    def kill(self) -> None: ...
    def is_running(self) -> bool: ...

    @property
    def exit_code(self) -> int | None: ...


class _Member:
    def __init__(self, component: Component) -> None:
        self.component = component
        # Held while someone deliberately stops/starts it, so the watcher keeps its hands off.
        self.lock = threading.Lock()
        self.backoff = _MIN_BACKOFF
        self.started_at = time.monotonic()
        self.thread: threading.Thread | None = None


class Supervisor:
    def __init__(self, poll_interval: float = 0.5) -> None:
        self._poll = poll_interval
        self._members: dict[str, _Member] = {}
        self._stopping = threading.Event()

    def start(self, component: Component) -> None:
        """Start it (blocking until ready) and watch it from now on."""
        if self._stopping.is_set():
            raise RuntimeError("supervisor is stopping")
        # Registered before it starts so stop_all() also reaps a start interrupted by Ctrl-C.
        member = self._members[component.name] = _Member(component)
        component.start()
        member.started_at = time.monotonic()
        member.thread = threading.Thread(
            target=self._watch, args=(member,), name=f"watch-{component.name}", daemon=True
        )
        member.thread.start()

    def get(self, name: str) -> Component:
        return self._members[name].component

    @property
    def names(self) -> list[str]:
        return list(self._members)

    def restart(self, name: str) -> None:
        member = self._members[name]
        with member.lock:
            member.component.stop()
            member.component.start()
            member.started_at = time.monotonic()
        log.info("restarted %s (on request)", name)

    def kill(self, name: str) -> None:
        """SIGKILL it, as a crash would; the watcher then restarts it."""
        self._members[name].component.kill()

    @contextmanager
    def down(self, name: str) -> Iterator[None]:
        """Stopped for the length of the block (an outage), the watcher's hands off; started
        again (blocking until ready) when the block ends, however it ends."""
        member = self._members[name]
        with member.lock:
            member.component.stop()
            log.warning("%s is down (on request)", name)
            try:
                yield
            finally:
                member.component.start()
                member.started_at = time.monotonic()
                log.warning("%s is back", name)

    def stop_all(self) -> None:
        self._stopping.set()
        members = list(self._members.values())
        for member in reversed(members):
            log.info("stopping %s", member.component.name)
            # Not under member.lock: stopping the child is also what aborts a restart the
            # watcher may be waiting on (its readiness check sees the process gone).
            with suppress(Exception):
                member.component.stop()
        for member in members:
            if member.thread is not None:
                member.thread.join(timeout=30)
        for member in reversed(members):  # a restart that raced the first sweep
            with suppress(Exception):
                member.component.stop()

    def _watch(self, member: _Member) -> None:
        while not self._stopping.wait(self._poll):
            if member.component.is_running() or not member.lock.acquire(blocking=False):
                continue
            try:
                self._revive(member)
            finally:
                member.lock.release()

    def _revive(self, member: _Member) -> None:
        component = member.component
        stable = time.monotonic() - member.started_at > _STABLE_AFTER
        member.backoff = _MIN_BACKOFF if stable else min(member.backoff * 2, _MAX_BACKOFF)
        log.warning(
            "%s died (exit code %s); restarting in %.1f s (log: %s)",
            component.name,
            component.exit_code,
            member.backoff,
            getattr(component, "log_path", "?"),
        )
        if self._stopping.wait(member.backoff):
            return
        member.started_at = time.monotonic()
        try:
            component.start()
        except (ComponentFailedError, OSError) as exc:
            if not self._stopping.is_set():
                log.error("restart of %s failed, will retry: %s", component.name, exc)  # noqa: TRY400
            return
        if self._stopping.is_set():  # shutdown began while it was starting
            component.stop()
            return
        log.warning("restarted %s", component.name)
