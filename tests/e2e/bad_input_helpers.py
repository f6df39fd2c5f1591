"""Tools for the bad-input suite: the API's error shape, raw HTTP over a socket (for input
httpx refuses to send), slow clients, and images whose header promises an enormous canvas."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import struct
import zlib
from dataclasses import dataclass
from typing import Any

import httpx
from PIL import Image

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def assert_api_error(reply: httpx.Response, *statuses: int) -> dict[str, Any]:
    """A refusal with one of `statuses` (all 4xx) and the API's body `{"detail", "code"}`."""
    assert reply.status_code in statuses, (reply.status_code, reply.text[:500])
    return assert_error_body(reply.headers.get("content-type", ""), reply.content)


def assert_error_body(content_type: str, body: bytes) -> dict[str, Any]:
    assert content_type.startswith("application/json"), (content_type, body[:300])
    parsed = json.loads(body)
    assert isinstance(parsed, dict), parsed
    assert isinstance(parsed.get("detail"), str), parsed
    assert parsed["detail"], parsed
    assert isinstance(parsed.get("code"), str), parsed
    assert parsed["code"], parsed
    return parsed


@dataclass(frozen=True)
class RawReply:
    """What came back on a raw connection: nothing (closed or reset), or an HTTP response."""

    status: int | None
    headers: dict[str, str]
    body: bytes


def parse_reply(data: bytes) -> RawReply:
    if not data:
        return RawReply(None, {}, b"")
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return RawReply(int(status_line.split(" ")[1]), headers, body)


async def raw_exchange(url: str, request: bytes, timeout: float = 10) -> RawReply:
    """Send `request` as it is (it should say `Connection: close`) and read to the end.

    A server may answer and close before the whole request is sent (a header too large):
    writing then fails, and whatever it answered is still read."""
    target = httpx.URL(url)
    reader, writer = await asyncio.open_connection(target.host, target.port)
    try:
        with contextlib.suppress(OSError):
            writer.write(request)
            await writer.drain()
        return parse_reply(await read_until_closed(reader, timeout))
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


async def read_until_closed(reader: asyncio.StreamReader, timeout: float) -> bytes:
    """Everything until the server closes, piece by piece: a reset after an answer (a
    server refusing a request it has not read to the end) keeps what already arrived."""
    data = b""
    with contextlib.suppress(OSError, TimeoutError):
        async with asyncio.timeout(timeout):
            while chunk := await reader.read(65536):
                data += chunk
    return data


def raw_get(path: bytes, *header_lines: bytes) -> bytes:
    """A GET exactly as written, header lines given without their CRLF."""
    lines = [b"GET " + path + b" HTTP/1.1", b"Host: 127.0.0.1", *header_lines]
    return b"\r\n".join([*lines, b"Connection: close", b"", b""])


class SlowClient:
    """A connection that started a request and does not finish it."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.ended: RawReply | None = None  # set once the server closed or answered

    @classmethod
    async def open(cls, url: str, start: bytes) -> SlowClient:
        target = httpx.URL(url)
        reader, writer = await asyncio.open_connection(target.host, target.port)
        writer.write(start)
        await writer.drain()
        return cls(reader, writer)

    async def trickle(self, data: bytes) -> None:
        """One more small piece of the request, unless the server has ended the exchange."""
        if self.ended is not None:
            return
        try:
            self.writer.write(data)
            await self.writer.drain()
        except OSError:
            self.ended = RawReply(None, {}, b"")

    async def poll(self) -> RawReply | None:
        """Has the server closed the connection or answered? Does not wait."""
        if self.ended is None:
            try:
                async with asyncio.timeout(0.01):
                    first = await self.reader.read(65536)
            except TimeoutError:
                return None
            except OSError:
                first = b""
            rest = await read_until_closed(self.reader, 2) if first else b""
            self.ended = parse_reply(first + rest)
        return self.ended

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(OSError):
            await self.writer.wait_closed()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_bomb(width: int, height: int) -> bytes:
    """A valid 1-bit PNG of zero rows: tens of KB on the wire, `width*height` pixels decoded."""
    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", data)
        + _png_chunk(b"IEND", b"")
    )


def small_jpeg(width: int = 64, height: int = 48) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (180, 40, 40)).save(out, "JPEG")
    return out.getvalue()


def jpeg_bomb(width: int, height: int) -> bytes:
    """A tiny JPEG whose frame header (SOF0) claims `width` x `height`."""
    jpeg = bytearray(small_jpeg(8, 8))
    sof = jpeg.index(b"\xff\xc0")  # marker, length (2), precision (1), height, width
    jpeg[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(jpeg)
