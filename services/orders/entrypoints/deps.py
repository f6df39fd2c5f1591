"""FastAPI dependencies of the orders service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from plumbing.state import from_state
from services.orders.application.service import OrderService
from services.orders.application.usecases import Orders

OrdersDep = Annotated[Orders, Depends(from_state("orders", Orders))]
CoreDep = Annotated[OrderService, Depends(from_state("core", OrderService))]
