"""One phone number, however it was typed: the digits, with the Russian forms made one.

`+7 916 123-45-67`, `8 (916) 123 45 67`, `79161234567` and `9161234567` are the same number,
so finding a customer by phone compares these digits on both sides (what was typed, and what
an order holds). Shared here because the gateway refuses a number too short to mean anything
and the projections compare the numbers they hold, and neither may import the other.

The orders service's `normalize_phone` (services/orders/domain/phone.py) is stricter: it
decides what may be stored and answers `invalid_phone`. This one only compares, so it takes
any text and keeps a foreign number's digits as they are.
"""

from __future__ import annotations

import re

# ASCII digits only: `\d` would take other scripts' digits too, which no phone holds.
_NOT_DIGIT = re.compile(r"[^0-9]")
MIN_DIGITS = 10  # a Russian number without its country code; anything shorter is a fragment


def phone_digits(raw: str) -> str:
    """The number's digits: a leading 8 of 11 digits becomes 7 (the trunk prefix as the
    country code), 10 digits get the 7 in front; anything else is its digits unchanged."""
    digits = _NOT_DIGIT.sub("", raw)
    if len(digits) == 11 and digits[0] == "8":
        return "7" + digits[1:]
    if len(digits) == 10:
        return "7" + digits
    return digits


def same_phone(a: str, b: str) -> bool:
    return phone_digits(a) == phone_digits(b)
