// Money as managers type it and as the API holds it: a decimal string ("185000.00", API.md).
// People write "185 000", "185000,50" or "185 000 ₽"; the server takes at most 12 digits before
// the point and 2 after, above zero.

/** The API's decimal string for what was typed, or null when it is not an amount. */
export function parseAmount(typed: string): string | null {
  const text = typed.replace(/[\s\u00a0\u202f₽]|руб\.?|р\.?$/gi, "").replace(",", ".");
  if (!/^\d{1,12}(\.\d{1,2})?$/.test(text)) return null;
  if (!/[1-9]/.test(text)) return null; // zero is not an amount
  const [whole = "0", cents = ""] = text.split(".");
  return `${whole.replace(/^0+(?=\d)/, "")}.${cents.padEnd(2, "0")}`;
}

/** "185000.00" → "185 000 ₽" (kopecks only when there are some). */
export function formatMoney(amount: string, lang: "ru" | "en"): string {
  const value = Number(amount);
  if (!Number.isFinite(value)) return amount;
  const whole = Number.isInteger(value);
  return new Intl.NumberFormat(lang === "en" ? "en-GB" : "ru-RU", {
    style: "currency",
    currency: "RUB",
    minimumFractionDigits: whole ? 0 : 2,
    maximumFractionDigits: 2,
  }).format(value);
}

/** The amount as the form shows it for editing: "185000.00" → "185000", "99.50" → "99,50" in Russian. */
export function editableAmount(amount: string, lang: "ru" | "en"): string {
  const [whole, cents = ""] = amount.split(".");
  if (!cents || /^0+$/.test(cents)) return whole ?? amount;
  return `${whole}${lang === "ru" ? "," : "."}${cents}`;
}
