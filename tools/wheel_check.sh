#!/usr/bin/env bash
# Build talentbank's sdist and wheel, install the wheel into a fresh virtual environment outside the checkout, set
# it up and serve it from a scratch folder, and fetch pages: proves the wheel carries the templates, migrations
# and alembic.ini (setup.py bundles them) and needs no checkout. Run by `make test` and `make wheel-check`.
#   PYTHON   interpreter that builds (needs the `build` package; default .venv/bin/python)
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-.venv/bin/python}
work=$(mktemp -d "${TMPDIR:-/tmp}/talentbank-wheel.XXXXXX")
server=""
cleanup() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "wheel check FAILED: $*" >&2
  exit 1
}

echo "== building the sdist, and the wheel from it, into $work/dist"
if ! "$python" -m build --outdir "$work/dist" . >"$work/build.log" 2>&1; then
  cat "$work/build.log" >&2
  fail "the build failed"
fi
if grep -E "DeprecationWarning|BuildBackendWarning" "$work/build.log" >&2; then
  fail "the build warns (above); setup.cfg or setup.py uses something setuptools deprecates"
fi
wheel=$(ls "$work"/dist/talentbank-*.whl)
for member in talentbank/_bundled/templates/base.html talentbank/_bundled/migrations/env.py \
  talentbank/_bundled/migrations/script.py.mako talentbank/_bundled/alembic.ini; do
  "$python" -c 'import sys, zipfile; sys.exit(sys.argv[2] not in zipfile.ZipFile(sys.argv[1]).namelist())' \
    "$wheel" "$member" || fail "$member is not in $(basename "$wheel")"
done
echo "   $(basename "$wheel") holds the templates, migrations and alembic.ini"

echo "== installing it into a fresh virtual environment, $work/venv"
# The checkout's pip installs into it (--python): quicker than bootstrapping a pip of its own. No byte-compiling
# either: half of the install's time, and Python compiles what it imports anyway.
"$python" -m venv --without-pip "$work/venv"
"$python" -m pip --python "$work/venv/bin/python" install --quiet --disable-pip-version-check --no-compile "$wheel"

# From here on nothing may come from the checkout: run in a scratch folder with none of the caller's settings.
site="$work/site"
mkdir "$site"
cd "$site"
unset PYTHONPATH FLASK_APP
while read -r name; do unset "$name"; done < <(compgen -e | grep '^TALENTBANK_' || true)
py="$work/venv/bin/python"
root=$("$py" -c 'from talentbank import config; print(config.PROJECT_ROOT)')
case "$root" in
  "$work"/venv/*/site-packages/talentbank/_bundled) echo "   templates and migrations come from $root" ;;
  *) fail "the installed talentbank reads its templates from $root, not from the wheel" ;;
esac

echo "== talentbank setup --no-demo in $site (the instance folder defaults to ./instance)"
"$work/venv/bin/talentbank" setup --no-demo
[ -f "$site/instance/talentbank.db" ] || fail "no database at $site/instance/talentbank.db"

port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "== gunicorn 'talentbank:create_app()' on http://127.0.0.1:$port (as the README serves a wheel install)"
"$work/venv/bin/gunicorn" --workers 1 --bind "127.0.0.1:$port" 'talentbank:create_app()' >"$work/server.log" 2>&1 &
server=$!
# Wait for the server, then GET each page in Japanese: it must answer 200 and contain the text.
"$py" - "http://127.0.0.1:$port" "$server" <<'PY' || { cat "$work/server.log" >&2; fail "the served pages (above)"; }
import os
import sys
import time
import urllib.request

base, server = sys.argv[1], int(sys.argv[2])
PAGES = [
    ("/", "北海道のデジタル人材と、地域の課題をつなぐ。"),  # templates/main/index.html
    ("/municipalities", "北海道の179市町村"),  # templates/reference/municipalities.html
    ("/municipalities", "音威子府村"),  # reference data that `setup` loaded
    ("/static/css/site.css", "{"),
]


def get(path: str) -> tuple[int, str]:
    request = urllib.request.Request(base + path, headers={"Accept-Language": "ja"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read().decode("utf-8")


for _ in range(200):
    os.kill(server, 0)  # raises when the server has exited
    try:
        get("/healthz")
        break
    except OSError:
        time.sleep(0.1)
for path, text in PAGES:
    status, body = get(path)
    if status != 200 or text not in body:
        sys.exit(f"GET {path}: status {status}, {text!r} {'found' if text in body else 'missing'}")
    print(f"   GET {path}: 200, has {text!r}")
PY
echo "== wheel check passed in ${SECONDS}s"
