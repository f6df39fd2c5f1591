"""Conditional writes in front of rclone's S3 server, for the broker's bucket.

Tansu's object storage keeps a cached copy of each small state object (topic list, one
watermark per partition, one object per group) and updates it with a conditional PUT: `If-Match`
the version it read, or `If-None-Match: *` when it has read none. A 412 makes it read the
object again and retry. rclone ignores both headers, and without them even one broker loses
data: after a restart its cache is empty, so the first produce to a partition wrote the
watermark from scratch and overwrote the partition's first batch (seen here: a partition with
12 records served 1 after the next produce); two producers on one partition, or two topic
creations from two connections, overwrote each other (4 producers, 400 acks, 140 kept).

So the broker talks to this proxy, which forwards everything to rclone byte for byte (the
client's signature covers the Host header it sent, which is forwarded unchanged) and answers
412 itself where S3 would: a conditional PUT whose condition does not hold on the file rclone
serves. Conditional PUTs of one object are serialized, so checking and writing are one step.
rclone's ETag of a file is the MD5 of its content.
"""

from __future__ import annotations

import hashlib
import http.client
import socket
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from deploy.local.ports import LOCALHOST
from deploy.local.s3_listing import Credentials, ListingIndex, plain_listing, signed_by

_HOP = {"connection", "keep-alive", "transfer-encoding", "expect", "proxy-connection", "te"}
_STRIPES = 64
_PRECONDITION_FAILED = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code>'
    b"<Message>At least one of the pre-conditions you specified did not hold</Message></Error>"
)


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/").strip('"') for tag in header.split(",")}


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, upstream_port: int, root: Path, credentials: Credentials) -> None:
        super().__init__((LOCALHOST, port), _Handler)
        self.upstream_port = upstream_port
        self.root = root.resolve()
        self.credentials = credentials
        self.listings = ListingIndex(self.root)
        # Striped, not one per key: every new batch is a key of its own.
        self.locks = [threading.Lock() for _ in range(_STRIPES)]

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hung up (the broker restarting): nothing to report or to do

    def lock_for(self, path: str) -> threading.Lock:
        return self.locks[hash(path) % _STRIPES]

    def holds(self, path: str, if_match: str | None, if_none_match: str | None) -> bool:
        """Whether the PUT's conditions hold for the object rclone serves at `path`."""
        file = (self.root / urllib.parse.unquote(path).lstrip("/")).resolve()
        exists = file.is_relative_to(self.root) and file.is_file()
        etag = hashlib.md5(file.read_bytes()).hexdigest() if exists else None  # noqa: S324
        if if_none_match is not None:
            tags = _etags(if_none_match)
            if exists and ("*" in tags or etag in tags):
                return False
        if if_match is not None:
            tags = _etags(if_match)
            if not exists or not ("*" in tags or etag in tags):
                return False
        return True


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the client keeps a pool of connections
    server: _Server
    _upstream: http.client.HTTPConnection | None = None

    def setup(self) -> None:
        super().setup()
        # Headers and body leave in two writes: with Nagle's algorithm the second waited for
        # the client's delayed ACK, 40 ms a request, and reading a log ran 50 times slower.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: object) -> None:
        pass  # one line per request would drown the broker's log

    def do_GET(self) -> None:
        self._serve()

    do_HEAD = do_PUT = do_POST = do_DELETE = do_GET  # noqa: N815

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if self.command == "GET" and self._answer_listing():
            return
        if_match, if_none_match = self.headers.get("If-Match"), self.headers.get("If-None-Match")
        if self.command != "PUT" or (if_match is None and if_none_match is None):
            self._forward(body)
            return
        path = urllib.parse.urlsplit(self.path).path
        with self.server.lock_for(path):
            if self.server.holds(path, if_match, if_none_match):
                self._forward(body)
                return
        self._reply(412, "Precondition Failed", _PRECONDITION_FAILED)

    def _answer_listing(self) -> bool:
        """A plain listing signed with the bucket's keys, answered from the index
        (deploy/local/s3_listing.py says why); False: rclone's to answer."""
        listing = plain_listing(self.path)
        if listing is None or not signed_by(
            self.server.credentials, self.command, self.path, self.headers
        ):
            return False
        self._reply(200, "OK", self.server.listings.listing(*listing))
        return True

    def _note(self, status: int, body: bytes) -> None:
        """Keep the listing index current with a write rclone has just done."""
        if self.command in ("GET", "HEAD") or status >= 300:
            return
        split = urllib.parse.urlsplit(self.path)
        bucket, _, key = urllib.parse.unquote(split.path).lstrip("/").partition("/")
        plain = not split.query and not self.headers.get("x-amz-copy-source")
        if self.command == "PUT" and plain and key:
            self.server.listings.put(bucket, key, body)
        elif self.command == "DELETE" and not split.query and key:
            self.server.listings.delete(bucket, key)
        else:  # a multi-object delete, a copy, a multipart part: read the folder again
            self.server.listings.forget()

    def _reply(self, status: int, reason: str, data: bytes) -> None:
        self.send_response_only(status, reason)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _forward(self, body: bytes) -> None:
        try:
            reply = self._exchange(body)
        except (OSError, http.client.HTTPException):
            self._upstream = None  # a connection rclone closed while idle: one retry, fresh
            reply = self._exchange(body)
        status, reason, headers, data = reply
        # The index first, then the answer: a client that has its 200 must find the object
        # in its next listing (the broker lists right after it writes; four producers on one
        # partition hung on a listing that lagged its own acknowledged write).
        self._note(status, body)
        self.send_response_only(status, reason)
        head = self.command == "HEAD"
        for name, value in headers:
            # A HEAD's Content-Length is the object's size, passed on as it is.
            if name.lower() not in _HOP and (head or name.lower() != "content-length"):
                self.send_header(name, value)
        if not head:
            self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _exchange(self, body: bytes) -> tuple[int, str, list[tuple[str, str]], bytes]:
        if self._upstream is None:
            self._upstream = http.client.HTTPConnection(
                LOCALHOST, self.server.upstream_port, timeout=60
            )
        conn = self._upstream
        conn.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
        for name, value in self.headers.items():
            if name.lower() not in _HOP:
                conn.putheader(name, value)
        conn.endheaders(body or None)
        reply = conn.getresponse()
        data = reply.read()
        return reply.status, reply.reason, reply.getheaders(), data


class S3Guard:
    """The proxy, served from a thread of this process while its broker may run."""

    def __init__(self, port: int, upstream_port: int, root: Path, credentials: Credentials) -> None:
        self.port = port
        self._upstream_port = upstream_port
        self._root = root
        self._credentials = credentials
        self._server: _Server | None = None

    @property
    def endpoint(self) -> str:
        return f"http://{LOCALHOST}:{self.port}"

    def start(self) -> None:
        if self._server is not None:
            # Kept across a broker's kill, but the bucket may have been emptied meanwhile.
            self._server.listings.forget()
            return
        self._server = _Server(self.port, self._upstream_port, self._root, self._credentials)
        threading.Thread(target=self._server.serve_forever, name="s3-guard", daemon=True).start()

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._server = None
