import { defineMessages } from "../../i18n/messages";

export const m = defineMessages(
  {
    "notifications.title": "Уведомления",
    "notifications.show_all": "Показать все",
    "notifications.show_unread": "Только непрочитанные",
    "notifications.read_all": "Прочитать все",
    "notifications.mark_read": "Прочитано",
    "notifications.none": "Уведомлений нет",
    "notifications.none_unread": "Непрочитанных уведомлений нет",
    "notifications.unavailable": "Уведомления пока недоступны",
    "notifications.unread": "Не прочитано",
    "notifications.list": "Список уведомлений",
    "notifications.settings": "Настроить",
  },
  {
    "notifications.title": "Notifications",
    "notifications.show_all": "Show all",
    "notifications.show_unread": "Unread only",
    "notifications.read_all": "Mark all read",
    "notifications.mark_read": "Mark read",
    "notifications.none": "No notifications",
    "notifications.none_unread": "No unread notifications",
    "notifications.unavailable": "Notifications are not available yet",
    "notifications.unread": "Unread",
    "notifications.list": "Notifications",
    "notifications.settings": "Settings",
  },
);
