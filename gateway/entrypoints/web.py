"""The web app: plain static files (no build step) and the per-role user guides.

`/` is the single page, `/app/...` its modules, styles and dictionaries, `/guides/{role}` a
role's guide in Russian (`?lang=en` picks an English one when it exists). Files are resolved
inside `gateway/web` only, so a crafted path (`..`, absolute, symlink) can never leave it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import FileResponse

from plumbing.errors import NotFound

WEB_ROOT = Path(__file__).resolve().parent.parent / "web"
GUIDE_ROLES = ("manager", "measurer", "installer", "delivery", "production", "director", "admin")

# Explicit types: `mimetypes` depends on the host's /etc/mime.types, and a browser refuses to
# run an ES module served as text/plain (a blank page on some phones' and servers' defaults).
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".webmanifest": "application/manifest+json",
}
# The app is tiny and changes with releases: revalidate every time (ETag makes it cheap) rather
# than let a phone run yesterday's JS against today's API.
CACHE = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
# Presigned upload/download URLs point at the object store, another origin: allow http(s) there.
PAGE_HEADERS = {
    **CACHE,
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        "img-src 'self' data: blob: http: https:; connect-src 'self' http: https:; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "Referrer-Policy": "no-referrer",
}
ROLE = re.compile(r"^[a-z]{2,32}$")

router = APIRouter(include_in_schema=False)


def _file(relative: str) -> Path:
    """The file under WEB_ROOT, or NotFound; never anything outside it."""
    candidate = (WEB_ROOT / relative).resolve()
    if not candidate.is_relative_to(WEB_ROOT) or not candidate.is_file():
        raise NotFound("no such file", code="not_found")
    if candidate.suffix not in CONTENT_TYPES:
        raise NotFound("no such file", code="not_found")
    return candidate


def _serve(path: Path, headers: dict[str, str] = CACHE) -> FileResponse:
    return FileResponse(path, media_type=CONTENT_TYPES[path.suffix], headers=headers)


@router.get("/")
async def index() -> FileResponse:
    return _serve(_file("index.html"), PAGE_HEADERS)


@router.get("/app/{path:path}")
async def asset(path: str) -> FileResponse:
    return _serve(_file(path))


@router.get("/guides/{role}")
async def guide(role: str, lang: Annotated[str, Query(pattern="^(ru|en)$")] = "ru") -> FileResponse:
    if not ROLE.match(role) or role not in GUIDE_ROLES:
        raise NotFound(f"no guide for role {role!r}", code="guide_not_found")
    wanted = WEB_ROOT / "guides" / f"{role}.{lang}.html"
    # English guides are optional: fall back to the Russian one rather than a dead link.
    path = wanted if wanted.is_file() else WEB_ROOT / "guides" / f"{role}.ru.html"
    return _serve(_file(str(path.relative_to(WEB_ROOT))), PAGE_HEADERS)
