#!/usr/bin/env bash
# requirements.lock: every package of the dependency tree (with the dev extras) pinned,
# made from pyproject.toml by uv. pip installs with it as a constraints file:
#   pip install -c requirements.lock -e '.[dev]'
#
#   bash scripts/lock.sh            # after editing pyproject.toml (other pins are kept)
#   bash scripts/lock.sh --upgrade  # move every pin to the newest release allowed
#   bash scripts/lock.sh --check    # exit 1 when pyproject.toml and the lock disagree (CI)
set -euo pipefail
cd "$(dirname "$0")/.."

UV=${UV:-.venv/bin/uv}
if [ ! -x "$UV" ]; then UV=$(command -v uv || true); fi
if [ -z "$UV" ]; then
  echo "!! uv is missing: .venv/bin/pip install 'uv>=0.13.9,<0.14'" >&2
  exit 2
fi
compile() {
  "$UV" pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
    --quiet --custom-compile-command "bash scripts/lock.sh" "$@"
}

case "${1:-}" in
  --check)
    tmp=$(mktemp)
    trap 'rm -f "$tmp"' EXIT
    cp requirements.lock "$tmp"            # existing pins are the preferences
    compile -o "$tmp"
    if ! diff -u requirements.lock "$tmp"; then
      echo "!! requirements.lock does not match pyproject.toml: run bash scripts/lock.sh" >&2
      exit 1
    fi
    echo "requirements.lock matches pyproject.toml"
    ;;
  --upgrade) compile --upgrade -o requirements.lock ;;
  "") compile -o requirements.lock ;;
  *) echo "usage: bash scripts/lock.sh [--check|--upgrade]" >&2; exit 2 ;;
esac
