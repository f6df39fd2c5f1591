"""The public API's models, one module per area (API.md): orders (requests), cards (the
card), history (history and chat), board, pipeline, scheduling, media, notifications,
reports, users; errors (the refusal body), audience (one model per audience: what each may
see), hidden (what a restricted audience is not shown, by value). openapi.json is exported
from the gateway's routes that use them (python -m contracts.export)."""
