#!/usr/bin/env bash
# Installs the Debian packages prefectcore needs to build, test and run. Idempotent: only
# missing packages are installed, and `apt-get update` runs only when something is missing.
# Works as root or through sudo.
set -euo pipefail

packages=(
  g++ make meson ninja-build pkg-config cmake
  libfmt-dev libsimdjson-dev libcpp-httplib-dev libsqlitecpp-dev libsqlite3-dev libpq-dev
  doctest-dev
  postgresql
  python3 python3-jsonschema
  tzdata  # IANA zone files: schedules read /usr/share/zoneinfo (lib/schemas/timezone.cpp)
  clang-format
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "install-deps: missing packages (${missing[*]}) and neither root nor sudo" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
  "${missing[@]}" >/dev/null
