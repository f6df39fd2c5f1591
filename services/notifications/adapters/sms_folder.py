"""An SMS "provider" for `make run` and demos: each message becomes a small text file in a
folder (<data>/sms, next to the .eml files of <data>/mail), so the local system shows what a
customer would receive without an SMS.ru account. Sends nothing anywhere."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from services.notifications.application.channels import Outcome, Outgoing, Sent


class SmsFolder:
    name = "sms"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    async def send(self, message: Outgoing) -> Outcome:
        await asyncio.to_thread(self._write, message)
        return Sent()

    def _write(self, message: Outgoing) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        # The message id in the name: a resend after a crash overwrites, it does not add.
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{message.message_id[:12]}.txt"
        for old in self.folder.glob(f"*-{message.message_id[:12]}.txt"):
            old.unlink(missing_ok=True)
        partial = self.folder / f".{name}.part"
        partial.write_text(f"To: {message.address}\n\n{message.body}\n", encoding="utf-8")
        partial.rename(self.folder / name)
