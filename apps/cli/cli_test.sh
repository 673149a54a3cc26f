#!/usr/bin/env bash
# Runs the prefectcore CLI binary ($1) through its commands and checks exit codes and output.
# $2 is "storage" when the binary has a storage backend (then the database commands run on
# a SQLite file in a fresh temporary directory).
set -u
cli="$1"
storage="${2:-no-storage}"
failures=0
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# expect CODE DESCRIPTION -- command...: runs the command, keeps stdout/stderr in $out/$err.
expect() {
  local want="$1" what="$2"
  shift 3
  "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  out="$(cat "$tmp/out")"
  err="$(cat "$tmp/err")"
  if [ "$got" -ne "$want" ]; then
    echo "FAIL: $what: exit $got, expected $want"
    echo "  stdout: $out"
    echo "  stderr: $err"
    failures=$((failures + 1))
  fi
}

# contains DESCRIPTION HAYSTACK NEEDLE
contains() {
  case "$2" in
    *"$3"*) ;;
    *) echo "FAIL: $1: '$3' not in: $2"; failures=$((failures + 1)) ;;
  esac
}

expect 0 "--help" -- "$cli" --help
contains "--help lists commands" "$out" "database upgrade"

expect 0 "version" -- "$cli" version
contains "version names prefectcore" "$out" "prefectcore "
contains "version names the API version" "$out" "API version: 0.8.4"
contains "version names the Prefect version" "$out" "Compatible Prefect version: 3."

expect 2 "no command" -- "$cli"
contains "no command prints usage on stderr" "$err" "usage: prefectcore"
expect 2 "unknown command" -- "$cli" frobnicate
contains "unknown command is named" "$err" "frobnicate"
expect 2 "unknown flag" -- "$cli" --frobnicate
expect 2 "unknown database command" -- "$cli" database vacuum
expect 2 "health without a URL" -- "$cli" health
expect 2 "health with a bad URL" -- "$cli" health ftp://x
expect 2 "database reset without --yes" -- "$cli" database reset
contains "reset refusal says why" "$err" "--yes"

# Nothing listens on port 1: an unreachable server is exit 1 with a message.
expect 1 "health of an unreachable server" -- "$cli" health --timeout 2 http://127.0.0.1:1/api
contains "unreachable is reported" "$err" "unreachable"

if [ "$storage" = "storage" ]; then
  export PREFECT_SERVER_DATABASE_CONNECTION_URL="sqlite:///$tmp/cli.db"
  expect 0 "database status on an empty database" -- "$cli" database status
  contains "empty database is version 0" "$out" "schema version: 0"
  expect 0 "database upgrade" -- "$cli" database upgrade
  contains "upgrade leaves nothing pending" "$out" "pending migrations: 0"
  expect 0 "database status after upgrade" -- "$cli" database status
  contains "status lists applied migrations" "$out" "0001"
  expect 0 "database reset --yes" -- "$cli" database reset --yes
  contains "reset re-creates the schema" "$out" "pending migrations: 0"
  PREFECT_SERVER_API_PORT=nope expect 2 "invalid settings" -- "$cli" database status
  contains "invalid settings name the variable" "$err" "PREFECT_SERVER_API_PORT"
else
  echo "SKIP: database commands (built without a storage backend)"
fi

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all CLI checks passed"
