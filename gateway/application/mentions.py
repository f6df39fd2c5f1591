"""Who a chat mention may notify: only people who may see the order.

A mention's notification carries the comment's text and the order's id and number, so it
goes through the same access rule as reading the order (issue 11: a mention of anyone used
to reach them, order or not). The gateway decides because it owns both users and access;
the orders service then records mentions only for the usernames cleared here. The author
is told who was not notified and why, so a mention never silently goes nowhere.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from uuid import UUID

from contracts.mentions import mentioned_usernames
from gateway.adapters.upstream import Caller, Upstreams
from gateway.adapters.users_repo import UsersRepo
from gateway.application.order_access import OrderAccess
from gateway.domain.users import User
from plumbing.errors import DomainError

# Each mentioned person costs an access lookup: a 10,000-character comment of @names must
# not turn into thousands of calls. Nobody needs more in one message.
MAX_MENTIONS = 50


@dataclass(frozen=True)
class NotNotified:
    username: str
    # unknown_user | inactive | no_access | access_unavailable | too_many_mentions
    reason: str


@dataclass
class MentionCheck:
    notify: list[str] = field(default_factory=list)  # lower-cased usernames cleared
    not_notified: list[NotNotified] = field(default_factory=list)


async def check_mentions(
    users: UsersRepo, upstreams: Upstreams, order_id: UUID, text: str
) -> MentionCheck:
    names = mentioned_usernames(text)
    checked = names[:MAX_MENTIONS]
    found: dict[str, list[User]] = defaultdict(list)
    for user in await users.by_usernames(checked) if checked else []:
        found[user.username.lower()].append(user)
    result = MentionCheck()
    for name in checked:
        reason = await _refusal(found.get(name, []), upstreams, order_id)
        if reason is None:
            result.notify.append(name)
        else:
            result.not_notified.append(NotNotified(name, reason))
    result.not_notified += [NotNotified(n, "too_many_mentions") for n in names[MAX_MENTIONS:]]
    return result


async def _refusal(people: list[User], upstreams: Upstreams, order_id: UUID) -> str | None:
    active = [p for p in people if p.active]
    if not people:
        return "unknown_user"
    if not active:
        return "inactive"
    # Usernames are unique but case-sensitive, mentions are not: the orders service resolves
    # a name to one of its holders, so every holder must be allowed, or none is notified.
    for person in active:
        access = OrderAccess(upstreams, Caller(str(person.id), person.username, person.role))
        try:
            if not await access.allows(order_id):
                return "no_access"
        except DomainError:
            return "access_unavailable"  # the read side is away: fail closed, say so
    return None
