#!/usr/bin/env bash
# Simulator and import throughput. Prints events/s for:
#   simulate     finbrain simulate, pinned to one core
#   import_dir   finbrain import into a data directory (durable, batched syncs), pinned to one core
#   import_http  finbrain import into a running server over HTTP (server and importer share 2 cores)
# Usage: bench/ingest.sh [path/to/finbrain] [users] [days]
set -euo pipefail

BIN=${1:-build/release/apps/finbrain/finbrain}
USERS=${2:-100000}
DAYS=${3:-365}
WORK=$(mktemp -d)
trap 'kill $SERVER_PID 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
SERVER_PID=

rate() { sed -n 's/.*(\([0-9]*\) events\/s).*/\1/p' | tail -1; }

echo "finbrain ingest benchmark: $USERS users, $DAYS days, $(nproc) cores"
sim=$(taskset -c 0 "$BIN" simulate --users "$USERS" --days "$DAYS" --seed 1 --out "$WORK/world" 2>&1)
echo "$sim" | grep '^wrote'
printf "%-12s %12s events/s\n" simulate "$(echo "$sim" | rate)"

"$BIN" tenant create bench --data-dir "$WORK/dir" >/dev/null
dir=$(taskset -c 0 "$BIN" import "$WORK/world" --data-dir "$WORK/dir" --tenant bench 2>&1)
echo "$dir" | grep '^imported'
printf "%-12s %12s events/s\n" import_dir "$(echo "$dir" | rate)"

source "$(dirname "$0")/lib.sh"
start_server "$BIN" "$WORK/server"
http=$("$BIN" import "$WORK/world" --url "$URL" --api-key "$KEY" 2>&1)
echo "$http" | grep '^imported'
printf "%-12s %12s events/s\n" import_http "$(echo "$http" | rate)"
