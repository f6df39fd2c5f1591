"""A fake of SMS.ru's `sms/send` on a real socket, for tests. A fake, not SMS.ru: it sends
nothing and keeps what it accepted in memory.

What it checks is each request against what SMS.ru documents (https://sms.ru/api/send): a
POST of form fields to /sms/send with `api_id`, `to` (digits, one number here), `msg` (UTF-8,
not empty), `json=1`, optionally `from`; nothing else. A request off that shape is recorded in
`violations` and answered as SMS.ru answers a bad request. Its answers are the documented
JSON shapes: success with an `sms_id` per number, a refusal of one number under `sms`, a
request error at the top level.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from tests.local_server import serving

FIELDS = {"api_id", "to", "msg", "json", "from"}
# status_text as SMS.ru words them (https://sms.ru/api/send, «Коды ответов»).
TEXTS = {
    200: "Неправильный api_id",
    201: "Не хватает средств на лицевом счету",
    202: "Неправильно указан номер телефона получателя, либо на него нет маршрута",
    203: "Нет текста сообщения",
    220: "Сервис временно недоступен, попробуйте чуть позже",
}


class FakeSmsRu:
    def __init__(self, api_id: str = "00000000-FAKE-0000-0000-000000000000") -> None:
        self.api_id = api_id
        self.url = ""
        self.sent: list[dict[str, str]] = []  # accepted requests' fields
        self.violations: list[str] = []
        self.bad_numbers: set[str] = set()  # answered 202 for that number
        self.balance = 100.0  # 0: 201 for the request
        self.http_errors: list[int] = []  # next requests answer these HTTP statuses
        self.stall_s = 0.0  # hold each answer this long (a timeout, seen from the client)
        self._ids = itertools.count(10000000)
        self.app = FastAPI()
        self.app.add_api_route("/sms/send", self._send, methods=["POST"])

    async def _send(self, request: Request) -> Any:
        if self.stall_s:
            await asyncio.sleep(self.stall_s)
        if self.http_errors:
            status = self.http_errors.pop(0)
            return PlainTextResponse("Bad Gateway", status_code=status)
        if not request.headers.get("content-type", "").startswith(
            "application/x-www-form-urlencoded"
        ):
            self.violations.append(f"not a form: {request.headers.get('content-type')}")
            return _error(203)
        form = {k: str(v) for k, v in (await request.form()).items()}
        wrong = self._shape(form)
        if wrong:
            self.violations.append(wrong)
            return _error(203 if "msg" in wrong else 202)
        if form["api_id"] != self.api_id:
            return _error(200)
        if self.balance <= 0:
            return _error(201)
        to = form["to"]
        if to in self.bad_numbers:
            one = {"status": "ERROR", "status_code": 202, "status_text": TEXTS[202]}
            return JSONResponse(
                {"status": "OK", "status_code": 100, "sms": {to: one}, "balance": self.balance}
            )
        self.sent.append(form)
        sms_id = f"000000-{next(self._ids)}"
        one = {"status": "OK", "status_code": 100, "sms_id": sms_id}
        return JSONResponse(
            {"status": "OK", "status_code": 100, "sms": {to: one}, "balance": self.balance}
        )

    @staticmethod
    def _shape(form: dict[str, str]) -> str:
        extra = set(form) - FIELDS
        if extra:
            return f"unknown fields: {sorted(extra)}"
        missing = {"api_id", "to", "msg", "json"} - set(form)
        if missing:
            return f"missing fields: {sorted(missing)}"
        if form["json"] != "1":
            return "json must be 1"
        if not form["to"].isdigit() or not 10 <= len(form["to"]) <= 15:
            return f"to: not digits of one number: {form['to']!r}"
        if not form["msg"].strip():
            return "msg: empty"
        return ""

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[FakeSmsRu]:
        async with serving(self.app, "the fake SMS.ru") as url:
            self.url = url
            yield self


def _error(code: int) -> JSONResponse:
    # SMS.ru answers request errors with HTTP 200 and the error in the body.
    return JSONResponse({"status": "ERROR", "status_code": code, "status_text": TEXTS[code]})
