"""Scheduling's tables beyond the crew (migration step 5; steps are append-only).

The one constraint that matters most is `visits_no_overlap`: the database itself refuses two
active visits of one member whose blocked ranges ([starts_at, ends_at + travel buffer))
overlap. A check in Python alone would let two concurrent bookings both see a free slot.
"""

from __future__ import annotations

SCHEDULING_DDL = """
-- Extensions are per database: two schemas migrating at once must not both create it.
SELECT pg_advisory_xact_lock(hashtext('extension:btree_gist'));
CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;

ALTER TABLE crew_members
    ADD COLUMN IF NOT EXISTS days_off jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN IF NOT EXISTS absences jsonb NOT NULL DEFAULT '[]';

CREATE TABLE IF NOT EXISTS known_orders (
    id               uuid PRIMARY KEY,
    number           int,
    manager_id       text,
    stage            text NOT NULL,
    stage_entered_at timestamptz NOT NULL,
    pipeline_version int NOT NULL DEFAULT 1
);

CREATE TABLE IF NOT EXISTS streams (
    stream_id text PRIMARY KEY,
    version   int NOT NULL
);

CREATE TABLE IF NOT EXISTS visits (
    id          uuid PRIMARY KEY,
    order_id    uuid NOT NULL REFERENCES known_orders (id),
    kind        text NOT NULL,
    assignee_id uuid NOT NULL REFERENCES crew_members (id),
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL,
    blocked     tstzrange NOT NULL,
    status      text NOT NULL DEFAULT 'booked' CHECK (status IN ('booked', 'done', 'cancelled')),
    task_id     uuid NOT NULL,
    version     int NOT NULL DEFAULT 1,
    CHECK (ends_at > starts_at),
    CONSTRAINT visits_no_overlap EXCLUDE USING gist (assignee_id WITH =, blocked WITH &&)
        WHERE (status <> 'cancelled')
);
CREATE INDEX IF NOT EXISTS visits_order ON visits (order_id);

CREATE TABLE IF NOT EXISTS tasks (
    id             uuid PRIMARY KEY,
    order_id       uuid,
    visit_id       uuid,
    kind           text NOT NULL,
    title          text NOT NULL,
    status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'cancelled')),
    assignee_id    uuid,
    assignee_role  text,
    due_at         timestamptz,
    visit_kind     text,
    rule_id        text,
    cause_event_id uuid,
    created_at     timestamptz NOT NULL,
    completed_at   timestamptz,
    completed_by   uuid,
    note           text,
    results        jsonb
);
CREATE INDEX IF NOT EXISTS tasks_order ON tasks (order_id);
CREATE INDEX IF NOT EXISTS tasks_open_assignee ON tasks (assignee_id) WHERE status = 'open';

CREATE TABLE IF NOT EXISTS rules (
    id         text PRIMARY KEY,
    definition jsonb NOT NULL,
    version    int NOT NULL DEFAULT 1,
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- At most one firing of a rule per causing event, whatever Kafka redelivers.
CREATE TABLE IF NOT EXISTS rule_firings (
    rule_id        text NOT NULL,
    cause_event_id uuid NOT NULL,
    fired_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (rule_id, cause_event_id)
);

CREATE TABLE IF NOT EXISTS stage_limits (
    stage text PRIMARY KEY,
    hours double precision NOT NULL CHECK (hours > 0)
);
-- One timer per order: entering a stage replaces the pending timer of the previous one.
CREATE TABLE IF NOT EXISTS stage_timers (
    order_id   uuid PRIMARY KEY,
    stage      text NOT NULL,
    entered_at timestamptz NOT NULL,
    due_at     timestamptz NOT NULL,
    status     text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'fired', 'cancelled')),
    fired_at   timestamptz
);
CREATE INDEX IF NOT EXISTS stage_timers_due ON stage_timers (due_at) WHERE status = 'pending';
"""
