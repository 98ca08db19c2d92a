#!/usr/bin/env bash
# Install Coalition with its test dependencies in .venv and run the test suite on SQLite.
# Extra arguments go to pytest (e.g. -m browser, -k collation).
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -e '.[dev]'
exec .venv/bin/python -m pytest "$@"
