#!/usr/bin/env bash
# Builds everything twice (release with -Werror, and debug with ASan+UBSan), starts a
# throwaway PostgreSQL, runs every suite in both builds on both backends, and ends with one
# line `N passed, N failed` counting test cases across all suites.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh

if ! clang-format --dry-run --Werror $(git ls-files '*.cpp' '*.h') 2>/tmp/prefectcore-format.log; then
  cat /tmp/prefectcore-format.log >&2
  echo "0 passed, 1 failed"
  exit 1
fi

[ -f build/build.ninja ] || meson setup build --buildtype=release -Dwerror=true >/dev/null
[ -f build-asan/build.ninja ] || meson setup build-asan --buildtype=debug -Dwerror=true \
  -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
ninja -C build
ninja -C build-asan

# A real PostgreSQL for the storage suites; stopped on exit whatever happens.
eval "$(./scripts/pg-test.sh start)"
trap './scripts/pg-test.sh stop' EXIT

status=0
meson test -C build --print-errorlogs --num-processes 2 || status=1
meson test -C build-asan --print-errorlogs --num-processes 2 --timeout-multiplier 3 || status=1
python3 scripts/test-summary.py build/meson-logs/testlog.json build-asan/meson-logs/testlog.json || status=1
exit $status
