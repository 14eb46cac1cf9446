#!/usr/bin/env bash
# The README's test command: a venv, the project with its dev extras pinned by
# requirements.lock, Debian's Chromium for the browser tests, then the whole suite
# on SQLite AND PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -c requirements.lock -e '.[dev]'

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing Debian chromium for the browser tests"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "!! /usr/bin/chromium is missing: install Debian's 'chromium' package (browser tests need it)" >&2
  fi
fi

# In CI an unreachable PostgreSQL is a failure, not a skip.
if [ "${CI:-}" = "true" ]; then
  export SOCZAKAZ_REQUIRE_POSTGRES=1
fi

exec .venv/bin/pytest "$@"
