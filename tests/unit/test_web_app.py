"""The web app's static side: the router serves the built page and its assets with the right
types, caching and policy, and assembles the guides. (The app's own texts are checked by the
TypeScript compiler: see web/src/i18n/messages.ts.)"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from gateway.entrypoints import web
from plumbing.app import install_error_handlers
from tests.browser.guide_images import IMAGES, referenced

GUIDES = web.GUIDES_DIR


@pytest.fixture
def built(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A built app as `make web-build` leaves it in web/dist: index.html, hashed assets, an icon.
    The unit tests serve this stand-in, so they need no Node build."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(
        '<!doctype html><script type="module" src="/app/assets/index-abc123.js"></script>',
        encoding="utf-8",
    )
    (tmp_path / "assets" / "index-abc123.js").write_text("export {};", encoding="utf-8")
    (tmp_path / "assets" / "index-abc123.css").write_text("body{}", encoding="utf-8")
    (tmp_path / "icon.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path / "sw.js").write_text("self.skipWaiting();", encoding="utf-8")
    (tmp_path / "manifest.webmanifest").write_text('{"name": "Заказы"}', encoding="utf-8")
    (tmp_path / "notes.py").write_text("secret = 1", encoding="utf-8")
    monkeypatch.setattr(web, "WEB_ROOT", tmp_path)
    return tmp_path


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(web.router)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://web.test") as http:
        yield http


async def test_root_serves_the_built_page_under_a_strict_policy(
    client: httpx.AsyncClient, built: Path
) -> None:
    reply = await client.get("/")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/html")
    assert "/app/assets/index-abc123.js" in reply.text
    policy = reply.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert reply.headers["cache-control"] == "no-cache"  # a release reaches phones at once


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/app/assets/index-abc123.js", "text/javascript"),
        ("/app/assets/index-abc123.css", "text/css"),
        ("/app/icon.svg", "image/svg+xml"),
    ],
)
async def test_assets_have_their_types(
    client: httpx.AsyncClient, built: Path, path: str, kind: str
) -> None:
    reply = await client.get(path)
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith(kind)
    assert reply.headers["x-content-type-options"] == "nosniff"


async def test_hashed_assets_are_cached_for_good_the_rest_revalidated(
    client: httpx.AsyncClient, built: Path
) -> None:
    hashed = await client.get("/app/assets/index-abc123.js")
    assert "immutable" in hashed.headers["cache-control"]
    icon = await client.get("/app/icon.svg")
    assert icon.headers["cache-control"] == "no-cache"


async def test_the_service_worker_may_control_the_page_and_is_revalidated(
    client: httpx.AsyncClient, built: Path
) -> None:
    """Issue 15: /app/sw.js controls `/` (the header allows the scope above its folder), and a
    new build's worker is found at the next start (no-cache)."""
    worker = await client.get("/app/sw.js")
    assert worker.status_code == 200
    assert worker.headers["content-type"].startswith("text/javascript")
    assert worker.headers["service-worker-allowed"] == "/"
    assert worker.headers["cache-control"] == "no-cache"
    manifest = await client.get("/app/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    assert "service-worker-allowed" not in manifest.headers


async def test_the_precached_page_carries_the_page_policy(
    client: httpx.AsyncClient, built: Path
) -> None:
    """The worker serves /app/index.html for `/` offline: with the same CSP as `/`."""
    root, copy = await client.get("/"), await client.get("/app/index.html")
    assert copy.text == root.text
    assert copy.headers["content-security-policy"] == root.headers["content-security-policy"]
    assert copy.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize("role", web.GUIDE_ROLES)
async def test_every_role_has_a_russian_guide(client: httpx.AsyncClient, role: str) -> None:
    reply = await client.get(f"/guides/{role}")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/html")
    assert re.search("[А-Яа-яЁё]{4,}", reply.text), "the guide is in Russian"
    assert "Справка" in reply.text


HEADINGS = {
    "manager": "Справка менеджера",
    "measurer": "Справка замерщика",
    "installer": "Справка монтажника",
    "delivery": "Справка службы доставки",
    "production": "Справка производства",
    "director": "Справка руководителя",
    "admin": "Справка администратора",
}
# Each shared fragment → a line only it has, and the roles whose guide includes it.
SHARED = {
    "gates": ("<th>Чтобы уйти с неё, нужно</th>", {"manager", "director"}),
    "phone": ("<h2>Советы для работы с телефона</h2>", {"measurer", "installer", "delivery"}),
    "trouble": ("<h2>Если что-то не получается</h2>", set(web.GUIDE_ROLES)),
}


GUIDE_FILES = sorted(web.GUIDES_DIR.glob("*.html"))


def test_every_role_has_a_heading_to_check() -> None:
    assert set(HEADINGS) == set(web.GUIDE_ROLES)


@pytest.mark.parametrize("role", web.GUIDE_ROLES)
async def test_a_guide_is_a_whole_page_in_the_shell(client: httpx.AsyncClient, role: str) -> None:
    reply = await client.get(f"/guides/{role}")
    page = reply.text
    assert page.startswith('<!doctype html>\n<html lang="ru">\n<head>\n<meta charset="utf-8">')
    assert page.endswith("</main>\n</body>\n</html>\n")
    assert '<link rel="stylesheet" href="/app/css/guide.css">' in page
    assert page.count('<nav><a href="/">← Вернуться в приложение</a></nav>') == 1
    assert f"<title>{HEADINGS[role]}</title>" in page
    assert page.count(f"<h1>{HEADINGS[role]}</h1>") == 1
    assert page.index("</nav>") < page.index("<h1>") < page.index("</main>")
    assert page.count("<html") == page.count("<body>") == page.count("<main>") == 1
    assert "<!-- include:" not in page
    assert "<!-- slot:" not in page
    # The security headers hold for an assembled page as for a file.
    assert "script-src 'self'" in reply.headers["content-security-policy"]
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize("role", web.GUIDE_ROLES)
async def test_shared_sections_appear_where_included(client: httpx.AsyncClient, role: str) -> None:
    page = (await client.get(f"/guides/{role}")).text
    source = (web.GUIDES_DIR / f"{role}.ru.html").read_text(encoding="utf-8")
    for name, (line, roles) in SHARED.items():
        assert (f"<!-- include: {name} -->" in source) == (role in roles), (name, role)
        assert page.count(line) == (1 if role in roles else 0), (name, role)
    # The fragment lands where its marker stood: after the role's own steps, before the end.
    assert page.index("</ol>") < page.index(SHARED["trouble"][0]) < page.index("</main>")


def test_shared_sections_live_only_in_their_fragment() -> None:
    for name, (line, _) in SHARED.items():
        holders = [p.name for p in GUIDE_FILES if line in p.read_text(encoding="utf-8")]
        assert holders == [f"_{name}.ru.html"]


@pytest.mark.parametrize("page", [p.name for p in GUIDE_FILES if not p.name.startswith("_")])
def test_every_guide_file_assembles(page: str) -> None:
    """Any language: an English guide added later needs its own shell and fragments."""
    html = web.render_guide(web.GUIDES_DIR, page)
    assert html.startswith("<!doctype html>")
    assert "<!-- include:" not in html
    assert "<!-- slot:" not in html


SHELL = "<html><title><!-- slot: title --></title><!-- slot: content --></html>\n"


def guides(folder: Path, **files: str) -> Path:
    folder.mkdir()
    (folder / "_shell.ru.html").write_text(SHELL, encoding="utf-8")
    for name, text in files.items():
        (folder / f"{name}.ru.html").write_text(text, encoding="utf-8")
    return folder


def test_includes_are_expanded_in_place(tmp_path: Path) -> None:
    folder = guides(
        tmp_path / "g",
        _tip="<p>Совет</p>\n",
        page="<h1>Про <b>всё</b></h1>\n<!-- include: tip -->\n",
    )
    html = web.render_guide(folder, "page.ru.html")
    assert html == "<html><title>Про всё</title><h1>Про <b>всё</b></h1>\n<p>Совет</p></html>\n"


@pytest.mark.parametrize(
    ("page", "error"),
    [
        ("<h1>X</h1>\n<!-- include: nope -->\n", "unknown include 'nope'"),
        ("<h1>X</h1>\n<!--include:nope-->\n", "unknown include 'nope'"),
        ("<h1>X</h1>\n<!-- include: ../../web -->\n", "not a fragment name"),
        ("<h1>X</h1>\n<!-- include: nested -->\n", "include 'tip' inside a fragment"),
        ("<p>no heading</p>\n", "no <h1>"),
    ],
)
def test_a_broken_guide_fails_loudly(tmp_path: Path, page: str, error: str) -> None:
    folder = guides(tmp_path / "g", _nested="<!-- include: tip -->", _tip="<p>t</p>", page=page)
    with pytest.raises(web.GuideError, match=re.escape(error)):
        web.render_guide(folder, "page.ru.html")


def test_a_shell_without_its_slots_fails_loudly(tmp_path: Path) -> None:
    folder = guides(tmp_path / "g", page="<h1>X</h1>\n")
    (folder / "_shell.ru.html").write_text("<html></html>\n", encoding="utf-8")
    with pytest.raises(web.GuideError, match="slot: title"):
        web.render_guide(folder, "page.ru.html")


async def test_an_unknown_include_is_a_server_error_not_a_blank(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web, "GUIDES_DIR", guides(tmp_path / "g"))
    (web.GUIDES_DIR / "admin.ru.html").write_text(
        "<h1>X</h1>\n<!-- include: nope -->\n", encoding="utf-8"
    )
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(web.router)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://web.test") as http:
        reply = await http.get("/guides/admin")
    assert reply.status_code == 500


async def test_a_guide_revalidates_by_etag(client: httpx.AsyncClient) -> None:
    first = await client.get("/guides/manager")
    etag = first.headers["etag"]
    again = await client.get("/guides/manager", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert not again.content
    assert again.headers["etag"] == etag
    other = await client.get("/guides/admin", headers={"If-None-Match": etag})
    assert other.status_code == 200
    assert other.headers["etag"] != etag


async def test_english_guide_falls_back_to_russian(
    client: httpx.AsyncClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A role whose guide is not translated yet gets the Russian one, never a dead link.
    monkeypatch.setattr(web, "GUIDES_DIR", guides(tmp_path / "g", installer="<h1>Фото</h1>\n"))
    reply = await client.get("/guides/installer", params={"lang": "en"})
    assert reply.status_code == 200
    assert "<h1>Фото</h1>" in reply.text


@pytest.mark.parametrize(
    "path",
    [
        "/guides/nobody",
        "/guides/%2e%2e",
        "/guides/MANAGER",
        "/app/../entrypoints/web.py",
        "/app/%2e%2e/entrypoints/web.py",
        # a file of a served type, but outside the web folder
        "/app/%2e%2e/%2e%2e/contracts/schemas/envelope.json",
        "/app/assets/missing.js",
        "/app/notes.py",
        "/app/",
    ],
)
async def test_unknown_guides_and_files_are_404(
    client: httpx.AsyncClient, built: Path, path: str
) -> None:
    reply = await client.get(path)
    assert reply.status_code == 404


async def test_only_web_files_are_served_even_inside_the_folder(
    client: httpx.AsyncClient, built: Path
) -> None:
    # A stray editor backup or notes file next to the app must not be published.
    assert web.CONTENT_TYPES.get(".py") is None
    assert (await client.get("/app/notes.py")).status_code == 404
    assert (await client.get("/app/index.html")).status_code == 200  # html is a web file


async def test_an_unbuilt_app_says_how_to_build_it(
    client: httpx.AsyncClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(web, "WEB_ROOT", tmp_path / "dist")
    reply = await client.get("/")
    assert reply.status_code == 404
    assert "make web-build" in reply.json()["detail"]


async def test_guide_pictures_are_served_and_nothing_beside_them(client: httpx.AsyncClient) -> None:
    name = next(iter(referenced()))
    reply = await client.get(f"/guides/img/{name}")
    assert reply.status_code == 200
    assert reply.headers["content-type"] == "image/webp"
    assert reply.content == (IMAGES / name).read_bytes()
    for bad in ("..%2Fmanager.ru.html", "missing.webp", "x.png", "%2Fetc%2Fpasswd", "A.webp"):
        assert (await client.get(f"/guides/img/{bad}")).status_code == 404, bad


@pytest.mark.parametrize(
    "role", sorted(p.name.split(".")[0] for p in GUIDES.glob("*.en.html") if p.name[0] != "_")
)
async def test_an_english_guide_is_english_throughout(client: httpx.AsyncClient, role: str) -> None:
    page = (await client.get(f"/guides/{role}", params={"lang": "en"})).text
    assert '<html lang="en">' in page
    assert "← Back to the app" in page
    cyrillic = re.findall(r"[А-Яа-яЁё]+", page)
    assert not cyrillic, f"Russian words in the English guide: {cyrillic[:10]}"
