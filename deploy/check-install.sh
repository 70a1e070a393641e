#!/usr/bin/env bash
# Proves the image's steps without containers: install the runtime packages with
# deploy/install.sh into a fresh virtual environment, run the release step (`portal init`),
# one round of the worker, and the web server until /healthz answers 200, as the image does.
#
#   deploy/check-install.sh            (from .ci/run; about a minute)
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
web=""
cleanup() {
  if [ -n "$web" ]; then kill "$web" 2>/dev/null || true; wait "$web" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

deploy/install.sh "$work/venv"
export PORTAL_SECRET_KEY="check-install-only-$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
export PORTAL_INSTANCE_PATH="$work/instance"
# A free port, so two runs on one machine do not meet.
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export PORTAL_BASE_URL="http://127.0.0.1:$port"
flask=("$work/venv/bin/flask" --app wsgi)

"${flask[@]}" portal init
"${flask[@]}" portal worker --once
PORTAL_BIND="127.0.0.1:$port" PORTAL_WORKERS=1 \
  "$work/venv/bin/gunicorn" -c deploy/gunicorn.conf.py wsgi:app &
web=$!
for _ in $(seq 1 60); do
  if "$work/venv/bin/python" deploy/healthcheck.py "http://127.0.0.1:$port/healthz" 2>/dev/null; then
    echo "The installed portal answers /healthz"
    exit 0
  fi
  sleep 1
done
echo "The installed portal did not answer /healthz within a minute" >&2
exit 1
