"""Russian phone numbers as people type them, normalized to E.164."""

from __future__ import annotations

import re

_ALLOWED = re.compile(r"^\+?[\d\s().-]+$")


class InvalidPhone(ValueError):
    pass


def normalize_phone(raw: str) -> str:
    """`+7 915 123-45-67`, `8 (915) 1234567`, `9151234567` → `+79151234567`.

    Foreign numbers written with a leading `+` are kept as E.164 if their length is plausible.
    """
    text = raw.strip()
    if not text or not _ALLOWED.match(text):
        raise InvalidPhone(f"not a phone number: {raw!r}")
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        if digits.startswith("7") and len(digits) != 11:
            raise InvalidPhone(f"a Russian number has 11 digits: {raw!r}")
        if not 8 <= len(digits) <= 15:
            raise InvalidPhone(f"not a phone number: {raw!r}")
        return "+" + digits
    if len(digits) == 11 and digits[0] in "78":
        return "+7" + digits[1:]
    if len(digits) == 10 and digits[0] == "9":
        return "+7" + digits
    raise InvalidPhone(f"not a Russian phone number: {raw!r}")
