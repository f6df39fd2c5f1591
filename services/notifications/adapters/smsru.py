"""SMS to customers through SMS.ru's HTTP API (a provider used in Russia), with httpx.

The request and answers, as SMS.ru documents them (https://sms.ru/api/send, method
«sms/send»): POST https://sms.ru/sms/send, form fields `api_id` (the account's key), `to` (the
number, digits only: 79151234567), `msg` (UTF-8 text), `json=1` (answer in JSON), optionally
`from` (an agreed sender name). The answer is JSON whatever happened:

    {"status": "OK", "status_code": 100,
     "sms": {"79151234567": {"status": "OK", "status_code": 100, "sms_id": "000000-10000000"}},
     "balance": 10}
    {"status": "OK", "status_code": 100,
     "sms": {"79151234567": {"status": "ERROR", "status_code": 202,
                             "status_text": "Неправильно указан номер телефона получателя..."}}}
    {"status": "ERROR", "status_code": 200, "status_text": "Неправильный api_id"}

A request error answers at the top level; a refusal of one number answers under `sms`. Codes
used below (the same page): 100 accepted; 200 bad api_id; 201 not enough money; 202 bad
number; 203 no text; 204 sender name not agreed; 205 message too long; 206 daily limit;
207 no route to the number; 209 number in the stop list; 220 service briefly unavailable;
230-233 too many messages to one number or the same text (per day / per minute).

How they map onto the outbox's outcomes: a number that cannot receive (202, 207, 209) or a
message refused for good is Failed (parked: a manager corrects the phone, an admin sees why);
money, limits, a busy service, 5xx and timeouts are Retry, with the outbox's back-off. A bad
api_id is Failed: retrying a wrong key only delays the admin's seeing it.
"""

from __future__ import annotations

from typing import Any

import httpx

from services.notifications.application.channels import Failed, Outcome, Outgoing, Retry, Sent

API_BASE = "https://sms.ru"
TIMEOUT_S = 15.0

RETRY_CODES = frozenset({201, 206, 220, 230, 231, 232, 233})


def digits(phone: str) -> str:
    """E.164 (+79151234567) as SMS.ru takes it: the digits only."""
    return "".join(ch for ch in phone if ch.isdigit())


class SmsRuChannel:
    name = "sms"

    def __init__(
        self,
        api_id: str,
        api_base: str = API_BASE,
        sender: str = "",
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._api_id = api_id
        self._url = f"{api_base.rstrip('/')}/sms/send"
        self._sender = sender
        self._client = client or httpx.AsyncClient(timeout=TIMEOUT_S)

    async def send(self, message: Outgoing) -> Outcome:
        to = digits(message.address)
        if not 10 <= len(to) <= 15:
            return Failed(f"not a phone number: {message.address!r}")
        form = {"api_id": self._api_id, "to": to, "msg": message.body, "json": "1"}
        if self._sender:
            form["from"] = self._sender
        try:
            reply = await self._client.post(self._url, data=form)
        except httpx.TimeoutException:
            return Retry("SMS.ru did not answer in time")
        except httpx.HTTPError as failure:
            return Retry(f"SMS.ru unreachable: {type(failure).__name__}")
        if reply.status_code >= 500 or reply.status_code == 429:
            return Retry(f"SMS.ru answered HTTP {reply.status_code}")
        try:
            body = reply.json()
        except ValueError:
            return Retry(f"SMS.ru answered HTTP {reply.status_code} without JSON")
        if not isinstance(body, dict):
            return Retry("SMS.ru answered an unexpected shape")
        if body.get("status") != "OK":
            return _refused(body)
        one = (body.get("sms") or {}).get(to)
        if not isinstance(one, dict):
            return Retry(f"SMS.ru's answer does not mention {to}")
        if one.get("status") == "OK":
            return Sent()
        return _refused(one)

    async def aclose(self) -> None:
        await self._client.aclose()


def _refused(answer: dict[str, Any]) -> Outcome:
    code = int(answer.get("status_code") or 0)
    reason = f"SMS.ru {code}: {answer.get('status_text') or 'refused'}"
    return Retry(reason) if code in RETRY_CODES else Failed(reason)
