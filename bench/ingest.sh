#!/usr/bin/env bash
# Simulator, import and restart. Prints events/s for:
#   simulate       finbrain simulate, pinned to one core
#   import_dir     finbrain import into a data directory (durable, batched syncs), pinned to one
#                  core, with every consumer (windows, graph, devices, behaviour, accounts) and
#                  their snapshots written
#   import_dir_2c  the same on both cores
#   import_http    finbrain import into a running server over HTTP (server and importer share 2
#                  cores)
# and seconds from `finbrain serve` to "listening" on the imported data directory:
#   restart_snapshots  with the snapshots the import left (the log after them replayed)
#   restart_replay     without them (the whole log replayed into graph, devices and behaviour)
# Usage: bench/ingest.sh [path/to/finbrain] [users] [days]
set -euo pipefail

BIN=${1:-build/release/apps/finbrain/finbrain}
USERS=${2:-100000}
DAYS=${3:-365}
WORK=$(mktemp -d)
trap 'kill $SERVER_PID 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
SERVER_PID=

rate() { sed -n 's/.*(\([0-9]*\) events\/s).*/\1/p' | tail -1; }

# import_into DIR [taskset prefix...]: imports the world into a fresh data directory.
import_into() {
  local dir=$1
  shift
  "$BIN" tenant create bench --data-dir "$dir" >/dev/null
  "$@" "$BIN" import "$WORK/world" --data-dir "$dir" --tenant bench 2>&1
}

# seconds_to_listening DIR: starts `finbrain serve` on DIR, stops it once it listens.
seconds_to_listening() {
  local dir=$1 start end pid
  start=$(date +%s.%N)
  "$BIN" serve --data-dir "$dir" --listen 127.0.0.1:0 > "$WORK/serve.out" 2>&1 &
  pid=$!
  until grep -q 'listening on' "$WORK/serve.out"; do
    kill -0 $pid 2>/dev/null || { cat "$WORK/serve.out" >&2; return 1; }
    sleep 0.02
  done
  end=$(date +%s.%N)
  kill -TERM $pid
  wait $pid || true
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }'
}

echo "finbrain ingest benchmark: $USERS users, $DAYS days, $(nproc) cores"
sim=$(taskset -c 0 "$BIN" simulate --users "$USERS" --days "$DAYS" --seed 1 --out "$WORK/world" 2>&1)
echo "$sim" | grep '^wrote'
printf "%-18s %12s events/s\n" simulate "$(echo "$sim" | rate)"

dir=$(import_into "$WORK/dir" taskset -c 0)
echo "$dir" | grep '^imported'
printf "%-18s %12s events/s\n" import_dir "$(echo "$dir" | rate)"
printf "%-18s %12s s\n" restart_snapshots "$(seconds_to_listening "$WORK/dir")"
rm -rf "$WORK/dir/snapshots"
printf "%-18s %12s s\n" restart_replay "$(seconds_to_listening "$WORK/dir")"
rm -rf "$WORK/dir"

dir2=$(import_into "$WORK/dir2")
printf "%-18s %12s events/s\n" import_dir_2c "$(echo "$dir2" | rate)"
rm -rf "$WORK/dir2"

source "$(dirname "$0")/lib.sh"
start_server "$BIN" "$WORK/server"
http=$("$BIN" import "$WORK/world" --url "$URL" --api-key "$KEY" 2>&1)
echo "$http" | grep '^imported'
printf "%-18s %12s events/s\n" import_http "$(echo "$http" | rate)"
