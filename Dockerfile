# One image for every component; Kubernetes starts each with its own command:
#   python -m services.orders | services.scheduling | services.media | services.notifications
#   | services.projections | gateway
# Build: docker build -t oms:dev .

# The web app: built here from its lockfile and the API's OpenAPI (its typed client), so the
# image carries web/dist and no Node.
FROM node:20-bookworm-slim AS web
WORKDIR /src
COPY web/package.json web/package-lock.json web/
RUN cd web && npm ci --no-audit --no-fund
COPY contracts/api/openapi.json contracts/api/openapi.json
COPY web web
RUN cd web && npm run build

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOST=0.0.0.0 \
    PORT=8080

# A fixed uid/gid: the pods' securityContext (runAsUser 10001) and runAsNonRoot check it.
RUN groupadd --system --gid 10001 oms \
 && useradd --system --uid 10001 --gid oms --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin oms

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY requirements.txt .
RUN pip install -r requirements.txt

# The code stays owned by root: the app user can read it, not change it.
COPY . .
COPY --from=web /src/web/dist web/dist
# The root filesystem is read-only in Kubernetes: compile the bytecode now, not at first import.
RUN python -m compileall -q /app

USER 10001:10001
EXPOSE 8080
CMD ["python", "-m", "gateway"]
