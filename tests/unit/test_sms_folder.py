"""`make run`'s SMS sink: each SMS a text file in the folder; a resend of the same message
(the same message id, after a crash between "written" and "recorded") replaces it."""

from __future__ import annotations

from pathlib import Path

from services.notifications.adapters.sms_folder import SmsFolder
from services.notifications.application.channels import Outgoing, Sent


def _sms(message_id: str, body: str) -> Outgoing:
    return Outgoing(
        message_id=message_id, user_id=None, address="+79151234567", title="", body=body, url=""
    )


async def test_each_sms_is_a_file_and_a_resend_replaces_it(tmp_path: Path) -> None:
    folder = SmsFolder(tmp_path / "sms")
    assert await folder.send(_sms("a" * 36, "Замерщик приедет завтра с 10:00 до 12:00.")) == Sent()
    assert await folder.send(_sms("a" * 36, "Замерщик приедет завтра с 10:00 до 12:00.")) == Sent()
    assert (
        await folder.send(_sms("b" * 36, "Монтажники приедут завтра с 09:00 до 13:00.")) == Sent()
    )
    files = sorted((tmp_path / "sms").glob("*.txt"))
    assert len(files) == 2
    texts = sorted(p.read_text(encoding="utf-8") for p in files)
    assert texts[0] == "To: +79151234567\n\nЗамерщик приедет завтра с 10:00 до 12:00.\n"
    assert not list((tmp_path / "sms").glob(".*"))  # no half-written file left
