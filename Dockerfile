# One image for every component; Kubernetes starts each with its own command:
#   python -m services.orders | services.scheduling | services.media | services.notifications
#   | services.projections | gateway   (and the Jobs: deploy.database, gateway.first_admin,
#   plumbing.dead_letters)
# Build: docker build -t oms:dev .
# It carries the runtime set only (requirements.txt): no local-stack binaries (embedded
# PostgreSQL, the broker, rclone: requirements-local.txt), no test tools, no Node, no compiler.
# tests/unit/test_image.py holds it to that (no image can be built where the tests run).

# The web app: built here from its lockfile and the API's OpenAPI (its typed client), so the
# image carries web/dist and no Node.
FROM node:20-bookworm-slim AS web
WORKDIR /src
COPY web/package.json web/package-lock.json web/
RUN cd web && npm ci --no-audit --no-fund
COPY contracts/api/openapi.json contracts/api/openapi.json
COPY web web
RUN cd web && npm run build

# The runtime set, into a virtual environment the last stage copies whole (pip and its caches
# stay here).
FROM python:3.11-slim-bookworm AS deps
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
COPY requirements.txt .
RUN /opt/venv/bin/pip install --prefer-binary -r requirements.txt \
 && /opt/venv/bin/pip uninstall --yes pip setuptools \
 && /opt/venv/bin/python -m compileall -q /opt/venv

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    HOST=0.0.0.0 \
    PORT=8080

# A fixed uid/gid: the pods' securityContext (runAsUser 10001) and runAsNonRoot check it.
RUN groupadd --system --gid 10001 oms \
 && useradd --system --uid 10001 --gid oms --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin oms

COPY --from=deps /opt/venv /opt/venv
WORKDIR /app
# The code stays owned by root: the app user can read it, not change it. .dockerignore keeps
# out the local stack, the tests, the benchmarks, the fault run and the web app's sources.
COPY . .
COPY --from=web /src/web/dist web/dist
# The root filesystem is read-only in Kubernetes: compile the bytecode now, not at first import.
RUN python -m compileall -q /app

USER 10001:10001
EXPOSE 8080
CMD ["python", "-m", "gateway"]
