#!/usr/bin/env bash
# Installs the portal's runtime Python packages (no test, lint or browser tools) into a
# virtual environment, pinned with their hashes by requirements/runtime.txt, and checks the
# result.
#
#   deploy/install.sh VENV
#
# Run from the project folder. The Dockerfile runs it to build the image; .ci/run runs it
# (through deploy/check-install.sh) on every CI run, so the image's install steps are proven
# even where containers cannot run.
set -euo pipefail
venv="${1:?usage: deploy/install.sh VENV}"
cd "$(dirname "$0")/.."

python3 -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
python3 -m venv "$venv"
pip=("$venv/bin/python" -m pip install --quiet --no-cache-dir --disable-pip-version-check)
"${pip[@]}" --require-hashes --no-deps --requirement requirements/runtime.txt
"${pip[@]}" --no-deps --editable .
"$venv/bin/python" -m pip check
# Runtime only: the test and lint tools stay out of production.
if "$venv/bin/python" -c 'import pytest' 2>/dev/null; then
  echo "pytest is installed: the runtime install must not bring development packages" >&2
  exit 1
fi
echo "Installed the portal's runtime packages into $venv"
