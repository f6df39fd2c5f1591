// `@username` mentions, read as the server reads them (contracts/mentions.py): not after a
// letter, digit, "_" or another "@" (an e-mail address is not a mention), a name of 2 to 64
// characters that ends on a letter, digit or "_" ("@director." names "director"). Pure.
import type { Translate } from "../../i18n/messages";
import type { ChatKey } from "./messages";

const MENTION = /(?<![\p{L}\p{N}_@])@([A-Za-z0-9_.-]{1,63}[A-Za-z0-9_])/gu;

export type Part = { text: string; mention: boolean };

/** The text cut into plain parts and mentions ("@ivan"), for highlighting. */
export function splitMentions(text: string): Part[] {
  const parts: Part[] = [];
  let last = 0;
  for (const match of text.matchAll(MENTION)) {
    const at = match.index ?? 0;
    if (at > last) parts.push({ text: text.slice(last, at), mention: false });
    parts.push({ text: match[0], mention: true });
    last = at + match[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), mention: false });
  return parts;
}

/** The distinct usernames mentioned, lower-cased and sorted (as the server lists them). */
export function mentionedUsernames(text: string): string[] {
  return [...new Set([...text.matchAll(MENTION)].map((match) => (match[1] ?? "").toLowerCase()))].sort();
}

const REASONS: Record<string, ChatKey> = {
  no_access: "chat.reason.no_access",
  unknown_user: "chat.reason.unknown_user",
  inactive: "chat.reason.inactive",
  access_unavailable: "chat.reason.access_unavailable",
  too_many_mentions: "chat.reason.too_many_mentions",
};

/** A reply's `not_notified` in words: "Уведомление не получат: @petr (нет доступа к заказу)";
 * null when everyone mentioned was notified. An unknown reason is shown as it came. */
export function notNotifiedText(
  missed: readonly { username: string; reason: string }[] | null | undefined,
  t: Translate<ChatKey>,
): string | null {
  if (!missed?.length) return null;
  const names = missed
    .map(({ username, reason }) => {
      const key = REASONS[reason];
      return `@${username} (${key ? t(key) : reason})`;
    })
    .join(", ");
  return t("chat.not_notified", { names });
}
