"""FastAPI dependencies of the orders service."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from services.orders.application.service import OrderService
from services.orders.application.usecases import Orders


def get_orders(request: Request) -> Orders:
    orders: Orders = request.app.state.orders
    return orders


def get_core(request: Request) -> OrderService:
    core: OrderService = request.app.state.core
    return core


OrdersDep = Annotated[Orders, Depends(get_orders)]
CoreDep = Annotated[OrderService, Depends(get_core)]
