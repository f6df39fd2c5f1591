"""Domain errors of the orders service, each with a stable code."""

from __future__ import annotations

from plumbing.errors import Conflict, Invalid


class OrderAlreadyExists(Conflict):
    code = "order_exists"


class InvalidOrder(Invalid):
    code = "invalid_input"
