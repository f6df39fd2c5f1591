// Text of the deal terms form.
import { defineMessages } from "../../i18n/messages";

export const m = defineMessages(
  {
    "deal.title": "Условия сделки",
    "deal.amount": "Сумма, ₽",
    "deal.amount_hint": "Например, 150000 или 150 000,50",
    "deal.amount_invalid": "Сумма — число больше нуля, например 150000 или 150000,50",
    "deal.decor": "Декор",
    "deal.finishing": "Обработка / отделка",
    "deal.extra_work": "Дополнительные работы",
    "deal.payment_terms": "Условия оплаты",
    "deal.save": "Сохранить условия",
    "deal.saved": "Условия сделки сохранены",
    "deal.conflict": "Условия только что изменил кто-то другой — ниже свежие данные. Ваши значения не сохранены.",
    "deal.restore": "Вернуть мои значения",
    "deal.none_yet": "Условия ещё не записаны",
  },
  {
    "deal.title": "Deal terms",
    "deal.amount": "Amount, ₽",
    "deal.amount_hint": "E.g. 150000 or 150000.50",
    "deal.amount_invalid": "The amount is a number above zero, e.g. 150000 or 150000.50",
    "deal.decor": "Decor",
    "deal.finishing": "Finishing",
    "deal.extra_work": "Extra work",
    "deal.payment_terms": "Payment terms",
    "deal.save": "Save terms",
    "deal.saved": "Deal terms saved",
    "deal.conflict": "Someone else has just changed the terms — the fresh data is below. Your values were not saved.",
    "deal.restore": "Put my values back",
    "deal.none_yet": "No terms recorded yet",
  },
);
