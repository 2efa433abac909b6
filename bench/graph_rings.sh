#!/usr/bin/env bash
# Ring recovery on the simulated world: imports a world into a data directory, starts the server,
# lists GET /v1/graph/rings and scores it against the planted rings and look-alikes
# (truth/fraud_rings.jsonl, truth/lookalikes.jsonl); then blacklists half of each planted ring's
# members, runs POST /v1/graph/analyze with greylisting at THRESHOLD and scores what it greylists.
# Usage: USERS=20000 THRESHOLD=0.05 bench/graph_rings.sh [finbrain binary]
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

echo "== risk propagation: half of each planted ring's members confirmed (blacklisted)"
python3 - world/truth > seeds.txt <<'PY'
import json, sys
for line in open(f"{sys.argv[1]}/fraud_rings.jsonl"):
    members = json.loads(line)["members"]
    for u in members[: (len(members) + 1) // 2]:
        print(u)
PY
while read -r user; do
  curl -s -o /dev/null -X PUT -H "Authorization: Bearer $KEY" -d '{"reason":"confirmed fraud"}' \
    "$URL/v1/lists/blacklist/user/$user"
done < seeds.txt
curl -s -X POST -H "Authorization: Bearer $KEY" \
  -d "{\"greylist_threshold\": ${THRESHOLD:-0.05}, \"greylist_types\": [\"user\"]}" \
  "$URL/v1/graph/analyze" > analyze.json
python3 "$HERE/graph_propagation_score.py" analyze.json seeds.txt world/truth
