"""What one HTTP request may take of a process, enforced below the app, in uvicorn's h11
protocol: the size of its head and body, and how long it may take to arrive.

Why here: FastAPI only sees a request once its head is parsed, and uvicorn has no deadline
for a head or a body (uvicorn#157 is still open; `timeout_keep_alive` covers only the idle
time between requests), so a client trickling a byte a second holds a connection forever.
h11's own head limit (`max_incomplete_event_size`) applies only while a head is incomplete:
a 100 KB head that arrives in one read passes. And what uvicorn answers to a malformed
request is `400 text/plain`, not the API's `{"detail", "code"}`. Other servers were weighed:
hypercorn has a read timeout but still answers malformed requests in plain text; granian
(Rust) has header timeouts but no JSON error bodies either and would change how every
process runs. A small subclass of uvicorn's own h11 protocol, overriding the three hooks it
offers (`connection_made`, `data_received`, `send_400_response`) plus h11's `next_event`,
keeps the server everything else already relies on.

Refusals carry the API's error body and `Connection: close`: 400 (malformed, e.g. raw
non-ASCII bytes in the target), 408 (head or body too slow), 413 (a body over the limit,
refused as soon as its Content-Length is read, before any of it arrives) and 431 (head too
large). After a refusal the server stops writing but keeps reading and discarding for a
moment ("lingering close", as nginx does): closing with unread bytes makes the kernel send a
reset, and the client would lose the answer it has not read yet.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import STATUS_PHRASES, H11Protocol
from uvicorn.server import ServerState

log = logging.getLogger(__name__)

KB = 1024
Phase = Literal["head", "body"]


@dataclass(frozen=True)
class HttpLimits:
    # h11's default; the API's heads are a bearer token and a few short headers.
    max_head_bytes: int = 16 * KB
    # Above every API body (the gateway's JSON guard is 256 KB; files go straight to S3),
    # so this only stops a body no route would take, before it is read.
    max_body_bytes: int = 1024 * KB
    # The whole head, from its first byte: a slow client trickling it is cut off.
    head_timeout_s: float = 5.0
    # A body that stops arriving for this long, or is not complete after body_timeout_s.
    body_idle_timeout_s: float = 5.0
    body_timeout_s: float = 30.0
    # After a refusal: how long the rest of the request is read and dropped before closing.
    linger_s: float = 2.0


# h11's status hints (and ours) mapped to the API's codes; anything else is a plain 400.
_CODES = {
    400: ("bad_request", "malformed HTTP request"),
    408: ("request_timeout", "the request did not arrive in time"),
    413: ("too_large", "request body too large"),
    431: ("headers_too_large", "request header fields too large"),
    501: ("not_implemented", "transfer coding not supported"),
}


class _Refused(h11.RemoteProtocolError):
    """A well-formed request we refuse before the app sees it; uvicorn handles it like a
    protocol error (its `handle_events` catches RemoteProtocolError), so we reuse that path."""


class GuardedConnection(h11.Connection):
    """h11 plus the limits h11 does not have: a complete head's size and the body's size."""

    def __init__(self, limits: HttpLimits) -> None:
        super().__init__(h11.SERVER, max_incomplete_event_size=limits.max_head_bytes)
        self.limits = limits
        self.body_bytes = 0
        self.last_error: h11.RemoteProtocolError | None = None

    def next_event(self) -> Any:
        try:
            event = super().next_event()
            if isinstance(event, h11.Request):
                self._check_head(event)
            elif isinstance(event, h11.Data):
                # Chunked bodies declare no length: count what arrives.
                self.body_bytes += len(event.data)
                if self.body_bytes > self.limits.max_body_bytes:
                    raise _Refused("request body too large", error_status_hint=413)
        except h11.RemoteProtocolError as exc:
            self.last_error = exc  # send_400_response gets only a message: keep the status
            raise
        return event

    def _check_head(self, request: h11.Request) -> None:
        self.body_bytes = 0
        headers = request.headers.raw_items()
        size = len(request.method) + len(request.target) + sum(len(n) + len(v) for n, v in headers)
        if size > self.limits.max_head_bytes:
            raise _Refused("request header fields too large", error_status_hint=431)
        for name, value in request.headers:  # h11 has checked it is digits
            if name == b"content-length" and int(value) > self.limits.max_body_bytes:
                raise _Refused("request body too large", error_status_hint=413)


class GuardedH11Protocol(H11Protocol):
    limits: ClassVar[HttpLimits] = HttpLimits()

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.conn = GuardedConnection(self.limits)
        self._phase: Phase | None = None
        self._deadline: asyncio.TimerHandle | None = None
        self._body_ends_at = 0.0
        self._lingering = False

    # --- deadlines ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # A connection that never sends a byte is a head that never arrives.
        self._start("head", self.limits.head_timeout_s)

    def data_received(self, data: bytes) -> None:
        if self._lingering:
            return  # the rest of a refused request: read only so that closing sends no reset
        super().data_received(data)
        self._follow()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop()
        super().connection_lost(exc)

    def _follow(self) -> None:
        """Which deadline applies now that more of the request has arrived."""
        if self.transport.is_closing():
            self._stop()
            return
        state = self.conn.their_state
        if state is h11.IDLE:
            if self._phase != "head":  # the first bytes of a head: its clock starts now
                self._start("head", self.limits.head_timeout_s)
        elif state is h11.SEND_BODY:
            if self._phase != "body":
                self._body_ends_at = self.loop.time() + self.limits.body_timeout_s
            self._start("body", self._body_wait())
        else:  # the request is in (or the connection is done with): no deadline for the app
            self._stop()

    def _body_wait(self) -> float:
        remaining = self._body_ends_at - self.loop.time()
        return max(0.0, min(self.limits.body_idle_timeout_s, remaining))

    def _start(self, phase: Phase, after_s: float) -> None:
        self._stop()
        self._phase = phase
        self._deadline = self.loop.call_later(after_s, self._expired)

    def _stop(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = None
        self._phase = None

    def _expired(self) -> None:
        phase, state = self._phase, self.conn.their_state
        self._deadline = None
        self._phase = None
        if self.transport.is_closing():
            return
        if (phase == "head" and state is not h11.IDLE) or (
            phase == "body" and state is not h11.SEND_BODY
        ):
            return  # it arrived meanwhile (a pipelined request), nothing is late
        if phase == "head" and self.cycle is not None and not self.cycle.response_complete:
            # Between requests while the app still answers the previous one: not the
            # client's delay; keep-alive takes over once the answer is out.
            return
        if phase == "body" and self.flow.read_paused:
            # We stopped reading (the app has not taken what came); not the client's delay.
            self._start("body", self._body_wait() or self.limits.body_idle_timeout_s)
            return
        log.info("closing a connection whose request %s did not arrive in time", phase)
        self._refuse(408, linger=False)

    # --- refusals ----------------------------------------------------------------------

    def send_400_response(self, msg: str) -> None:  # noqa: ARG002 - uvicorn's signature
        """uvicorn's answer to a RemoteProtocolError (h11's or ours), in the API's shape;
        its message is uvicorn's generic one, the status is in the error h11 raised."""
        error = self.conn.last_error if isinstance(self.conn, GuardedConnection) else None
        status = error.error_status_hint if error is not None else 400
        self._refuse(status if status in _CODES else 400, linger=True)

    def _refuse(self, status: int, *, linger: bool) -> None:
        self._stop()
        cycle = self.cycle
        if cycle is not None and not cycle.response_complete:
            if cycle.response_started:
                self.transport.close()  # mid-answer: nothing sensible can be added
                return
            # The app is still reading this request: it sees a disconnect, and whatever
            # it answers later is dropped (uvicorn's cycle ignores sends once disconnected).
            cycle.disconnected = True
            cycle.message_event.set()
        code, detail = _CODES[status]
        body = json.dumps({"detail": detail, "code": code}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        try:
            response = h11.Response(
                status_code=status, headers=headers, reason=STATUS_PHRASES[status]
            )
            self.transport.write(self.conn.send(response) or b"")
            self.transport.write(self.conn.send(h11.Data(data=body)) or b"")
            self.transport.write(self.conn.send(h11.EndOfMessage()) or b"")
        except h11.LocalProtocolError:
            pass  # h11 will not let us answer now (an answer already began): just close
        if linger and self.transport.can_write_eof():
            self._linger()
        else:
            self.transport.close()

    def _linger(self) -> None:
        """Stop writing (the client sees the end of our answer) and drop what still comes
        until the client closes or linger_s passes; then close without a reset."""
        self._lingering = True
        self.flow.resume_reading()
        self.transport.write_eof()
        self.loop.call_later(self.limits.linger_s, self.transport.close)


def guarded_protocol(limits: HttpLimits) -> type[GuardedH11Protocol]:
    """The protocol class for uvicorn's `http=` setting, with these limits (uvicorn builds
    one protocol per connection from the class alone, so the limits ride on the class)."""

    class Limited(GuardedH11Protocol):
        pass

    Limited.limits = limits
    return Limited
