#!/usr/bin/env bash
# Lift from graph features in the credit model: the same applications, the same folds, with and
# without the graph.* columns (point in time, `features backfill --graph`). Reports 5-fold CV AUC
# for default (the credit model's target) and for fraud (ring and farm applications), GBDT.
# Usage: USERS=20000 bench/graph_lift.sh [finbrain binary]
set -euo pipefail

BIN=$(realpath "${1:-build/release/apps/finbrain/finbrain}")
USERS=${USERS:-20000}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
WORK=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
cd "$WORK"

echo "== world: $USERS users, 365 days"
"$BIN" simulate --users "$USERS" --days 365 --seed 11 --out world >/dev/null 2>&1
"$BIN" events to-csv --events world/events/credit_application.jsonl \
  --join world/truth/applications.jsonl --on application_id --take defaulted,fraud \
  --out apps.csv 2>/dev/null
"$BIN" features backfill --features "$ROOT/strategies/credit_features.yaml" --events world/events \
  --data apps.csv --out with_graph.csv --graph 2>/dev/null
# The same table without the graph columns.
python3 - <<'PY'
import csv
with open("with_graph.csv") as f, open("without_graph.csv", "w", newline="") as g:
    r = csv.reader(f); w = csv.writer(g)
    header = next(r); keep = [i for i, c in enumerate(header) if not c.startswith("graph_")]
    w.writerow([header[i] for i in keep])
    for row in r: w.writerow([row[i] for i in keep])
PY
spec() {  # the other label must not be an input
  cat <<YAML
ignore: [event_id, event_type, schema_version, occurred_at, application_id, user_id, employer,
         phone, id_number, address, device_id, ip, $1]
gbdt: {max_depth: 4, learning_rate: 0.05}
YAML
}
spec fraud > spec_defaulted.yaml
spec defaulted > spec_fraud.yaml
cv() {  # table target
  "$BIN" cv --data "$1" --target "$2" --kind gbdt --folds 5 --seed 42 --spec "spec_$2.yaml" \
    2>/dev/null | python3 -c 'import json,sys; m=json.load(sys.stdin)["mean"]; print(f"auc={m['"'"'auc'"'"']:.4f} ks={m['"'"'ks'"'"']:.4f}")'
}
for target in defaulted fraud; do
  echo "$target, without graph features: $(cv without_graph.csv $target)"
  echo "$target, with graph features:    $(cv with_graph.csv $target)"
done
