"""The OpenAPI says which capability each operation needs (`x-capability`, contracts/roles.py).

A client learns from the description what a role may call (the web app hides what it may
not do; a fuzzer runs each role against the operations that role may call), and the walk
over the routes that finds each declaration is the one the route-capability test uses.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from contracts.roles import Capability
from gateway.entrypoints.deps import declared_capabilities


def route_capabilities(
    app: FastAPI,
) -> Iterator[tuple[frozenset[str], str, APIRoute, list[Capability]]]:
    """(methods, path, route, declared capabilities) of every API route the app serves,
    included routers' routes too (FastAPI keeps them nested: `app.routes` alone misses them)."""
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            methods = frozenset(context.methods or ())
            yield methods, str(context.path), route, declared_capabilities(context.dependant)


def document_capabilities(app: FastAPI) -> None:
    """Wrap the app's OpenAPI so each operation that declares a capability names it."""
    plain = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = plain()
        for methods, path, _, declared in route_capabilities(app):
            for method in methods:
                operation = schema.get("paths", {}).get(path, {}).get(method.lower())
                if operation is not None and len(declared) == 1:
                    operation["x-capability"] = declared[0]
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
