#!/usr/bin/env bash
# bench/run.sh: build the benchmark tools (release, build dir build-bench), start a server on a
# free loopback port, run one scenario K times against it, and report the median and min/max of
# requests/s and p99 latency plus the server's peak RSS. Loopback only; every run is bounded
# by prefect-bench's own deadline and by `timeout`, and the server started here is stopped on
# exit. The last line printed is one JSON object with the summary.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: bench/run.sh [options] [-- extra server arguments]
  --server raw-httplib|prefect  server to start (default raw-httplib)
  --scenario NAME               prefect-bench scenario (default health)
  --connections N               keep-alive connections (default 32)
  --threads N                   client threads (default 1)
  --duration S                  measured seconds per run (default 10)
  --warmup S                    warmup seconds per run (default 2)
  --runs K                      runs against the same server process (default 5)
  --label TEXT                  label stored in the JSON lines
  --max-other-cores C           discard and repeat runs during which other processes used
                                more than C cores (shared machines; at most 2*K attempts)
  --no-build                    do not run meson/ninja first
Examples:
  bench/run.sh
  bench/run.sh --label nodelay-off -- --no-nodelay
  bench/run.sh --server prefect --scenario health
EOF
}

server=raw-httplib scenario=health connections=32 threads=1 duration=10 warmup=2 runs=5
label="" build=1 max_other=""
server_args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --server) server=$2; shift 2 ;;
    --scenario) scenario=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --warmup) warmup=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --label) label=$2; shift 2 ;;
    --max-other-cores) max_other=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --) shift; server_args=("$@"); break ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done
[[ "$runs" =~ ^[0-9]+$ ]] && ((runs >= 1 && runs <= 51)) || { echo "run.sh: --runs 1..51" >&2; exit 2; }
command -v jq >/dev/null || { echo "run.sh: needs jq (apt-get install jq)" >&2; exit 2; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
builddir="$root/build-bench"
bench="$builddir/bench/prefect-bench"
case "$server" in
  raw-httplib) server_bin="$builddir/bench/raw-httplib-server"; target=bench/raw-httplib-server ;;
  prefect) server_bin="$builddir/apps/server/prefect-server"; target=apps/server/prefect-server ;;
  *) echo "run.sh: --server raw-httplib|prefect" >&2; exit 2 ;;
esac

if ((build)); then
  if [[ ! -f "$builddir/build.ninja" ]]; then
    meson setup "$builddir" "$root" -Dbuildtype=release >/dev/null
  fi
  buildtype=$(meson introspect "$builddir" --buildoptions | jq -r '.[] | select(.name=="buildtype") | .value')
  if [[ "$buildtype" != release ]]; then
    echo "run.sh: $builddir is a '$buildtype' build; measure with -Dbuildtype=release" >&2
    exit 2
  fi
  if ! build_log=$(ninja -C "$builddir" bench/prefect-bench "$target" 2>&1); then
    echo "$build_log" | tail -n 30 >&2
    echo "run.sh: build failed" >&2
    exit 1
  fi
fi
if [[ "$server" == prefect ]] && ! "$server_bin" --help 2>&1 | grep -q -- '--port'; then
  echo "run.sh: $server_bin has no --port flag yet (transport not landed); cannot benchmark it" >&2
  exit 3
fi

tmp=$(mktemp -d)
server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT

port=$("$bench" --free-port)
# PREFECT_HOME keeps prefect-server's state (database, settings) in a throwaway directory.
PREFECT_HOME="$tmp/prefect-home" "$server_bin" --port "$port" ${server_args[@]+"${server_args[@]}"} \
  >"$tmp/server.log" 2>&1 &
server_pid=$!
ready=0
for _ in $(seq 150); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "run.sh: server exited during startup:" >&2; cat "$tmp/server.log" >&2; exit 1
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then ready=1; break; fi
  sleep 0.1
done
((ready)) || { echo "run.sh: server not listening on $port after 15 s" >&2; exit 1; }

limit=$(awk -v d="$duration" -v w="$warmup" 'BEGIN { print int(d + w + 30) }')
echo "server: $server (pid $server_pid, port $port) ${server_args[*]+${server_args[*]}}"
echo "load:   $scenario, $connections connections, $threads client thread(s), ${duration}s x $runs after ${warmup}s warmup"
# On a shared machine other processes steal CPU from the server; with --max-other-cores a run
# during which they used more than that many cores is discarded and repeated (at most
# 2*K attempts in all), and the discarded count is reported.
kept=0 attempt=0 discarded=0
while ((kept < runs && attempt < 2 * runs)); do
  attempt=$((attempt + 1))
  timeout "$limit" "$bench" --url "http://127.0.0.1:$port" --scenario "$scenario" \
    --connections "$connections" --threads "$threads" --duration "$duration" --warmup "$warmup" \
    --server-pid "$server_pid" --label "${label:-$server}" >"$tmp/run$attempt.txt" || true
  line=$(tail -n 1 "$tmp/run$attempt.txt")
  if ! jq -e . >/dev/null 2>&1 <<<"$line"; then
    echo "run $attempt: prefect-bench failed:" >&2; cat "$tmp/run$attempt.txt" >&2; exit 1
  fi
  verdict=kept
  if [[ -n "$max_other" ]] && jq -e --argjson m "$max_other" '.other_cpu_cores > $m' >/dev/null <<<"$line"; then
    verdict=discarded discarded=$((discarded + 1))
  else
    kept=$((kept + 1))
    echo "$line" >>"$tmp/results.jsonl"
  fi
  jq -r --arg k "$attempt" --arg v "$verdict" '"run \($k) (\($v)): \(.rps) req/s  p50 \(.p50_us) us  p99 \(.p99_us) us  max \(.max_us) us  non-2xx \(.non_2xx)  errors \(.errors)  server CPU \(.server_cpu_us_per_req) us/req  other CPU \(.other_cpu_cores) cores"' <<<"$line"
done
((kept > 0)) || { echo "run.sh: every run was discarded (machine too busy)" >&2; exit 1; }

summary=$(jq -s -c --arg server "$server" --argjson discarded "$discarded" --argjson args "$(printf '%s\n' ${server_args[@]+"${server_args[@]}"} | jq -R . | jq -s -c 'map(select(length > 0))')" '
  def median: sort | if length % 2 == 1 then .[length / 2 | floor]
                     else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  { server: $server, server_args: $args, scenario: .[0].scenario, label: .[0].label,
    connections: .[0].connections, threads: .[0].threads, duration_s: .[0].duration_s,
    runs: length, discarded_runs: $discarded,
    rps_median: (map(.rps) | median), rps_min: (map(.rps) | min), rps_max: (map(.rps) | max),
    p50_us_median: (map(.p50_us) | median),
    p99_us_median: (map(.p99_us) | median), p99_us_min: (map(.p99_us) | min),
    p99_us_max: (map(.p99_us) | max), max_us: (map(.max_us) | max),
    non_2xx: (map(.non_2xx) | add), errors: (map(.errors) | add),
    peak_rss_kib: (map(.peak_rss_kib) | max),
    server_cpu_us_per_req_median: (map(.server_cpu_us_per_req) | median),
    client_cpu_s_median: (map(.client_cpu_s) | median),
    other_cpu_cores: map(.other_cpu_cores) }' "$tmp/results.jsonl")
jq -r '"median \(.rps_median) req/s (min \(.rps_min), max \(.rps_max)); p99 median \(.p99_us_median) us (min \(.p99_us_min), max \(.p99_us_max)); p50 median \(.p50_us_median) us; non-2xx \(.non_2xx); errors \(.errors); server peak RSS \(.peak_rss_kib) KiB; server CPU \(.server_cpu_us_per_req_median) us/request; other processes \(.other_cpu_cores) cores"' <<<"$summary"
echo "$summary"
