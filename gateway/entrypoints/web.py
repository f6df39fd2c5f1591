"""The web app (built from web/ into web/dist by `make web-build`) and the per-role guides.

`/` is the single page, `/app/...` its scripts, styles, icons, manifest and service worker,
`/guides/{role}` a role's guide in Russian (`?lang=en` picks an English one when it exists).
Files are resolved inside `web/dist` only, so a crafted path (`..`, absolute, symlink) can never
leave it. The built assets carry a content hash in their names (`/app/assets/index-<hash>.js`),
so they are cached for good; index.html is revalidated every time, so a release reaches phones
at once.

A guide is assembled, not stored whole: `guides/<role>.<lang>.html` holds only that role's text,
starting with its `<h1>` (which also titles the page), plus markers such as
`<!-- include: gates -->` for the sections several roles share (`guides/_gates.<lang>.html`).
`guides/_shell.<lang>.html` is the one page around it all (head, styles, the link back to the
app). Assembly is plain string replacement, cached per file; a marker naming no fragment is a
`GuideError` (a 500, and a failing unit test), never a silently blank section.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, Response

from contracts.roles import ROLES
from gateway.entrypoints.deps import PUBLIC
from plumbing.errors import NotFound

REPO = Path(__file__).resolve().parent.parent.parent
# WEB_DIST serves another build (a second checkout's, or one a test run made aside).
WEB_ROOT = Path(os.environ.get("WEB_DIST") or REPO / "web" / "dist").resolve()
GUIDES_DIR = REPO / "gateway" / "web" / "guides"
GUIDE_ROLES: tuple[str, ...] = ROLES  # every role has its guide (tests/unit/test_web_app.py)

# Explicit types: `mimetypes` depends on the host's /etc/mime.types, and a browser refuses to
# run an ES module served as text/plain (a blank page on some phones' and servers' defaults).
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".map": "application/json",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".webmanifest": "application/manifest+json",
}
# index.html changes with releases: revalidate every time (ETag makes it cheap) rather than let
# a phone run yesterday's JS against today's API. Hashed assets never change under one name.
CACHE = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
IMMUTABLE = {**CACHE, "Cache-Control": "public, max-age=31536000, immutable"}
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
# The service worker (web/src/sw.ts, issue 15) is built to /app/sw.js but controls `/`, the
# app's page: a worker's scope may only reach above its own folder with this header. It is
# revalidated on every start (no-cache), so a new build's worker is found at once.
SERVICE_WORKER = {**CACHE, "Service-Worker-Allowed": "/"}
ROLE = re.compile(r"^[a-z]{2,32}$")
INCLUDE = re.compile(r"<!--\s*include:\s*(.*?)\s*-->")
FRAGMENT_NAME = re.compile(r"^[a-z]{2,32}$")
TITLE_SLOT = "<!-- slot: title -->"
CONTENT_SLOT = "<!-- slot: content -->"
HEADING = re.compile(r"<h1>(.*?)</h1>", re.DOTALL)
TAG = re.compile(r"<[^>]+>")
# The guides' pictures, made by `make guides` (tests/browser/guide_images.py): flat names only.
GUIDE_IMAGE = re.compile(r"^[a-z0-9-]{1,80}\.webp$")

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


class GuideError(RuntimeError):
    """A guide that cannot be assembled: a fault in the guide files, never the reader's."""


def _guide_part(folder: Path, name: str) -> str:
    """One file of the guides folder, without its final newline; never anything outside it."""
    path = (folder / name).resolve()
    if not path.is_relative_to(folder.resolve()) or not path.is_file():
        raise GuideError(f"guide file {name!r} is missing from {folder}")
    return path.read_text(encoding="utf-8").removesuffix("\n")


@functools.cache
def render_guide(folder: Path, page: str) -> str:
    """`page` ("manager.ru.html") with its includes expanded, inside the shell of its language.

    Cached: the guide files change only with a release.
    """
    lang = page.removesuffix(".html").rpartition(".")[2]

    def fragment(marker: re.Match[str]) -> str:
        name = marker.group(1)
        if not FRAGMENT_NAME.match(name):
            raise GuideError(f"{page}: include {name!r} is not a fragment name (a-z only)")
        if not (folder / f"_{name}.{lang}.html").is_file():
            raise GuideError(f"{page}: unknown include {name!r} (no _{name}.{lang}.html)")
        return _guide_part(folder, f"_{name}.{lang}.html")

    content = INCLUDE.sub(fragment, _guide_part(folder, page))
    heading = HEADING.search(content)
    if heading is None:
        raise GuideError(f"{page}: no <h1> to title the page")
    shell = _guide_part(folder, f"_shell.{lang}.html")
    for slot in (TITLE_SLOT, CONTENT_SLOT):
        if shell.count(slot) != 1:
            raise GuideError(f"_shell.{lang}.html: needs exactly one {slot}")
    title = TAG.sub("", heading.group(1)).strip()
    html = shell.replace(TITLE_SLOT, title).replace(CONTENT_SLOT, content) + "\n"
    if leftover := INCLUDE.search(html):
        # Fragments do not include fragments: one level keeps the pages easy to follow.
        raise GuideError(f"{page}: include {leftover.group(1)!r} inside a fragment")
    return html


@functools.cache
def _guide_page(folder: Path, page: str) -> tuple[bytes, str]:
    body = render_guide(folder, page).encode("utf-8")
    return body, f'"{hashlib.sha256(body).hexdigest()[:32]}"'


@router.get("/", dependencies=[PUBLIC])
async def index() -> FileResponse:
    if not (WEB_ROOT / "index.html").is_file():
        raise NotFound(
            f"the web app is not built ({WEB_ROOT} has no index.html): run `make web-build`",
            code="web_app_not_built",
        )
    return _serve(_file("index.html"), PAGE_HEADERS)


@router.get("/app/{path:path}", dependencies=[PUBLIC])
async def asset(path: str) -> FileResponse:
    if path == "sw.js":
        return _serve(_file(path), SERVICE_WORKER)
    if path == "index.html":
        # The copy the service worker precaches and serves for `/` offline: the page's own
        # headers (its Content-Security-Policy) travel with it into the cache.
        return _serve(_file(path), PAGE_HEADERS)
    return _serve(_file(path), IMMUTABLE if path.startswith("assets/") else CACHE)


@router.get("/guides/img/{name}", dependencies=[PUBLIC])
async def guide_image(name: str) -> FileResponse:
    path = GUIDES_DIR / "img" / name
    if not GUIDE_IMAGE.match(name) or not path.is_file():
        raise NotFound(f"no guide picture {name!r}", code="not_found")
    return _serve(path)


@router.get("/guides/{role}", dependencies=[PUBLIC])
async def guide(
    role: str, request: Request, lang: Annotated[str, Query(pattern="^(ru|en)$")] = "ru"
) -> Response:
    if not ROLE.match(role) or role not in GUIDE_ROLES:
        raise NotFound(f"no guide for role {role!r}", code="guide_not_found")
    # English guides are optional: fall back to the Russian one rather than a dead link.
    page = f"{role}.{lang}.html"
    if not (GUIDES_DIR / page).is_file():
        page = f"{role}.ru.html"
    body, etag = _guide_page(GUIDES_DIR, page)
    headers = {**PAGE_HEADERS, "ETag": etag}
    # The page is assembled, so no FileResponse ETag: answer revalidation ourselves.
    seen = request.headers.get("if-none-match", "")
    if etag in (tag.strip().removeprefix("W/") for tag in seen.split(",")):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=CONTENT_TYPES[".html"], headers=headers)
