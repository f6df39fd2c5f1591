"""A fake of the Telegram Bot API (sendMessage and getUpdates) on a real socket, for tests.

It is a fake, not Telegram: it keeps chats and updates in memory. What it does check is the
shape of every request, against the JSON Schemas written from the Bot API reference in
tests/fixtures/telegram/ (a request the real server would refuse gets the same kind of 400
here, and is recorded in `violations`), and the bot token in the URL. Its answers are the
recorded responses of those fixtures, with the request's own chat and text.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import jsonschema
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tests.local_server import serving

FIXTURES = Path(__file__).parent / "fixtures" / "telegram"


def fixture(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text())
    return loaded


ERRORS = fixture("errors")
# Long polls are held at most this long here (the real server: up to the request's timeout).
MAX_HOLD_S = 2.0


class FakeBotApi:
    def __init__(self, token: str = "123456:TEST-fake-token") -> None:
        self.token = token
        self.url = ""
        self.schemas = {m: fixture(m) for m in ("sendMessage", "getUpdates")}
        self.sent: list[dict[str, Any]] = []  # sendMessage requests accepted
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.violations: list[str] = []
        self.blocked: set[int] = set()  # chats whose user blocked the bot: 403
        self.flood: list[int] = []  # next sendMessage answers: 429 with this retry_after
        # getUpdates held at once, and how many came while one was held: the real server
        # answers a second concurrent one with 409 Conflict, so a bot must poll from one place.
        self.polling = 0
        self.conflicts = 0
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 815000001
        self._message_id = 5000
        self._arrived = asyncio.Event()
        self.app = FastAPI()
        self.app.add_api_route("/bot{token}/{method}", self._call, methods=["POST"])

    @property
    def api_base(self) -> str:
        return self.url

    def user_writes(self, chat_id: int, text: str, chat_type: str = "private") -> int:
        """A person sends `text` to the bot (what a t.me deep link's Start button does)."""
        update = copy.deepcopy(self.schemas["getUpdates"]["response"]["result"][0])
        update["update_id"] = self._next_update_id
        self._next_update_id += 1
        message = update["message"]
        message["chat"] = {**message["chat"], "id": chat_id, "type": chat_type}
        message["from"] = {**message["from"], "id": chat_id}
        message["text"] = text
        message["date"] = int(time.time())
        command = text.split(" ", maxsplit=1)[0]
        message["entities"] = (
            [{"offset": 0, "length": len(command), "type": "bot_command"}]
            if text.startswith("/")
            else []
        )
        self._updates.append(update)
        self._arrived.set()
        return int(update["update_id"])

    async def _call(self, token: str, method: str, request: Request) -> JSONResponse:
        if token != self.token:
            return JSONResponse(ERRORS["unauthorized"], status_code=401)
        if method not in self.schemas:
            return JSONResponse(
                {"ok": False, "error_code": 404, "description": "Not Found"}, status_code=404
            )
        try:
            body = await request.json()
        except ValueError:
            body = None
        self.requests.append((method, body))
        try:
            jsonschema.validate(body, self.schemas[method]["request_schema"])
        except jsonschema.ValidationError as wrong:
            self.violations.append(f"{method}: {wrong.message}")
            return JSONResponse(
                {"ok": False, "error_code": 400, "description": f"Bad Request: {wrong.message}"},
                status_code=400,
            )
        if method == "sendMessage":
            return self._send_message(body)
        return await self._get_updates(body)

    def _send_message(self, body: dict[str, Any]) -> JSONResponse:
        if self.flood:
            answer = copy.deepcopy(ERRORS["flood"])
            answer["parameters"]["retry_after"] = self.flood.pop(0)
            return JSONResponse(answer, status_code=429)
        if body["chat_id"] in self.blocked:
            return JSONResponse(ERRORS["blocked"], status_code=403)
        self.sent.append(body)
        self._message_id += 1
        answer = copy.deepcopy(self.schemas["sendMessage"]["response"])
        answer["result"].update(
            message_id=self._message_id, date=int(time.time()), text=body["text"]
        )
        answer["result"]["chat"]["id"] = body["chat_id"]
        if "reply_markup" in body:
            answer["result"]["reply_markup"] = body["reply_markup"]
        else:
            answer["result"].pop("reply_markup", None)
        return JSONResponse(answer)

    async def _get_updates(self, body: dict[str, Any]) -> JSONResponse:
        if self.polling:
            self.conflicts += 1
            return JSONResponse(ERRORS["conflict"], status_code=409)
        self.polling += 1
        try:
            return await self._hold_updates(body)
        finally:
            self.polling -= 1

    async def _hold_updates(self, body: dict[str, Any]) -> JSONResponse:
        offset = int(body.get("offset") or 0)
        # As the server: an offset confirms (forgets) every update before it.
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and body.get("timeout"):
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._arrived.wait(), min(float(body["timeout"]), MAX_HOLD_S)
                )
        limit = int(body.get("limit") or 100)
        return JSONResponse({"ok": True, "result": self._updates[:limit]})

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[FakeBotApi]:
        async with serving(self.app, "the fake Bot API") as url:
            self.url = url
            yield self
