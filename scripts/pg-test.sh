#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the storage suites.
#
#   eval "$(scripts/pg-test.sh start)"   # prints `export PREFECTCORE_TEST_POSTGRES_URL=...`
#   scripts/pg-test.sh stop              # stops the cluster and removes its directory
#
# The cluster lives in a fresh mktemp directory, listens on 127.0.0.1 only (trust auth) on a
# free port, and keeps its unix socket inside that directory, so it never touches a system
# cluster. Its directory and port are kept in a state file (default .pgtest/state in the
# repository, gitignored; PREFECTCORE_PGTEST_STATE overrides it so that several users of one
# working tree do not share a cluster). `start` while a cluster from the state file still runs
# prints its URL again; `stop` without one does nothing. Only the export line goes to stdout.
set -euo pipefail
cd "$(dirname "$0")/.."

state_file="${PREFECTCORE_PGTEST_STATE:-.pgtest/state}"
db_name=prefectcore_test

log() { echo "pg-test: $*" >&2; }

find_bindir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$dir" ] && command -v pg_config >/dev/null 2>&1; then
    dir=$(pg_config --bindir)
  fi
  if [ -z "$dir" ] || [ ! -x "$dir/initdb" ]; then
    log "no PostgreSQL server binaries found (install the postgresql package)"
    exit 1
  fi
  echo "$dir"
}

# initdb and postgres refuse to run as root: run them as the `postgres` user then.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

print_url() {
  echo "export PREFECTCORE_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:$1/$db_name"
}

read_state() {
  dir="" port=""
  [ -f "$state_file" ] || return 1
  dir=$(sed -n 's/^dir=//p' "$state_file")
  port=$(sed -n 's/^port=//p' "$state_file")
  [ -n "$dir" ] && [ -n "$port" ]
}

running() {
  [ -d "$1/data" ] && as_owner "$bindir/pg_ctl" -D "$1/data" status >/dev/null 2>&1
}

start() {
  if read_state && running "$dir"; then
    log "reusing the running cluster in $dir"
    print_url "$port"
    return 0
  fi
  if [ -n "${dir:-}" ]; then
    stop
  fi
  dir=$(mktemp -d -t prefectcore-pg.XXXXXXXX)
  chmod 755 "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$dir"
  fi
  as_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust --no-sync \
    --encoding=UTF8 --locale=C >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    rm -rf "$dir"
    exit 1
  }
  # Trust, but only over the socket in $dir and from 127.0.0.1.
  as_owner sh -c "printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' \
    >'$dir/data/pg_hba.conf'"
  local attempt
  for attempt in 1 2 3; do
    port=$(free_port)
    # A throwaway cluster: durability settings off for speed.
    if as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off \
          -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
      start >/dev/null; then
      break
    fi
    log "start on port $port failed (attempt $attempt)"
    port=""
  done
  if [ -z "$port" ]; then
    cat "$dir/server.log" >&2 || true
    rm -rf "$dir"
    exit 1
  fi
  mkdir -p "$(dirname "$state_file")"
  printf 'dir=%s\nport=%s\n' "$dir" "$port" >"$state_file"
  "$bindir/createdb" -h 127.0.0.1 -p "$port" -U postgres "$db_name"
  log "started PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') in $dir on port $port"
  print_url "$port"
}

stop() {
  if ! read_state; then
    return 0
  fi
  if running "$dir"; then
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
  fi
  case "$dir" in
    */prefectcore-pg.*) rm -rf "$dir" ;;
    *) log "not removing unexpected directory $dir" ;;
  esac
  rm -f "$state_file"
  log "stopped"
}

bindir=$(find_bindir)
case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
