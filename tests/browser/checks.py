"""What `Screen.check` looks for on a rendered page, each as a function returning problems.

Every function answers a list of readable lines (empty when all is well), so that one check
reports everything wrong with a screen at once rather than the first thing only.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = ("serious", "critical")

# A dictionary key left on screen: dotted lowercase identifiers (`board.title`, `order.card.x`).
# Not preceded or followed by what makes it part of an e-mail, URL, path or number; the first
# segment has two characters at least, so "e.g." in English text is no key.
I18N_KEY = re.compile(r"(?<![\w@./:-])[a-z][a-z0-9_]+(?:\.[a-z][a-zA-Z0-9_]*)+(?![\w@/-]|\.\w)")
# Bare domain names and file names look the same: their last part is never a key's.
NOT_A_KEY_ENDING = frozenset(
    (
        *("ru", "su", "com", "net", "org", "io"),
        *("pdf", "jpg", "jpeg", "png", "gif", "webp", "heic", "heif", "svg", "bmp", "tif", "tiff"),
        *("doc", "docx", "xls", "xlsx", "odt", "ods", "rtf", "txt", "csv", "zip", "rar"),
        *("dwg", "dxf", "mp4", "mov", "html", "htm", "js", "ts", "tsx", "json", "css"),
    )
)

_OVERFLOW_JS = """() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  if (root.scrollWidth <= width + 1) return [];
  const wide = [...document.body.querySelectorAll("*")].filter((el) => {
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.right > width + 1;
  });
  // The innermost ones are the culprits; their ancestors only contain them.
  const innermost = wide.filter((el) => !wide.some((other) => other !== el && el.contains(other)));
  return [`page is ${root.scrollWidth} px wide in a ${width} px viewport`].concat(
    innermost.slice(0, 5).map((el) => {
      const id = el.id ? "#" + el.id : "";
      const cls = typeof el.className === "string" && el.className.trim()
        ? "." + el.className.trim().split(/\\s+/).join(".") : "";
      const right = Math.round(el.getBoundingClientRect().right);
      return `  <${el.tagName.toLowerCase()}${id}${cls}> reaches ${right} px`;
    }));
}"""

# Visible text, the page title, and the attributes a screen reader or a hover shows.
_TEXTS_JS = """() => {
  const texts = [["text", document.body.innerText], ["title", document.title]];
  for (const el of document.querySelectorAll("[aria-label],[placeholder],[title],[alt]")) {
    if (el.getClientRects().length === 0) continue;
    for (const name of ["aria-label", "placeholder", "title", "alt"]) {
      const value = el.getAttribute(name);
      if (value) texts.push([`${name} of <${el.tagName.toLowerCase()}>`, value]);
    }
  }
  return texts;
}"""

_AXE_RUN_JS = """async (impacts) => {
  const result = await window.axe.run(document, { resultTypes: ["violations"] });
  return result.violations.filter((v) => impacts.includes(v.impact)).map((v) => ({
    id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
    nodes: v.nodes.map((n) => ({ target: n.target.join(" "), summary: n.failureSummary })),
  }));
}"""


def horizontal_overflow(page: Page) -> list[str]:
    """The page scrolls sideways: which elements stick out past the viewport's right edge."""
    lines: list[str] = page.evaluate(_OVERFLOW_JS)
    return lines


def untranslated_keys(page: Page) -> list[str]:
    """Dictionary keys shown instead of their text, with where each was seen."""
    found: dict[str, set[str]] = {}
    for where, text in page.evaluate(_TEXTS_JS):
        for key in find_keys(text):
            found.setdefault(key, set()).add(where)
    return [f"{key} (in {', '.join(sorted(found[key]))})" for key in sorted(found)]


def find_keys(text: str) -> list[str]:
    """The dictionary-key-like tokens in a text (what `untranslated_keys` would report)."""
    return [
        m.group(0)
        for m in I18N_KEY.finditer(text)
        if m.group(0).rsplit(".", 1)[1] not in NOT_A_KEY_ENDING
    ]


@cache
def _axe_source() -> str:
    if not AXE.is_file():
        raise FileNotFoundError(f"{AXE} is missing: run `make web-build` (it installs web/)")
    return AXE.read_text(encoding="utf-8")


def accessibility_violations(page: Page) -> list[str]:
    """axe-core's serious and critical violations, each with up to five offending elements."""
    # Evaluated through DevTools, which the page's CSP does not govern; a <script> tag
    # (add_script_tag) would be refused by `script-src 'self'`, as it should be.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    violations: list[dict[str, Any]] = page.evaluate(_AXE_RUN_JS, list(FAILING_IMPACTS))
    lines: list[str] = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {v['url']}")
        for node in v["nodes"][:5]:
            summary = " ".join(str(node["summary"]).split())
            lines.append(f"  {node['target']}: {summary}")
        if len(v["nodes"]) > 5:
            lines.append(f"  … and {len(v['nodes']) - 5} more")
    return lines
