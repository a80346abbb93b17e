#!/usr/bin/env bash
# The whole suite on SQLite (with the browser journeys) and, when TALENTBANK_TEST_DATABASE_URL is set,
# again on PostgreSQL (without them). The two runs are independent (each its own database, temporary
# folder and ephemeral ports), so they run at once, one per core; each writes its own log, and the logs
# are printed one after the other when both are done. TALENTBANK_TEST_SERIAL=1 runs them one at a time,
# printing as they go. Fails when either run fails.
set -u
BIN=${BIN:-.venv/bin}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

sqlite=(env -u TALENTBANK_TEST_DATABASE_URL "$BIN/pytest" --basetemp "$work/sqlite")
postgres=("$BIN/pytest" -m "not browser" -p no:cacheprovider --basetemp "$work/postgres")

if [ -z "${TALENTBANK_TEST_DATABASE_URL:-}" ]; then
  echo "== the whole suite on SQLite (with the browser journeys)"
  "${sqlite[@]}"
  status=$?
  echo "TALENTBANK_TEST_DATABASE_URL not set: PostgreSQL run skipped"
  exit $status
fi

if [ "${TALENTBANK_TEST_SERIAL:-0}" = 1 ]; then
  echo "== the whole suite on SQLite (with the browser journeys)"
  "${sqlite[@]}"; sqlite_status=$?
  echo "== again on PostgreSQL: $TALENTBANK_TEST_DATABASE_URL"
  "${postgres[@]}"; postgres_status=$?
else
  echo "== the whole suite on SQLite (with the browser journeys) and on PostgreSQL ($TALENTBANK_TEST_DATABASE_URL), at once"
  started=$SECONDS
  "${sqlite[@]}" >"$work/sqlite.log" 2>&1 &
  sqlite_pid=$!
  "${postgres[@]}" >"$work/postgres.log" 2>&1 &
  postgres_pid=$!
  wait $sqlite_pid; sqlite_status=$?
  wait $postgres_pid; postgres_status=$?
  echo "== SQLite (with the browser journeys)"
  cat "$work/sqlite.log"
  echo "== PostgreSQL"
  cat "$work/postgres.log"
  echo "== both runs took $((SECONDS - started)) s"
fi
[ $sqlite_status -eq 0 ] && [ $postgres_status -eq 0 ]
