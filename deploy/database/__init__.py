"""Database logins: one per service, owning only its schemas, plus the analysts' role.

`plan.py` says who owns what; `provision.py` makes the server say the same, with an admin
connection (a superuser, or a role with CREATEROLE), idempotently. The local stack runs it
after PostgreSQL starts (deploy/local/db_logins.py); in Kubernetes a Job does
(`python -m deploy.database`, deploy/k8s/base/db-logins.yaml).

Reads across schemas are granted by the owner, not here: a service's published log (its
outbox, or orders' event store) is created by its own migrations, after provisioning, so the
service grants SELECT on it to the roles in its `DB_LOG_READERS` (plumbing/db.py).
"""
