#!/usr/bin/env bash
# Builds prefect-server (release) and starts it on its embedded default: SQLite under
# $PREFECT_HOME (default ~/.prefect/prefect.db), listening on 127.0.0.1:4200.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
[ -f build/build.ninja ] || meson setup build --buildtype=release >/dev/null
ninja -C build apps/server/prefect-server >/dev/null
exec ./build/apps/server/prefect-server "$@"
