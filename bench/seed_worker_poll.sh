#!/usr/bin/env bash
# bench/seed_worker_poll.sh URL DB: prepares the worker-poll scenario on a running SQLite
# prefect-server: creates the pool "bench-workers" through the API, then inserts a flow and
# 10,000 SCHEDULED runs in its default queue, one second apart starting 10 minutes from now
# (so a 10 s prefetch finds none due: the idle-worker poll), straight into DB (the server's
# prefect.db; WAL lets both write). Loopback URLs only.
set -euo pipefail
url=$1
db=$2
case "$url" in
  http://127.0.0.1:*|http://localhost:*) ;;
  *) echo "seed_worker_poll.sh: loopback URLs only" >&2; exit 2 ;;
esac
curl -sf -o /dev/null -X POST "$url/api/work_pools/" -H 'Content-Type: application/json' \
  -d '{"name":"bench-workers","type":"process"}'
sqlite3 "$db" <<'SQL'
PRAGMA busy_timeout = 10000;
BEGIN IMMEDIATE;
INSERT INTO flow (id, name) VALUES ('00000000-0000-4000-8000-00000000b0b0', 'bench-worker-flow')
  ON CONFLICT (name) DO NOTHING;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 9999)
INSERT INTO flow_run (id, name, flow_id, state_type, state_name, expected_start_time,
                      next_scheduled_start_time, work_queue_id, empirical_policy)
SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' ||
             substr(hex(randomblob(2)), 2) || '-a' || substr(hex(randomblob(2)), 2) || '-' ||
             hex(randomblob(6))),
       'bench-run-' || i, (SELECT id FROM flow WHERE name = 'bench-worker-flow'),
       'SCHEDULED', 'Scheduled',
       strftime('%Y-%m-%dT%H:%M:%S.000000Z', 'now', '+' || (600 + i) || ' seconds'),
       strftime('%Y-%m-%dT%H:%M:%S.000000Z', 'now', '+' || (600 + i) || ' seconds'),
       (SELECT default_queue_id FROM work_pool WHERE name = 'bench-workers'), '{}'
FROM n;
COMMIT;
SQL
echo "seeded 10000 scheduled runs into bench-workers"
