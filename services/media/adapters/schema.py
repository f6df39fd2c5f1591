"""Tables of the media service (migration steps are append-only: never edit one)."""

from __future__ import annotations

MEDIA_DDL = """
CREATE TABLE media (
    id             uuid PRIMARY KEY,
    order_id       uuid NOT NULL,
    kind           text NOT NULL,
    purpose        text NOT NULL,
    filename       text NOT NULL,
    content_type   text NOT NULL,
    size           bigint NOT NULL,
    uploaded_by    uuid NOT NULL,
    -- The phone's retry key. NULLs never collide, so requests without a key are all new.
    client_key     text,
    status         text NOT NULL,
    version        int NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL,
    url_expires_at timestamptz NOT NULL,
    taken_at       timestamptz,
    lat            double precision,
    lon            double precision,
    thumbnail      boolean NOT NULL DEFAULT false,
    reject_reason  text,
    deleted_by     uuid,
    -- Housekeeping: the upload key was cleaned after its URL expired; the objects of an
    -- item that is no longer attached (deleted, rejected, expired) were removed.
    upload_swept   boolean NOT NULL DEFAULT false,
    objects_purged boolean NOT NULL DEFAULT false,
    UNIQUE (uploaded_by, order_id, client_key)
);
CREATE INDEX media_ready_by_order ON media (order_id, created_at) WHERE status = 'ready';
CREATE INDEX media_unswept ON media (url_expires_at) WHERE NOT upload_swept;
CREATE INDEX media_unpurged ON media (id)
    WHERE status IN ('deleted', 'rejected', 'expired') AND NOT objects_purged;

-- A queue in PostgreSQL: workers claim rows with FOR UPDATE SKIP LOCKED, so each job runs
-- once at a time across replicas, and a crashed worker's job is simply claimable again.
CREATE TABLE thumbnail_jobs (
    media_id  uuid PRIMARY KEY REFERENCES media (id),
    attempts  int NOT NULL DEFAULT 0,
    run_after timestamptz NOT NULL DEFAULT now(),
    last_error text
);
"""

# Issue 15: the visit a photo belongs to, and a manager's review of a photo off site.
MEDIA_VISITS_DDL = """
ALTER TABLE media ADD COLUMN IF NOT EXISTS visit_id uuid;
ALTER TABLE media ADD COLUMN IF NOT EXISTS review text
    CHECK (review IN ('confirm', 'reject'));
"""
