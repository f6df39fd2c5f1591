"""`@username` mentions in chat text (API.md: POST /api/v1/orders/{id}/comments).

One parser for everyone who reads mentions: the gateway, which decides who may be notified
(each person's access to the order), and the orders service, which records the mentions.
Two parsers would drift, and a name one side sees and the other does not is either a
mention nobody checked or one silently dropped.
"""

from __future__ import annotations

import re

# Not after a word character or another "@": an e-mail address (ivan@example.ru) or "@@x"
# is not a mention. Usernames follow the gateway's rule for new users (USERNAME), which ends a
# name on a letter, digit or "_": so "@director." at the end of a sentence names "director".
USERNAME = r"[A-Za-z0-9_.-]{1,63}[A-Za-z0-9_]"
MENTION = re.compile(rf"(?<![\w@])@({USERNAME})")


def mentioned_usernames(text: str) -> list[str]:
    """The distinct usernames mentioned, lower-cased (usernames match case-insensitively),
    sorted so the same text always yields the same list."""
    return sorted({m.lower() for m in MENTION.findall(text)})
