#!/usr/bin/env bash
# Install everything, then run the whole check: lint, types, layer contracts, all tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/.venv/bin:$PATH"
echo "== ruff";          ruff check src tests benchmarks
echo "== mypy --strict"; mypy
echo "== import-linter"; lint-imports
echo "== pytest"
set +e
pytest "$@"
rc=$?
set -e
if [ "$rc" -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi
exit "$rc"
