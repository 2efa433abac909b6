#!/usr/bin/env bash
# Lift from graph features in the credit model: the same applications, the same folds, with and
# without the cross-account columns (point in time, `features backfill --graph`). Reports 5-fold CV AUC
# for default (the credit model's target) and for fraud (ring and farm applications), GBDT, and
# the share of each caught among the riskiest 1% and 5% of applications (what a review queue of
# that size would catch).
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
# Three views of the same rows: the applicant alone (application, bureau, the account's own
# history), plus velocity windows over shared identifiers (what a plain feature store gives), plus
# the graph's ring features.
python3 - <<'PY'
import csv
LINK_WINDOWS = {"apps_per_phone_7d", "apps_per_device_7d", "apps_per_ip_1d",
                "apps_per_address_30d", "users_per_device_30d"}
views = {"applicant.csv": lambda c: not c.startswith("graph_") and c not in LINK_WINDOWS,
         "windows.csv": lambda c: not c.startswith("graph_")}
with open("with_graph.csv") as f:
    rows = list(csv.reader(f))
for name, keep_column in views.items():
    keep = [i for i, c in enumerate(rows[0]) if keep_column(c)]
    with open(name, "w", newline="") as g:
        w = csv.writer(g)
        for row in rows: w.writerow([row[i] for i in keep])
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
    2>/dev/null | python3 -c '
import json, sys
m = json.load(sys.stdin)["mean"]
print("auc={auc:.4f} ks={ks:.4f} capture@1%={capture_1pct:.3f} capture@5%={capture_5pct:.3f}".format(**m))'
}
for target in defaulted fraud; do
  echo "$target, applicant only:               $(cv applicant.csv $target)"
  echo "$target, + shared-identifier windows:  $(cv windows.csv $target)"
  echo "$target, + graph ring features:        $(cv with_graph.csv $target)"
done
