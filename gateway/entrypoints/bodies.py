"""Request bodies: refused early when too large or not JSON, before any model sees them.

The gateway's routes take their bodies as the contracts/api models (gateway/entrypoints/
typed.py runs these guards inside the request's own body()/json()), so a megabyte of text or
a broken body never travels further than here. Besides what is not
JSON at all, JSON that Python parses but cannot pass on is refused here too (each was a 500):
nesting deeper than any API body (json.loads recurses, and hits RecursionError far below
the body limit), a lone UTF-16 surrogate (`"\\ud800"`, valid JSON, not encodable as UTF-8 for
the service) and NUL characters (PostgreSQL refuses them in text).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from plumbing.errors import Invalid, TooLarge

MAX_BODY = 256 * 1024
# The deepest API body (a measurement's rooms in a task completion) is 4 levels deep.
MAX_DEPTH = 32


async def read_limited(request: Request, max_bytes: int) -> bytes:
    """The body, never more than max_bytes of it in memory.

    Past the limit the rest is read and dropped rather than left unread: answering and
    closing with unread bytes makes the kernel reset the connection, and the client loses
    the 413. How much can come is bounded below the app (http_max_body_bytes, refused from
    Content-Length before any of it arrives) and so is how long (the body deadlines)."""
    raw = bytearray()
    too_large = False
    async for chunk in request.stream():
        if too_large:
            continue
        raw += chunk
        if len(raw) > max_bytes:
            too_large = True
            raw.clear()
    if too_large:
        raise TooLarge(f"request body is larger than {max_bytes // 1024} KB")
    return bytes(raw)


def check_passable(body: Any) -> None:
    """Refuse what json.loads accepted but no service can take (iterative: no recursion)."""
    pending: list[tuple[Any, int]] = [(body, 0)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            _check_text(value)
        elif isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                raise Invalid(f"body: nested deeper than {MAX_DEPTH} levels", code="invalid_json")
            items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
            for key, item in items:
                if key is not None:
                    _check_text(key)
                pending.append((item, depth + 1))


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise Invalid("body: text must not contain NUL characters", code="invalid_input")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        # json.loads pairs valid surrogate escapes into one character: any left is alone.
        raise Invalid("body: a lone UTF-16 surrogate is not text", code="invalid_json") from None


async def json_body(request: Request, max_bytes: int = MAX_BODY) -> Any:
    raw = await read_limited(request, max_bytes)
    try:
        body = json.loads(raw or b"null")
    except (ValueError, RecursionError):
        raise Invalid("body: not valid JSON", code="invalid_json") from None
    check_passable(body)
    return body
