#!/usr/bin/env bash
# Credit-model quality on real public data (German credit, Taiwan default) and on the simulated
# world, plus single-row inference speed. Needs ../shared/data (skips those parts without it).
# Usage: bench/models.sh [path/to/finbrain] [path/to/models_bench] [out dir]
set -euo pipefail

BIN=${1:-build/release/apps/finbrain/finbrain}
BENCH=${2:-build/release/bench/models_bench}
OUT=${3:-$(mktemp -d)}
DATA=$(cd "$(dirname "$0")/../.." && pwd)/shared/data
mkdir -p "$OUT"
echo "finbrain model benchmark; outputs in $OUT"

mean() { python3 -c 'import json,sys; m=json.load(sys.stdin)["mean"]; b=m["baseline"]; print(" ".join(f"{k}={m[k]:.4f}" for k in ("auc","ks","cost") if k in m), "| plain LR, same folds: auc=%.4f ks=%.4f" % (b["auc"], b["ks"]))'; }

if [ -d "$DATA/german_credit" ]; then
  # german.data is space-separated without a header; the class is 1 good, 2 bad.
  awk 'BEGIN{print "checking,duration,history,purpose,amount,savings,employment,installment_rate,personal_status,other_debtors,residence,property,age,other_plans,housing,credits,job,dependents,telephone,foreign,class"} {$1=$1; gsub(/ /, ","); print}' \
    "$DATA/german_credit/german.data" > "$OUT/german.csv"
  awk 'NR==1 || NR%10>=3' "$OUT/german.csv" > "$OUT/german_train.csv"
  awk 'NR==1 || NR%10<3' "$OUT/german.csv" > "$OUT/german_test.csv"
  for kind in gbdt scorecard; do
    echo "german   $kind 5-fold CV: $("$BIN" cv --data "$OUT/german.csv" --target class --positive 2 --kind $kind --folds 5 --seed 42 --cost 5,1 2>/dev/null | mean)"
  done
  # Fairness: age and sex/status are protected (not model inputs); evaluated on a 30% holdout.
  cat > "$OUT/german_spec.yaml" <<'YAML'
protected: [{name: age, cuts: [25]}, personal_status]
YAML
  for kind in gbdt scorecard; do
    "$BIN" train --data "$OUT/german_train.csv" --target class --positive 2 --kind $kind \
      --spec "$OUT/german_spec.yaml" --out "$OUT/german_$kind" >/dev/null 2>&1
    "$BIN" evaluate --model "$OUT/german_$kind" --data "$OUT/german_test.csv" --target class \
      --positive 2 --cutoff 0.1667 --out "$OUT/german_${kind}_eval" >/dev/null
    python3 - "$OUT/german_${kind}_eval/metrics.json" "$kind" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
c = m["confusion"]
n = sum(c[k] for k in ("declined_bad", "declined_good", "approved_good", "approved_bad"))
cost = (5 * c["approved_bad"] + c["declined_good"]) / n
print(f"german   {sys.argv[2]} holdout: auc={m['auc']:.4f} ks={m['ks']:.4f} cost@1/6={cost:.3f}")
for attr, groups in m["fairness"].items():
    for g in groups:
        print(f"  {attr:16s} {g['group']:12s} n={g['rows']:4d} bad={g['bad_rate']:.3f} approve={g['approval_rate']:.3f} ratio={g['approval_rate_ratio']:.3f} eod={g['equal_opportunity_difference']:+.3f} auc={g['auc']:.3f}")
PY
  done
else
  echo "skipping German credit: $DATA/german_credit is absent"
fi

if [ -d "$DATA/taiwan_credit_default" ]; then
  for kind in gbdt scorecard; do
    echo "taiwan   $kind 5-fold CV: $("$BIN" cv --data "$DATA/taiwan_credit_default/UCI_Credit_Card.csv" --target default.payment.next.month --kind $kind --folds 5 --seed 42 2>/dev/null | mean)"
  done
else
  echo "skipping Taiwan: $DATA/taiwan_credit_default is absent"
fi

# The simulated world's credit applications joined with their outcomes.
"$BIN" simulate --users 20000 --days 365 --seed 7 --out "$OUT/world" --force >/dev/null 2>&1
python3 - "$OUT/world" "$OUT/sim_applications.csv" <<'PY'
import csv, json, sys
world, out = sys.argv[1], sys.argv[2]
outcome = {}
for line in open(f"{world}/truth/applications.jsonl"):
    t = json.loads(line)
    outcome[t["application_id"]] = int(t["defaulted"])
cols = ["requested_amount", "term_months", "declared_income", "employment", "product", "channel"]
bureau = ["score", "inquiries_3m", "inquiries_12m", "delinquencies_24m", "open_accounts",
          "utilization", "total_debt", "months_on_file"]
with open(out, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(cols + ["bureau_" + b for b in bureau] + ["contacts", "defaulted"])
    for line in open(f"{world}/events/credit_application.jsonl"):
        e = json.loads(line)
        if e["application_id"] not in outcome:
            continue
        b = e.get("bureau") or {}
        w.writerow([e.get(c, "") for c in cols] + [b.get(k, "") for k in bureau] +
                   [len(e.get("contacts", [])), outcome[e["application_id"]]])
PY
for kind in gbdt scorecard; do
  echo "simulated $kind 5-fold CV: $("$BIN" cv --data "$OUT/sim_applications.csv" --target defaulted --kind $kind --folds 5 --seed 42 2>/dev/null | mean)"
done

"$BENCH" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true 2>/dev/null | grep -E "_median|^Run|^---|Benchmark"
