// Dictionaries live in /app/i18n/<lang>.json; every visible string goes through t().
// Russian is the default (the company's working language); the choice is kept per device.

const STORAGE_KEY = "oms.lang";
export const LANGS = ["ru", "en"];
let lang = "ru";
let dict = {};

export function currentLang() {
  return lang;
}

export function preferredLang() {
  const saved = localStorage.getItem(STORAGE_KEY);
  return LANGS.includes(saved) ? saved : "ru";
}

export async function loadLang(wanted) {
  const next = LANGS.includes(wanted) ? wanted : "ru";
  const reply = await fetch(`/app/i18n/${next}.json`, { cache: "no-cache" });
  if (!reply.ok) throw new Error(`dictionary ${next}: HTTP ${reply.status}`);
  dict = await reply.json();
  lang = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
}

/** The string for `key`, with {name} placeholders filled from `params`. A missing key shows
 * itself (visible in review) instead of an empty label. */
export function t(key, params = {}) {
  const text = dict[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/** Translate static markup: data-i18n (text), data-i18n-placeholder, data-i18n-aria-label,
 * data-i18n-title. */
export function applyI18n(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
  for (const el of root.querySelectorAll("[data-i18n-aria-label]")) {
    el.setAttribute("aria-label", t(el.dataset.i18nAriaLabel));
  }
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
}
