#!/usr/bin/env bash
# The interface's message catalogues (coalition/locale), with Babel's pybabel:
#   bash scripts/i18n.sh extract        templates and code -> coalition/locale/messages.pot
#   bash scripts/i18n.sh update         merge the .pot into every language's messages.po
#   bash scripts/i18n.sh compile        messages.po -> messages.mo (git-ignored)
#   bash scripts/i18n.sh init LANG      start a new language
# An install compiles the catalogues by itself (hatch_build.py); so does the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
PYBABEL=".venv/bin/pybabel"
[ -x "$PYBABEL" ] || PYBABEL="pybabel"
LOCALE_DIR="coalition/locale"
POT="$LOCALE_DIR/messages.pot"

case "${1:-}" in
  extract)
    # _ / gettext / ngettext / lazy_gettext: Flask-Babel. The DomainError kinds: their
    # first argument is the message a person may see (literal ones only; f-strings with
    # values stay English), translated where views show it.
    "$PYBABEL" -q extract -F babel.cfg --no-location --sort-output \
      --project=Coalition --copyright-holder="Coalition contributors" \
      --msgid-bugs-address="" --width=100 \
      -k _l -k lazy_gettext -k lazy_ngettext:1,2 \
      -k DomainError -k ValidationError -k NotFound -k PermissionDenied -k Conflict \
      -k TransitionNotAllowed -k say -k say_plural:1,2 \
      -o "$POT" .
    ;;
  update)
    "$PYBABEL" -q update -i "$POT" -d "$LOCALE_DIR" --width=100 --ignore-obsolete \
      --no-fuzzy-matching
    ;;
  compile)
    "$PYBABEL" compile --statistics -d "$LOCALE_DIR"
    ;;
  init)
    "$PYBABEL" init -i "$POT" -d "$LOCALE_DIR" -l "${2:?language tag, e.g. de}" --width=100
    ;;
  *)
    sed -n 2,7p "$0"
    exit 2
    ;;
esac
