"""The projections' read-model tables. Disposable: every row is rebuilt from events."""

from __future__ import annotations

READ_MODEL_DDL = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE TABLE IF NOT EXISTS board_cards (
    order_id         uuid PRIMARY KEY,
    number           int NOT NULL,
    title            text NOT NULL,
    customer_name    text NOT NULL,
    phone            text NOT NULL,
    address          text NOT NULL,
    address_json     jsonb NOT NULL,
    stage            text NOT NULL,
    stage_entered_at timestamptz NOT NULL,
    manager_id       text,
    version          int NOT NULL,
    search           text NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS board_cards_stage_idx ON board_cards (stage, stage_entered_at DESC);
CREATE INDEX IF NOT EXISTS board_cards_search_idx ON board_cards USING gin (search gin_trgm_ops);
CREATE TABLE IF NOT EXISTS users (
    user_id      uuid PRIMARY KEY,
    username     text NOT NULL,
    display_name text NOT NULL,
    role         text NOT NULL,
    active       boolean NOT NULL
);
"""

ACCESS_DDL = """
CREATE TABLE IF NOT EXISTS order_access (
    order_id uuid NOT NULL,
    user_id  uuid NOT NULL,
    via      text NOT NULL,
    since    timestamptz NOT NULL,
    PRIMARY KEY (order_id, user_id)
);
CREATE INDEX IF NOT EXISTS order_access_user_idx ON order_access (user_id);
"""
