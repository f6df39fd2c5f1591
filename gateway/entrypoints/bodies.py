"""Request bodies the gateway passes on: refused early when too large or not JSON.

The services own the shapes and validate them; the gateway only guards the door, so a
megabyte of text or a broken body never travels further than here.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from plumbing.errors import Invalid, TooLarge

MAX_BODY = 256 * 1024


async def json_body(request: Request, max_bytes: int = MAX_BODY) -> Any:
    raw = await request.body()
    if len(raw) > max_bytes:
        raise TooLarge(f"request body is larger than {max_bytes // 1024} KB")
    try:
        return json.loads(raw or b"null")
    except ValueError:
        raise Invalid("body: not valid JSON", code="invalid_json") from None


async def json_object(request: Request, max_bytes: int = MAX_BODY) -> dict[str, Any]:
    body = await json_body(request, max_bytes)
    if not isinstance(body, dict):
        raise Invalid("body: must be a JSON object", code="invalid_input")
    return body
