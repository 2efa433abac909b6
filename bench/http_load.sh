#!/usr/bin/env bash
# HTTP load benchmark with wrk over loopback. Prints requests/s and latency percentiles for:
#   healthz      GET /healthz                                   (baseline, same run)
#   list_lookup  GET /v1/lists/blacklist/ip/{value} (API key auth, RocksDB read)
#   list_write   PUT /v1/lists/blacklist/ip/{value} (API key auth, durable group-committed write)
# Usage: bench/http_load.sh [path/to/finbrain] [seconds per run]
set -euo pipefail

BIN=${1:-build/release/apps/finbrain/finbrain}
SECONDS_PER_RUN=${2:-10}
CONNECTIONS=${CONNECTIONS:-10}
WRK_THREADS=${WRK_THREADS:-1}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
trap 'kill $SERVER_PID 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT

command -v wrk >/dev/null || { echo "wrk is missing: run scripts/setup" >&2; exit 1; }
source "$HERE/lib.sh"
start_server "$BIN" "$WORK/data"
curl -sf -XPUT -H "Authorization: Bearer $KEY" "$URL/v1/lists/blacklist/ip/10.1.2.3" \
  -d '{"reason":"bench"}' >/dev/null

# run NAME SCRIPT PATH: one wrk run; prints "NAME rps p50 p99".
run() {
  local name=$1 script=$2 path=$3
  API_KEY=$KEY wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency \
    -s "$HERE/$script" "$URL$path" > "$WORK/$name.txt"
  awk -v name="$name" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx/ { errors = $NF }
    END { printf "%-12s %10.0f %9.3f %9.3f %s\n", name, rps, p50, p99, (errors ? "non-2xx=" errors : "") }
  ' "$WORK/$name.txt"
}

echo "finbrain HTTP load: $CONNECTIONS connections, $WRK_THREADS wrk threads, ${SECONDS_PER_RUN}s per run, $(nproc) cores"
printf "%-12s %10s %9s %9s\n" "route" "req/s" "p50(ms)" "p99(ms)"
run healthz wrk_get.lua /healthz | tee "$WORK/r1"
run list_lookup wrk_get.lua /v1/lists/blacklist/ip/10.1.2.3 | tee "$WORK/r2"
run list_write wrk_put.lua /v1/lists/blacklist/ip/ | tee "$WORK/r3"
awk 'NR==FNR { base = $2; next } { printf "list_lookup / healthz = %.2f\n", $2 / base }' "$WORK/r1" "$WORK/r2"
curl -s "$URL/metrics" | grep -E '^finbrain_storage_(wal_syncs|commit_groups)_total' || true
