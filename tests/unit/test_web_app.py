"""The web app's static side: dictionaries complete and in step, every key the sources use
exists, and the router serves the page, modules and guides with the right content types."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from gateway.entrypoints import web
from plumbing.app import install_error_handlers

WEB = Path(web.__file__).resolve().parent.parent / "web"
LANGS = ("ru", "en")
# t("key") in JS; data-i18n="key" and its -placeholder/-aria-label/-title variants in HTML.
T_CALL = re.compile(r"""\bt\(\s*["']([^"'$`]+)["']""")
DATA_I18N = re.compile(r"""data-i18n(?:-[a-z-]+)?=["']([^"']+)["']""")


def dictionary(lang: str) -> dict[str, str]:
    data = json.loads((WEB / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def used_keys() -> dict[str, set[str]]:
    """Every i18n key the sources use → the files using it."""
    found: dict[str, set[str]] = {}
    for path in [*WEB.rglob("*.js"), WEB / "index.html"]:
        text = path.read_text(encoding="utf-8")
        for key in [*T_CALL.findall(text), *DATA_I18N.findall(text)]:
            found.setdefault(key, set()).add(path.name)
    return found


def test_dictionaries_have_identical_keys() -> None:
    ru, en = dictionary("ru"), dictionary("en")
    assert set(ru) == set(en), {"only_ru": set(ru) - set(en), "only_en": set(en) - set(ru)}


@pytest.mark.parametrize("lang", LANGS)
def test_dictionary_has_no_empty_values(lang: str) -> None:
    empty = [k for k, v in dictionary(lang).items() if not isinstance(v, str) or not v.strip()]
    assert not empty


def test_placeholders_match_between_languages() -> None:
    ru, en = dictionary("ru"), dictionary("en")
    names = re.compile(r"\{(\w+)\}")
    differ = {k for k in ru if set(names.findall(ru[k])) != set(names.findall(en.get(k, "")))}
    assert not differ


def test_every_key_used_in_the_sources_exists() -> None:
    used = used_keys()
    assert len(used) > 50  # the grep itself works: the app is translated throughout
    missing = {key: sorted(files) for key, files in used.items() if key not in dictionary("ru")}
    assert not missing


def test_russian_is_the_default_language() -> None:
    assert '<html lang="ru">' in (WEB / "index.html").read_text(encoding="utf-8")
    assert "preferredLang" in (WEB / "js" / "i18n.js").read_text(encoding="utf-8")
    assert re.search(r'\?\s*saved\s*:\s*"ru"', (WEB / "js" / "i18n.js").read_text("utf-8"))


def test_every_module_import_resolves() -> None:
    """A typo in an import path is a blank page in the browser; catch it here."""
    imports = re.compile(r"""^import .* from ["'](\./[^"']+)["'];$""", re.MULTILINE)
    for module in (WEB / "js").glob("*.js"):
        for target in imports.findall(module.read_text(encoding="utf-8")):
            assert (module.parent / target).is_file(), f"{module.name} imports {target}"


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(web.router)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://web.test") as http:
        yield http


async def test_root_serves_the_page(client: httpx.AsyncClient) -> None:
    reply = await client.get("/")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/app/js/main.js">' in reply.text
    assert "script-src 'self'" in reply.headers["content-security-policy"]


@pytest.mark.parametrize("module", sorted(p.name for p in (WEB / "js").glob("*.js")))
async def test_modules_are_served_as_javascript(client: httpx.AsyncClient, module: str) -> None:
    reply = await client.get(f"/app/js/{module}")
    assert reply.status_code == 200
    assert reply.headers["content-type"].split(";")[0] in {
        "text/javascript",
        "application/javascript",
    }
    assert reply.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    ("path", "kind"),
    [("/app/css/app.css", "text/css"), ("/app/i18n/ru.json", "application/json")],
)
async def test_styles_and_dictionaries_have_their_types(
    client: httpx.AsyncClient, path: str, kind: str
) -> None:
    reply = await client.get(path)
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith(kind)


@pytest.mark.parametrize("role", web.GUIDE_ROLES)
async def test_every_role_has_a_russian_guide(client: httpx.AsyncClient, role: str) -> None:
    reply = await client.get(f"/guides/{role}")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/html")
    assert re.search("[А-Яа-яЁё]{4,}", reply.text), "the guide is in Russian"
    assert "Справка" in reply.text


async def test_english_guide_falls_back_to_russian(client: httpx.AsyncClient) -> None:
    reply = await client.get("/guides/installer", params={"lang": "en"})
    assert reply.status_code == 200
    assert "фото" in reply.text.lower()


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
        "/app/js/missing.js",
        "/app/",
    ],
)
async def test_unknown_guides_and_files_are_404(client: httpx.AsyncClient, path: str) -> None:
    reply = await client.get(path)
    assert reply.status_code == 404


async def test_only_web_files_are_served_even_inside_the_folder(
    client: httpx.AsyncClient,
) -> None:
    # A stray editor backup or notes file next to the app must not be published.
    assert web.CONTENT_TYPES.get(".py") is None
    reply = await client.get("/app/guides/manager.ru.html")
    assert reply.status_code == 200  # html is a web file
