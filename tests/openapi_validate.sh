#!/usr/bin/env bash
# Runs an API test binary with exchange recording on, then validates every recorded response
# body against the upstream OpenAPI schemas with ../shared/tools/openapi_check.py.
# Usage: openapi_validate.sh TEST_BINARY CHECKER
set -euo pipefail
binary=$1
checker=$2
if [ ! -f "$checker" ]; then
  echo "SKIPPED: $checker not found (the shared/ folder is not beside the repository)" >&2
  exit 77
fi
python=python3
if ! python3 -c 'import jsonschema' 2>/dev/null; then
  python=/usr/bin/python3
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
PREFECTCORE_EXCHANGES_FILE=$out "$binary" >/dev/null
[ -s "$out" ] || { echo "no exchanges were recorded" >&2; exit 1; }
"$python" "$checker" validate "$out"
