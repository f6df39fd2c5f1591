"""When a sign-in attempt may be heard: a growing wait after repeated failures, never a lock.

After THRESHOLD failures for a username within WINDOW, each further attempt waits
2^(n - THRESHOLD) seconds (n: the failures so far), at most CAP, counted from the last attempt
whose password was checked. The right password works once the wait is over: an attacker can
slow the real user down, never shut them out. An address gets the same from ADDRESS_THRESHOLD
failures on, whatever usernames it tried, so spraying many usernames from one place is slowed
too; it is the *client's* address (see client_address.py), so an office behind one NAT or the
ingress is not one caller.

An attempt refused for waiting counts as a failure as well: fifty at once leave fifty, and the
wait grows to the cap. It never moves the wait's start (only a checked attempt does), so
refused attempts cannot keep the real user out beyond CAP.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

THRESHOLD = 5
ADDRESS_THRESHOLD = 20
CAP = timedelta(seconds=60)
# Failures older than this are forgotten (and pruned): longer than the longest wait by far.
WINDOW = timedelta(minutes=15)


def wait_after(failures: int, threshold: int = THRESHOLD) -> timedelta:
    """How long after the last checked attempt the next one waits, with `failures` so far."""
    if failures < threshold:
        return timedelta(0)
    exponent = failures - threshold
    if exponent >= 6:  # 2^6 s is past the cap already; no huge powers
        return CAP
    return min(CAP, timedelta(seconds=2**exponent))


@dataclass(frozen=True)
class Tally:
    """Failures of one username or one address within WINDOW, and when the last one whose
    password was checked happened."""

    failures: int
    last_checked: datetime | None


def _heard_from(by_user: Tally, by_address: Tally) -> datetime | None:
    until: datetime | None = None
    for tally, threshold in ((by_user, THRESHOLD), (by_address, ADDRESS_THRESHOLD)):
        if tally.last_checked is None or tally.failures < threshold:
            continue
        ends = tally.last_checked + wait_after(tally.failures, threshold)
        until = ends if until is None else max(until, ends)
    return until


def retry_after(by_user: Tally, by_address: Tally, now: datetime) -> int | None:
    """Whole seconds to wait before an attempt may be heard, or None: hear it now.

    A refused attempt counts too, so the wait it is told is the one after it: a client that
    waits as long as Retry-After says is heard (unless others tried meanwhile)."""
    until = _heard_from(by_user, by_address)
    if until is None or until <= now:
        return None
    after = _heard_from(
        Tally(by_user.failures + 1, by_user.last_checked),
        Tally(by_address.failures + 1, by_address.last_checked),
    )
    assert after is not None
    return max(1, math.ceil((after - now).total_seconds()))
