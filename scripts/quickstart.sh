#!/usr/bin/env bash
# Install Coalition in .venv, create the SQLite database with demo data, and serve it
# at http://127.0.0.1:5000 for a local trial.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install --quiet --upgrade pip
.venv/bin/pip install --quiet -e .
mkdir -p instance
if [ ! -f instance/config.py ]; then
  .venv/bin/python - <<'PY'
import secrets
with open("instance/config.py", "w") as f:
    f.write(f"SECRET_KEY = {secrets.token_hex(32)!r}\n")
    f.write("# A local trial over plain http: no Secure cookies, no HSTS. Remove behind HTTPS.\n")
    f.write("HTTPS = False\n")
PY
fi
.venv/bin/flask --app coalition db upgrade
.venv/bin/flask --app coalition demo
# Requests only queue mail; the sender delivers it (with no MAIL_HOST: prints it here).
# It runs beside the server for the trial and stops with it.
.venv/bin/flask --app coalition send-mail --watch &
sender=$!
trap 'kill "$sender" 2>/dev/null; wait "$sender" 2>/dev/null' EXIT
echo "Serving at http://127.0.0.1:5000 (Ctrl+C stops it)."
.venv/bin/flask --app coalition run --host 127.0.0.1 --port 5000
