#!/usr/bin/env bash
# Static checks of the whole tree (docs/architecture.md): lint, format, layer contracts, types.
# Usage: scripts/lint.sh            (from anywhere; uses the project's .venv when present)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
[ -x "$BIN/ruff" ] || BIN="$(dirname "$(command -v ruff)")"
PACKAGES=(models domain roadmaps notifications reports jobs tasks flows web cli)
status=0
echo "== ruff check";          "$BIN/ruff" check . || status=1
echo "== ruff format --check"; "$BIN/ruff" format --check . || status=1
echo "== lint-imports";        "$BIN/lint-imports" || status=1
echo "== mypy --strict (packages)";   "$BIN/mypy" --strict "${PACKAGES[@]}" || status=1
echo "== mypy --strict (tests)";      "$BIN/mypy" --strict tests || status=1
echo "== mypy --strict (benchmarks)"; "$BIN/mypy" --strict --explicit-package-bases benchmarks || status=1
exit "$status"
