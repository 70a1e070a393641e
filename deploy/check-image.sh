#!/usr/bin/env bash
# Builds the image and starts it as production would: the release step, then the web server
# until its health check passes. Where this machine cannot run containers (no podman or
# docker, no registry to pull the base images from, or a sandbox that refuses to start them),
# it says why and proves the same install steps without containers (deploy/check-install.sh).
#
#   deploy/check-image.sh        (from .ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."
base=docker.io/library/python:3.11-slim-bookworm

engine="$(command -v podman || command -v docker || true)"
reason=""
if [ -z "$engine" ]; then
  reason="neither podman nor docker is installed"
elif ! "$engine" pull -q "$base" >/dev/null 2>&1; then
  reason="$engine cannot pull $base (no container registry reachable)"
elif ! "$engine" run --rm "$base" python -c 'print("ok")' >/dev/null 2>&1; then
  reason="$engine cannot start containers here ($("$engine" run --rm "$base" true 2>&1 | tail -n 1))"
fi
if [ -n "$reason" ]; then
  echo "Not building the image: $reason. Proving its install steps without containers."
  exec deploy/check-install.sh
fi

tag=localhost/boost-peer-networks:check
name="portal-check-$$"
volume="portal-check-$$"
cleanup() {
  "$engine" rm -f "$name" >/dev/null 2>&1 || true
  "$engine" volume rm -f "$volume" >/dev/null 2>&1 || true
}
trap cleanup EXIT

"$engine" build -t "$tag" .
settings=(
  -e "PORTAL_SECRET_KEY=check-image-only-$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"
  -e PORTAL_BASE_URL=http://127.0.0.1:8000
  -e PORTAL_WORKERS=1
  -v "$volume:/var/lib/portal"
)
"$engine" run --rm "${settings[@]}" "$tag" flask --app wsgi portal init
"$engine" run --rm "${settings[@]}" "$tag" flask --app wsgi portal worker --once
"$engine" run -d --name "$name" "${settings[@]}" "$tag" >/dev/null
for _ in $(seq 1 60); do
  if "$engine" exec "$name" python deploy/healthcheck.py; then
    user="$("$engine" exec "$name" id -un)"
    [ "$user" = portal ] || { echo "The image runs as $user, not portal" >&2; exit 1; }
    echo "The image starts, runs as $user and answers /healthz"
    exit 0
  fi
  sleep 1
done
"$engine" logs "$name" >&2
echo "The image did not answer /healthz within a minute" >&2
exit 1
