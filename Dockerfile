# The portal's image: one image runs the web server, the worker and the release step.
#
#   podman build -t boost-peer-networks .          (or docker build)
#   web:      the default command (gunicorn on port 8000)
#   worker:   flask --app wsgi portal worker
#   release:  flask --app wsgi portal init          (before starting a new version)
#
# compose.yaml runs all three with PostgreSQL and Redis for a trial; docs/deployment.md says
# how to run it for real.

# Assets: GOV.UK Frontend and the portal's Sass and JavaScript, built with Node.
FROM docker.io/library/node:20-bookworm-slim AS assets
WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY static/ static/
RUN npm run --silent build

# Runtime: slim Python with the runtime packages only (deploy/install.sh), as a non-root user.
FROM docker.io/library/python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/portal/venv/bin:$PATH \
    PORTAL_INSTANCE_PATH=/var/lib/portal \
    PORTAL_BIND=0.0.0.0:8000
RUN groupadd --system portal \
 && useradd --system --gid portal --home-dir /var/lib/portal --no-create-home portal \
 && mkdir -p /var/lib/portal \
 && chown portal:portal /var/lib/portal
WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY requirements/ requirements/
COPY deploy/ deploy/
COPY portal/ portal/
RUN deploy/install.sh /opt/portal/venv
COPY wsgi.py ./
COPY migrations/ migrations/
COPY templates/ templates/
COPY static/ static/
COPY --from=assets /build/static/dist/ static/dist/
USER portal
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "deploy/healthcheck.py", "http://127.0.0.1:8000/healthz"]
CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"]
