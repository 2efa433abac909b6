#!/usr/bin/env bash
# Ring recovery on the simulated world: imports a world into a data directory, starts the server,
# lists GET /v1/graph/rings and scores it against the planted rings and look-alikes
# (truth/fraud_rings.jsonl, truth/lookalikes.jsonl).
# Usage: USERS=20000 bench/graph_rings.sh [finbrain binary]
set -euo pipefail

BIN=$(realpath "${1:-build/release/apps/finbrain/finbrain}")
USERS=${USERS:-20000}
DAYS=${DAYS:-365}
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
SERVER_PID=
trap 'kill $SERVER_PID 2>/dev/null || true; wait 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
source "$HERE/lib.sh"
cd "$WORK"

echo "== world: $USERS users, $DAYS days"
"$BIN" simulate --users "$USERS" --days "$DAYS" --seed 7 --out world >/dev/null 2>&1
start_server "$BIN" "$WORK/data"
T=(--url "$URL" --api-key "$KEY")
/usr/bin/time -f "import: %e s" "$BIN" import world/events "${T[@]}" 2>&1 | tail -2
curl -s -H "Authorization: Bearer $KEY" "$URL/v1/graph/rings?limit=10000" > rings.json
python3 "$HERE/graph_rings_score.py" rings.json world/truth
