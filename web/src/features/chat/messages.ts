import { defineMessages } from "../../i18n/messages";

export const m = defineMessages(
  {
    "chat.title": "Чат заказа",
    "chat.empty": "Сообщений пока нет",
    "chat.label": "Сообщение",
    "chat.placeholder": "Написать в чат заказа…",
    "chat.send": "Отправить",
    "chat.hint": "Упомяните коллегу через @логин — ему придёт уведомление. Ctrl+Enter — отправить.",
    "chat.will_notify": "Уведомление получат: {names}",
    "chat.not_notified": "Уведомление не получат: {names}",
    "chat.reason.no_access": "нет доступа к заказу",
    "chat.reason.unknown_user": "нет такого пользователя",
    "chat.reason.inactive": "пользователь отключён",
    "chat.reason.access_unavailable": "не удалось проверить доступ",
    "chat.reason.too_many_mentions": "слишком много упоминаний",
    "chat.messages": "Сообщения",
    "chat.you": "вы",
  },
  {
    "chat.title": "Order chat",
    "chat.empty": "No messages yet",
    "chat.label": "Message",
    "chat.placeholder": "Write to the order chat…",
    "chat.send": "Send",
    "chat.hint": "Mention a colleague with @username to notify them. Ctrl+Enter sends.",
    "chat.will_notify": "Will be notified: {names}",
    "chat.not_notified": "Not notified: {names}",
    "chat.reason.no_access": "no access to the order",
    "chat.reason.unknown_user": "no such user",
    "chat.reason.inactive": "user is deactivated",
    "chat.reason.access_unavailable": "access could not be checked",
    "chat.reason.too_many_mentions": "too many mentions",
    "chat.messages": "Messages",
    "chat.you": "you",
  },
);
export type ChatKey = Parameters<ReturnType<typeof m.use>>[0];
