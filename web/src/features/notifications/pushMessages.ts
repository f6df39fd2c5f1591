import { defineMessages } from "../../i18n/messages";

// Kept apart from messages.ts (the inbox and preferences screens' text): the push toggle is
// a component of its own that the notifications area places.
export const pm = defineMessages(
  {
    "push.enable": "Включить уведомления на этом устройстве",
    "push.disable": "Выключить уведомления на этом устройстве",
    "push.on": "Уведомления на этом устройстве включены",
    "push.enabled": "Готово: уведомления будут приходить на это устройство, даже когда приложение закрыто",
    "push.disabled": "Уведомления на этом устройстве выключены",
    "push.unsupported": "Этот браузер не умеет показывать уведомления. Откройте приложение в Chrome, Edge, Firefox или Safari (на iPhone — с экрана «Домой»)",
    "push.no_worker": "Уведомления пока недоступны: приложение ещё не установлено в браузере. Обновите страницу и попробуйте снова",
    "push.denied": "Уведомления запрещены в настройках браузера для этого сайта. Разрешите их там и нажмите кнопку снова",
    "push.not_configured": "Уведомления на устройства не настроены на сервере. Обратитесь к администратору",
    "push.failed": "Не удалось включить уведомления. Проверьте соединение и попробуйте снова",
  },
  {
    "push.enable": "Turn on notifications on this device",
    "push.disable": "Turn off notifications on this device",
    "push.on": "Notifications are on for this device",
    "push.enabled": "Done: notifications will reach this device even when the app is closed",
    "push.disabled": "Notifications are off for this device",
    "push.unsupported": "This browser cannot show notifications. Open the app in Chrome, Edge, Firefox or Safari (on iPhone, from the Home Screen)",
    "push.no_worker": "Notifications are not available yet: the app is not installed in the browser. Reload the page and try again",
    "push.denied": "Notifications are blocked for this site in the browser's settings. Allow them there and press the button again",
    "push.not_configured": "Device notifications are not set up on the server. Ask an administrator",
    "push.failed": "Could not turn notifications on. Check the connection and try again",
  },
);
