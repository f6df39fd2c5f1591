// Phone numbers as managers type them: formatted while typing (Russia by default), checked on
// blur and before sending, and sent in E.164 (the orders service stores that form anyway).
// "+7 916 123-45-67", "8 (916) 123-45-67" and "916 123-45-67" are the same number.
import { AsYouType, isValidPhoneNumber, parsePhoneNumberFromString } from "libphonenumber-js";

const COUNTRY = "RU";

/** The text to show after an edit. A deletion is left as typed: re-formatting would put back
 * the bracket or dash the user has just erased, and they could never delete past it. */
export function formatTyped(next: string, previous: string): string {
  if (next.length < previous.length) return next;
  if (!/\d/.test(next)) return next.replace(/[^+]/g, "");
  return new AsYouType(COUNTRY).input(next);
}

export function isValidPhone(text: string): boolean {
  const trimmed = text.trim();
  if (!trimmed) return false;
  try {
    return isValidPhoneNumber(trimmed, COUNTRY);
  } catch {
    return false;
  }
}

/** E.164 ("+79161234567") of a valid number; null when it is not one. */
export function toE164(text: string): string | null {
  if (!isValidPhone(text)) return null;
  return parsePhoneNumberFromString(text.trim(), COUNTRY)?.number ?? null;
}

/** A stored E.164 number shown the way people read it: "+7 916 123-45-67". */
export function displayPhone(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164, COUNTRY);
  return parsed ? parsed.formatInternational() : e164;
}
