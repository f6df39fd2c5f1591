"""The projections' read-model tables. Disposable: every row is rebuilt from events."""

from __future__ import annotations

from plumbing.dead_letters import DEAD_LETTER_REPLAY_DDL
from plumbing.inbox import INBOX_DDL

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

# Step 4. Step 2 created pg_trgm in the first schema of the search_path: ours. Extensions are
# per database, so it must live in `public`: a rebuild migrates a fresh schema (which must
# find gin_trgm_ops) and then drops the retired one (which must not take the extension and
# the live search index with it).
TRGM_TO_PUBLIC_DDL = """
DO $$
BEGIN
    IF (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm')
        <> 'public' THEN
        ALTER EXTENSION pg_trgm SET SCHEMA public;
    END IF;
END $$;
"""

# Step 5. Everything else a card shows, and the per-person work behind it. Rows about visits,
# tasks, media and overdue alerts are keyed by their own ids and the order id, never by a
# foreign key to board_cards: an event from another topic may arrive before OrderCreated and
# must be kept, not dropped; the board joins them when the card appears.
WORK_DDL = """
ALTER TABLE board_cards ADD COLUMN IF NOT EXISTS amount numeric;
CREATE TABLE IF NOT EXISTS order_visits (
    visit_id    uuid PRIMARY KEY,
    order_id    uuid NOT NULL,
    task_id     uuid NOT NULL,
    kind        text NOT NULL,
    assignee_id uuid NOT NULL,
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL,
    status      text NOT NULL
);
CREATE INDEX IF NOT EXISTS order_visits_order_idx ON order_visits (order_id, starts_at);
CREATE INDEX IF NOT EXISTS order_visits_assignee_idx ON order_visits (assignee_id, starts_at);
CREATE TABLE IF NOT EXISTS order_tasks (
    task_id       uuid PRIMARY KEY,
    order_id      uuid,
    visit_id      uuid,
    kind          text NOT NULL,
    title         text NOT NULL DEFAULT '',
    assignee_id   uuid,
    assignee_role text,
    due_at        timestamptz,
    status        text NOT NULL,
    created_at    timestamptz,
    closed_at     timestamptz
);
CREATE INDEX IF NOT EXISTS order_tasks_order_idx ON order_tasks (order_id) WHERE status = 'open';
CREATE INDEX IF NOT EXISTS order_tasks_assignee_idx ON order_tasks (assignee_id);
CREATE TABLE IF NOT EXISTS order_media (
    media_id uuid PRIMARY KEY,
    order_id uuid NOT NULL,
    kind     text NOT NULL,
    purpose  text NOT NULL
);
CREATE INDEX IF NOT EXISTS order_media_order_idx ON order_media (order_id);
CREATE TABLE IF NOT EXISTS order_overdue (
    order_id    uuid NOT NULL,
    stage       text NOT NULL,
    entered_at  timestamptz NOT NULL,
    limit_hours double precision NOT NULL,
    alerted_at  timestamptz NOT NULL,
    PRIMARY KEY (order_id, stage, entered_at)
);
CREATE TABLE IF NOT EXISTS stage_intervals (
    order_id      uuid NOT NULL,
    entered_version int NOT NULL,
    stage         text NOT NULL,
    entered_at    timestamptz NOT NULL,
    left_at       timestamptz,
    PRIMARY KEY (order_id, entered_version)
);
CREATE INDEX IF NOT EXISTS stage_intervals_entered_idx ON stage_intervals (entered_at);
CREATE INDEX IF NOT EXISTS stage_intervals_left_idx ON stage_intervals (left_at);
CREATE TABLE IF NOT EXISTS changes (
    seq      bigserial PRIMARY KEY,
    order_id uuid NOT NULL,
    type     text NOT NULL,
    stage    text,
    at       timestamptz NOT NULL
);
"""

# The projections' numbered migration steps (append-only). The rebuild runs the same list
# in a fresh schema, so the rebuilt tables have exactly the live tables' shape.
# The purpose of the document or photo a feed row is about: the gateway decides from it who
# may be told of the change (a commercial document's attach or detach pushed to a field role
# would tell that one exists).
FEED_PURPOSE_DDL = "ALTER TABLE changes ADD COLUMN IF NOT EXISTS purpose text;"

# Step 7. The pipeline versions (orders.PipelinePublished), one row per stage, and the version
# each order follows. Cards written before this step are of version 1 until a rebuild replays
# their OrderCreated (which names the version).
PIPELINES_DDL = """
CREATE TABLE IF NOT EXISTS pipeline_stages (
    version         int NOT NULL,
    position        int NOT NULL,
    key             text NOT NULL,
    title_ru        text NOT NULL,
    title_en        text NOT NULL,
    limit_hours     double precision,
    terminal        boolean NOT NULL,
    production_sees boolean NOT NULL,
    PRIMARY KEY (version, key)
);
ALTER TABLE board_cards ADD COLUMN IF NOT EXISTS pipeline_version int NOT NULL DEFAULT 1;
"""

# Step 8. The closing forecast: the day promised to the customer (orders.PromisedDateSet) on
# the card, and which stages a forward move can jump over (rework), so the forecast leaves
# them off an order's path. Versions recorded before this step read as having none optional
# until a rebuild replays their PipelinePublished.
FORECAST_DDL = """
ALTER TABLE board_cards ADD COLUMN IF NOT EXISTS promised_date date;
ALTER TABLE pipeline_stages ADD COLUMN IF NOT EXISTS optional boolean NOT NULL DEFAULT false;
"""

# Step 9 (issue 15). Time on site: each visit's check-in and check-out, the phone's times.
ON_SITE_DDL = """
CREATE TABLE IF NOT EXISTS visit_on_site (
    visit_id       uuid PRIMARY KEY,
    assignee_id    uuid NOT NULL,
    checked_in_at  timestamptz,
    checked_out_at timestamptz
);
CREATE INDEX IF NOT EXISTS visit_on_site_assignee ON visit_on_site (assignee_id, checked_in_at);
"""

# Step 10 (issue 20). Customers as a directory: one row per number (phone_digits of what the
# orders hold), kept in the same transaction as the cards it sums up (customers_store.refresh).
# A table rather than a GROUP BY over the cards per keystroke: the directory lists, counts and
# searches thousands of customers, and each page must be an index walk. The card's own digits
# are computed in Python (contracts/api/phones.py) and stored, so no second copy of that rule
# lives in SQL; cards and customers from before this step appear after a rebuild.
CUSTOMERS_DDL = """
ALTER TABLE board_cards ADD COLUMN IF NOT EXISTS phone_digits text;
CREATE INDEX IF NOT EXISTS board_cards_phone_digits_idx
    ON board_cards (phone_digits, created_at DESC);
CREATE TABLE IF NOT EXISTS customers (
    digits           text PRIMARY KEY,
    name             text NOT NULL,
    phone            text NOT NULL,
    orders           int NOT NULL,
    first_order_at   timestamptz NOT NULL,
    last_order_at    timestamptz NOT NULL,
    last_activity_at timestamptz NOT NULL,
    search           text NOT NULL
);
CREATE INDEX IF NOT EXISTS customers_activity_idx ON customers (last_activity_at DESC, digits);
CREATE INDEX IF NOT EXISTS customers_search_idx ON customers USING gin (search gin_trgm_ops);
"""

# Each card's counts, kept by the projector (board_store.refresh_summary after every task and
# media fact), so the board reads them with one join instead of four subqueries per card
# served (two thirds of the board's time at 10,000 orders, issue 17). The insert fills it
# for a database that had cards before this step; a rebuild fills it by replaying.
SUMMARIES_DDL = """
CREATE TABLE IF NOT EXISTS card_summaries (
    order_id          uuid PRIMARY KEY,
    open_tasks        integer NOT NULL DEFAULT 0,
    photos            integer NOT NULL DEFAULT 0,
    documents         integer NOT NULL DEFAULT 0,
    document_purposes jsonb NOT NULL DEFAULT '{}'::jsonb
);
INSERT INTO card_summaries (order_id, open_tasks, photos, documents, document_purposes)
SELECT o.order_id,
    (SELECT count(*) FROM order_tasks t WHERE t.order_id = o.order_id AND t.status = 'open'),
    (SELECT count(*) FROM order_media m WHERE m.order_id = o.order_id AND m.kind = 'photo'),
    (SELECT count(*) FROM order_media m WHERE m.order_id = o.order_id AND m.kind = 'document'),
    (SELECT coalesce(jsonb_object_agg(p.purpose, p.n), '{}'::jsonb) FROM (SELECT m.purpose,
        count(*) AS n FROM order_media m WHERE m.order_id = o.order_id AND m.kind = 'document'
        GROUP BY m.purpose) p)
FROM (SELECT order_id FROM order_tasks WHERE order_id IS NOT NULL
      UNION SELECT order_id FROM order_media) o
ON CONFLICT (order_id) DO NOTHING;
"""

# Step 13 (issue 17). How many cards each stage holds, for the unfiltered board: counting
# them per request was most of its time at 100,000 orders. Kept by triggers on board_cards,
# so every write counts, whoever makes it: the projector's insert and stage change, a
# rebuild's COPY (one aggregate over the statement's rows), the catch-up, and the running
# release's projector between this step and the rollout (the migrations Job runs before the
# new pods; counts kept by the new code alone would miss what the old one moves meanwhile).
# The count moves only with the rows a statement really inserted, moved or deleted (a card
# kept by ON CONFLICT DO NOTHING or an older version's UPDATE that matched nothing changes
# nothing), so a redelivered or overtaken event cannot make it drift. Each statement takes
# its stages' row locks in stage order (fewer deadlocks between two projectors), and an
# emptied stage's row goes, so the table is exactly `SELECT stage, count(*) ... GROUP BY
# stage`. The counts go to the table beside the card's (TG_TABLE_SCHEMA), never to whatever a
# name would find: a rebuild's fresh schema is renamed to the live one, and a writer's
# search_path may lead elsewhere; only a writer whose search_path starts there (the
# projector, a rebuild) gets the cached plans of static statements.
STAGE_COUNTS_DDL = """
CREATE TABLE IF NOT EXISTS stage_counts (
    stage text PRIMARY KEY,
    n     bigint NOT NULL
);
CREATE OR REPLACE FUNCTION stage_counts_follow() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    stages text[];
    deltas bigint[];
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        EXECUTE format('DELETE FROM %I.stage_counts', TG_TABLE_SCHEMA);
        RETURN NULL;
    ELSIF TG_OP = 'INSERT' THEN
        SELECT array_agg(a.stage ORDER BY a.stage), array_agg(a.n ORDER BY a.stage)
        INTO stages, deltas FROM (SELECT stage, count(*) AS n FROM added GROUP BY stage) a;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(r.stage ORDER BY r.stage), array_agg(-r.n ORDER BY r.stage)
        INTO stages, deltas FROM (SELECT stage, count(*) AS n FROM removed GROUP BY stage) r;
    ELSE
        -- A row trigger, fired only when the card's stage changed (its WHEN).
        stages := ARRAY[OLD.stage, NEW.stage];
        deltas := ARRAY[-1, 1]::bigint[];
    END IF;
    IF stages IS NULL THEN
        RETURN NULL;  -- no row inserted or deleted
    END IF;
    IF TG_TABLE_SCHEMA = current_schema() THEN
        -- The writer's own schema (the projector, a rebuild's load and catch-up): statements
        -- whose plans the session keeps, resolved in that schema by the search_path.
        INSERT INTO stage_counts AS s (stage, n)
        SELECT d.stage, d.n FROM unnest(stages, deltas) AS d(stage, n) ORDER BY d.stage
        ON CONFLICT (stage) DO UPDATE SET n = s.n + EXCLUDED.n;
        DELETE FROM stage_counts WHERE stage = ANY(stages) AND n = 0;
    ELSE
        -- Anyone else's (an operator naming the schema): the same, in the table's schema.
        EXECUTE format('INSERT INTO %I.stage_counts AS s (stage, n) SELECT d.stage, d.n '
            'FROM unnest($1::text[], $2::bigint[]) AS d(stage, n) ORDER BY d.stage '
            'ON CONFLICT (stage) DO UPDATE SET n = s.n + EXCLUDED.n', TG_TABLE_SCHEMA)
            USING stages, deltas;
        EXECUTE format('DELETE FROM %I.stage_counts WHERE stage = ANY($1) AND n = 0',
            TG_TABLE_SCHEMA) USING stages;
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER stage_counts_inserted AFTER INSERT ON board_cards
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION stage_counts_follow();
CREATE OR REPLACE TRIGGER stage_counts_moved AFTER UPDATE OF stage ON board_cards
    FOR EACH ROW WHEN (OLD.stage IS DISTINCT FROM NEW.stage)
    EXECUTE FUNCTION stage_counts_follow();
CREATE OR REPLACE TRIGGER stage_counts_deleted AFTER DELETE ON board_cards
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION stage_counts_follow();
CREATE OR REPLACE TRIGGER stage_counts_truncated AFTER TRUNCATE ON board_cards
    FOR EACH STATEMENT EXECUTE FUNCTION stage_counts_follow();
-- The cards from before this step. Creating the triggers locked board_cards against writes
-- until this step commits, so no card moves between this count and the first trigger.
INSERT INTO stage_counts (stage, n)
SELECT stage, count(*) FROM board_cards GROUP BY stage
ON CONFLICT (stage) DO UPDATE SET n = EXCLUDED.n;
"""

MIGRATIONS: list[str] = [
    INBOX_DDL,
    READ_MODEL_DDL,
    ACCESS_DDL,
    TRGM_TO_PUBLIC_DDL,
    WORK_DDL,
    FEED_PURPOSE_DDL,
    PIPELINES_DDL,
    FORECAST_DDL,
    ON_SITE_DDL,
    CUSTOMERS_DDL,
    DEAD_LETTER_REPLAY_DDL,
    SUMMARIES_DDL,
    STAGE_COUNTS_DDL,
]

# What "the same read model" means for the rebuild check: every row of every read-model
# table, in key order, without bookkeeping columns that record *when* we wrote (updated_at).
# `changes` is a notification feed, not state: a rebuild copies it instead of replaying it.
CHECKSUM_QUERIES: dict[str, str] = {
    "board_cards": "SELECT order_id, number, title, customer_name, phone, address, "
    "address_json, stage, stage_entered_at, manager_id, version, search, created_at, amount, "
    "pipeline_version, promised_date, phone_digits FROM board_cards ORDER BY order_id",
    "customers": "SELECT * FROM customers ORDER BY digits",
    "users": "SELECT * FROM users ORDER BY user_id",
    "order_access": "SELECT * FROM order_access ORDER BY order_id, user_id",
    "order_visits": "SELECT * FROM order_visits ORDER BY visit_id",
    "visit_on_site": "SELECT * FROM visit_on_site ORDER BY visit_id",
    "order_tasks": "SELECT * FROM order_tasks ORDER BY task_id",
    "order_media": "SELECT * FROM order_media ORDER BY media_id",
    "order_overdue": "SELECT * FROM order_overdue ORDER BY order_id, stage, entered_at",
    "stage_intervals": "SELECT * FROM stage_intervals ORDER BY order_id, entered_version",
    "pipeline_stages": "SELECT * FROM pipeline_stages ORDER BY version, position",
    "card_summaries": "SELECT * FROM card_summaries ORDER BY order_id",
    "stage_counts": "SELECT * FROM stage_counts ORDER BY stage",
}
