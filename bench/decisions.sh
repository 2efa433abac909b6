#!/usr/bin/env bash
# Decision API benchmark: POST /v1/decisions/credit against a running server, with a strategy of
# ~100 feature windows, ~50 rules and a 300-tree GBDT (depth 6), every decision record and audit
# entry durable before its answer. Open-loop load (bench/decision_load.cc) at a fixed rate, with
# GET /healthz at the same rate as the floor, then the in-process cost of each stage (from the
# decision records' latency_us).
# In the same run: an fsync probe in the data directory beside the decisions (the disk's floor for
# `sync` durability), and a closed-loop run for the maximum throughput.
# Usage: bench/decisions.sh [finbrain binary] [decision_load binary]
#   RATE=2000 SECONDS_PER_RUN=20 USERS=10000 [SETTLE_S=0] [FINBRAIN_DURABILITY=process]
#   [PIN=1: the server on CPU 1, the load generator on CPU 0] [CLOSED=8: closed-loop connections]
#   bench/decisions.sh
set -euo pipefail

BIN=$(realpath "${1:-build/release/apps/finbrain/finbrain}")
LOAD=$(realpath "${2:-build/release/bench/decision_load}")
PROBE=$(dirname "$LOAD")/fsync_probe
RATE=${RATE:-2000}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-20}
USERS=${USERS:-10000}
CLOSED=${CLOSED:-8}
LOAD_PIN=()
if [ -n "${PIN:-}" ]; then
  SERVER_PIN="taskset -c 1"  # read by start_server (lib.sh)
  LOAD_PIN=(taskset -c 0)
fi
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
SERVER_PID=
# KEEP=1 leaves the work directory (world, model, data) for profiling.
trap 'kill $SERVER_PID 2>/dev/null || true; wait 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$WORK"' EXIT
source "$HERE/lib.sh"
cd "$WORK"

echo "== world: $USERS users, 365 days"
"$BIN" simulate --users "$USERS" --days 365 --seed 7 --out world >/dev/null 2>&1

# ~100 feature windows over every entity type the events carry.
{
  echo "lateness: 1h"
  echo "features:"
  f() { echo "  - {name: $1, entity: $2, event: $3, aggregate: $4${5:+, $5}}"; }
  for w in 1h 1d 7d 30d; do f "user_logins_$w" user login count "window: $w"; done
  for w in 1h 1d 7d; do f "user_failed_logins_$w" user login count "filter: 'not success', window: $w"; done
  for w in 1d 7d 30d 90d; do f "user_devices_$w" user login distinct "field: device_id, window: $w"; done
  for w in 1d 7d 30d; do f "user_ips_$w" user login distinct "field: ip, window: $w"; done
  for w in 1d 7d 30d 90d; do f "user_orders_$w" user order count "window: $w"; done
  for w in 7d 30d 90d; do f "user_order_amount_$w" user order sum "field: amount, window: $w"; done
  for w in 30d 90d; do f "user_order_mean_$w" user order mean "field: amount, window: $w"; done
  for w in 30d 90d; do f "user_order_max_$w" user order max "field: amount, window: $w"; done
  for w in 1h 1d 7d 30d; do f "user_payments_$w" user payment count "window: $w"; done
  for w in 1d 7d 30d; do f "user_payment_amount_$w" user payment sum "field: amount, window: $w"; done
  for w in 1d 30d; do f "user_payment_max_$w" user payment max "field: amount, window: $w"; done
  for w in 1d 30d; do f "user_payees_$w" user payment distinct "field: payee_id, window: $w"; done
  for w in 30d 90d; do f "user_missed_$w" user repayment count "filter: \"status in ['missed', 'partial']\", window: $w"; done
  for w in 30d 90d; do f "user_max_dpd_$w" user repayment max "field: days_past_due, window: $w"; done
  for w in 30d 90d; do f "user_repaid_$w" user repayment sum "field: amount_paid, window: $w"; done
  for w in 7d 30d 90d; do f "user_apps_$w" user credit_application count "window: $w"; done
  for w in 30d 90d; do f "user_drawdowns_$w" user loan_drawdown sum "field: amount, window: $w"; done
  for w in 30d 90d; do f "user_service_$w" user service_message count "window: $w"; done
  f user_tenure user "[user_registration, login, order]" since_first
  f user_last_login user login since_last
  for w in 1d 7d 30d 90d; do f "device_users_$w" device login distinct "field: user_id, window: $w"; done
  for w in 1h 1d 7d; do f "device_logins_$w" device login count "window: $w"; done
  for w in 1d 7d 30d; do f "device_apps_$w" device credit_application count "window: $w"; done
  f device_tenure device "[login, device_report]" since_first
  for w in 1h 1d 7d; do f "ip_users_$w" ip login distinct "field: user_id, window: $w"; done
  for w in 1h 1d; do f "ip_logins_$w" ip login count "window: $w"; done
  for w in 1h 1d 7d; do f "ip_apps_$w" ip credit_application count "window: $w"; done
  for w in 1h 1d; do f "ip_payments_$w" ip payment count "window: $w"; done
  for w in 1d 7d 30d 90d; do f "phone_apps_$w" phone credit_application count "window: $w"; done
  f phone_tenure phone credit_application since_first
  for w in 7d 30d 90d; do f "address_apps_$w" address credit_application count "window: $w"; done
  for w in 7d 30d; do f "address_orders_$w" address order count "key: consignee_address, window: $w"; done
  for w in 7d 30d; do f "address_buyers_$w" address order distinct "key: consignee_address, field: user_id, window: $w"; done
  for w in 7d 30d 90d; do f "id_apps_$w" id_number credit_application count "window: $w"; done
  for w in 1d 7d 30d; do f "card_orders_$w" card order count "window: $w"; done
  for w in 1d 7d; do f "card_payments_$w" card payment count "window: $w"; done
  f card_users_30d card order distinct "field: user_id, window: 30d"
  for w in 1h 1d; do f "merchant_orders_$w" merchant order count "window: $w"; done
} > features.yaml
FEATURES=$(grep -c '^  - ' features.yaml)

echo "== training table, point-in-time features ($FEATURES), 300-tree GBDT"
"$BIN" events to-csv --events world/events/credit_application.jsonl \
  --join world/truth/applications.jsonl --on application_id --take defaulted --out apps.csv 2>/dev/null
"$BIN" features backfill --features features.yaml --events world/events --data apps.csv --out train.csv 2>/dev/null
cat > model.yaml <<'YAML'
ignore: [event_id, event_type, schema_version, occurred_at, application_id, user_id, employer,
         phone, id_number, address, device_id, ip]
gbdt: {rounds: 300, max_depth: 6, learning_rate: 0.02, colsample_bytree: 0.5}
YAML
"$BIN" train --data train.csv --target defaulted --kind gbdt --spec model.yaml --out model 2>&1 | tail -1

# ~50 rules: screens on the feature windows, policy, PD cut-offs, a score_sum set; a pricing table.
{
  echo "description: benchmark strategy"
  echo "variables:"
  echo "  - {name: payment_to_income, expr: \"app.requested_amount / app.term_months / app.declared_income\"}"
  echo "  - {name: max_limit, expr: \"100000\"}"
  echo "models: [{name: pd, model: bench_pd}]"
  echo "rules:"
  echo "  - name: fraud"
  echo "    hit_policy: all"
  echo "    rules:"
  echo "      - {id: F00, when: lists.blacklisted, action: decline, reason: {code: F00, text: blacklisted}}"
  i=1
  for feature in device_users_30d device_apps_7d ip_apps_1d phone_apps_7d address_apps_30d id_apps_30d \
                 card_users_30d ip_users_1h user_devices_7d user_ips_1d user_failed_logins_1h \
                 user_apps_7d address_buyers_7d device_logins_1h ip_payments_1h; do
    printf "      - {id: F%02d, when: \"features.%s >= %d\", action: review, reason: {code: F%02d, text: %s}}\n" \
      $i "$feature" $((3 + i % 4)) $i "$feature"
    i=$((i + 1))
  done
  echo "  - name: policy"
  echo "    hit_policy: first"
  echo "    rules:"
  echo "      - {id: P01, when: \"app.bureau.delinquencies_24m >= 3\", action: decline, reason: {code: P01, text: delinquent}}"
  echo "      - {id: P02, when: \"payment_to_income > 0.8\", action: decline, reason: {code: P02, text: affordability}}"
  echo "      - {id: P03, when: \"is_missing(app.declared_income)\", action: review, reason: {code: P03, text: income}}"
  echo "      - {id: P04, when: \"coalesce(features.user_max_dpd_90d, 0) > 30\", action: decline, reason: {code: P04, text: arrears}}"
  echo "      - {id: P05, when: \"coalesce(features.user_missed_90d, 0) >= 2\", action: review, reason: {code: P05, text: missed}}"
  echo "  - name: risk"
  echo "    hit_policy: first"
  echo "    rules:"
  echo "      - {id: R01, when: \"models.pd.pd >= 0.25\", action: decline, reason: {code: R01, text: pd}}"
  echo "      - {id: R02, when: \"models.pd.pd >= 0.12\", action: review, reason: {code: R02, text: pd}}"
  echo "  - name: soft"
  echo "    hit_policy: score_sum"
  echo "    threshold: 100"
  echo "    action: review"
  echo "    reason: {code: S00, text: signals}"
  echo "    rules:"
  i=1
  for feature in user_logins_1h user_payments_1h user_payees_1d user_orders_1d user_payment_amount_1d \
                 user_order_amount_7d user_service_30d user_drawdowns_30d ip_logins_1h ip_users_1d \
                 device_users_1d card_orders_1d card_payments_1d merchant_orders_1h phone_apps_1d \
                 address_orders_7d user_devices_1d user_ips_7d device_apps_1d ip_apps_1h; do
    printf "      - {id: S%02d, when: \"coalesce(features.%s, 0) > %d\", score: %d}\n" $i "$feature" $((2 + i % 5)) $((10 + i % 3 * 10))
    i=$((i + 1))
  done
  echo "      - {id: S21, when: \"coalesce(features.user_tenure, 0) < 86400 * 7\", score: 30}"
  echo "      - {id: S22, when: \"app.bureau.inquiries_3m >= 4\", score: 30}"
  echo "tables:"
  echo "  - name: pricing"
  echo "    inputs: [models.pd.pd, app.product]"
  echo "    default: {limit: 0, apr: 0.36}"
  echo "    rows:"
  echo "      - {when: [\"< 0.03\", \"consumer_credit_line\"], then: {limit: \"min(max_limit, app.declared_income * 4)\", apr: 0.10}}"
  echo "      - {when: [\"< 0.03\", \"-\"], then: {limit: \"min(max_limit, app.declared_income * 3)\", apr: 0.12}}"
  echo "      - {when: [\"[0.03, 0.06)\", \"-\"], then: {limit: \"min(max_limit, app.declared_income * 3)\", apr: 0.15}}"
  echo "      - {when: [\"[0.06, 0.12)\", \"-\"], then: {limit: \"min(max_limit, app.declared_income * 2)\", apr: 0.22}}"
  echo "      - {when: [\">= 0.12\", \"-\"], then: {limit: \"min(max_limit, app.declared_income)\", apr: 0.30}}"
  echo "outcome: {limit: tables.pricing.limit, apr: tables.pricing.apr}"
} > strategy.yaml
RULES=$(grep -c "id: " strategy.yaml)

# FINBRAIN_DURABILITY (sync or process) and FINBRAIN_SYNC_INTERVAL_MS pass to the server as set.
echo "== server: history imported, $FEATURES features, $RULES rules, durability ${FINBRAIN_DURABILITY:-sync}"
start_server "$BIN" "$WORK/data"
T=(--url "$URL" --api-key "$KEY")
"$BIN" features set features.yaml "${T[@]}" >/dev/null
"$BIN" model register model --name bench_pd "${T[@]}" >/dev/null
"$BIN" model promote bench_pd 1 "${T[@]}" >/dev/null
"$BIN" strategy put strategy.yaml --activate "${T[@]}" >/dev/null
mkdir history
for f in world/events/*.jsonl; do
  [ "$(basename "$f")" = credit_application.jsonl ] || ln -s "$WORK/$f" history/
done
"$BIN" import history "${T[@]}" 2>&1 | tail -1

echo "== open-loop load: $RATE requests/s for ${SECONDS_PER_RUN}s each, $(nproc) cores${PIN:+, server and load pinned to one core each}"
# Warm-up (not reported): caches, the first compactions after the import, the allocator.
"${LOAD_PIN[@]}" "$LOAD" --url "$URL" --key "$KEY" --applications world/events/credit_application.jsonl \
  --rate "$RATE" --seconds 10 >/dev/null
# SETTLE_S=60 waits for the import's compactions to finish before measuring.
sleep "${SETTLE_S:-0}"
"${LOAD_PIN[@]}" "$LOAD" --url "$URL" --path /healthz --rate "$RATE" --seconds "$SECONDS_PER_RUN" | tee healthz.json
before=$(metric finbrain_storage_commit_bytes_total)
decided_before=$(metric finbrain_decisions_total)
PROBE_PID=
if [ -x "$PROBE" ]; then
  "${LOAD_PIN[@]}" "$PROBE" --dir "$WORK/data" --seconds "$SECONDS_PER_RUN" --interval-ms 5 > probe.json &
  PROBE_PID=$!
fi
"${LOAD_PIN[@]}" "$LOAD" --url "$URL" --key "$KEY" --applications world/events/credit_application.jsonl \
  --rate "$RATE" --seconds "$SECONDS_PER_RUN" | tee decisions.json
[ -z "$PROBE_PID" ] || wait "$PROBE_PID"
[ -s probe.json ] && cat probe.json
python3 -c 'import sys; b, d = (float(a) for a in sys.argv[1:]); print("== bytes committed per decision: %.0f" % (b / d if d else 0))' \
  $(($(metric finbrain_storage_commit_bytes_total) - before)) $(($(metric finbrain_decisions_total) - decided_before))
echo "== closed loop: $CLOSED connections, ${SECONDS_PER_RUN}s"
"${LOAD_PIN[@]}" "$LOAD" --url "$URL" --key "$KEY" --applications world/events/credit_application.jsonl \
  --closed "$CLOSED" --seconds "$SECONDS_PER_RUN" | tee closed.json

echo "== stages under the load above (mean µs over its answers' latency_us)"
python3 -c 'import json,sys; st=json.load(open(sys.argv[1])).get("stages_us",{}); [print("  %-10s %8.1f" % kv) for kv in sorted(st.items(), key=lambda kv: kv[1])]' decisions.json
echo "== stages (mean µs over 500 decisions, decided one at a time: cold caches, a curl each)"
head -500 world/events/credit_application.jsonl | sed 's/"application_id":"/"application_id":"stage-/; s/"event_id":"/"event_id":"stage-/' > sample.jsonl
while read -r line; do
  curl -s -XPOST -H "Authorization: Bearer $KEY" "$URL/v1/decisions/credit" -d "$line"
  echo
done < sample.jsonl | awk '
  { if (match($0, /"latency_us":\{[^}]*\}/)) { s = substr($0, RSTART + 14, RLENGTH - 15); n++
      k = split(s, parts, ","); for (i = 1; i <= k; i++) { split(parts[i], kv, ":"); gsub(/"/, "", kv[1]); sum[kv[1]] += kv[2] } } }
  END { for (stage in sum) printf "  %-10s %8.1f\n", stage, sum[stage] / n }' | sort -k2 -n
curl -s "$URL/metrics" | grep -E '^finbrain_storage_(wal_syncs|commit_groups|commit_bytes)_total' || true
