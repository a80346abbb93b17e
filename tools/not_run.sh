#!/usr/bin/env bash
# The last line of `make test`: what did not run and why, so a green run without a browser, PostgreSQL or
# npm cannot be taken for a full one. Reads the same conditions the test suite skips on.
chromium=${TALENTBANK_CHROMIUM:-/usr/bin/chromium}
missing=()
[ -x "$chromium" ] || missing+=("browser journeys and their axe-core checks (no Chromium at $chromium)")
if [ -x "$chromium" ] && [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
  missing+=("axe-core checks in the browser journeys (tests/browser/node_modules missing: no npm)")
fi
[ -n "${TALENTBANK_TEST_DATABASE_URL:-}" ] || missing+=("the PostgreSQL half (TALENTBANK_TEST_DATABASE_URL not set)")
{ command -v node >/dev/null && [ -d tests/interop/node_modules/@digitalbazaar/vc ]; } \
  || missing+=("the interop tests with independent verifiers (tests/interop/node_modules missing: no node or npm)")
if [ ${#missing[@]} -eq 0 ]; then
  echo "== complete: SQLite and PostgreSQL, browser journeys with axe-core, interop tests all ran"
else
  joined=$(printf '; %s' "${missing[@]}")
  echo "== NOT RUN: ${joined:2}"
fi
