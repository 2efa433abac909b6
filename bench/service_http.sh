#!/usr/bin/env bash
# The FAQ bot over HTTP: POST /v1/service/messages against a running server whose tenant KB has
# 5,000 entries (AFQMC paraphrase pairs: a question with its paraphrase as the alternative, as
# bench/service_bench.cc), messages from other paraphrase pairs, each in a new conversation.
# Open-loop load at a fixed rate (bench/decision_load.cc), with GET /healthz at the same rate as
# the floor in the same run; every turn is stored as two service_message events before it is
# answered.
# Usage: bench/service_http.sh [finbrain binary] [decision_load binary]
#   RATE=200 SECONDS_PER_RUN=20 [AFQMC=../shared/data/afqmc] [FINBRAIN_DURABILITY=sync]
set -euo pipefail

BIN=$(realpath "${1:-build/release/apps/finbrain/finbrain}")
LOAD=$(realpath "${2:-build/release/bench/decision_load}")
RATE=${RATE:-200}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-20}
AFQMC=$(realpath "${AFQMC:-../shared/data/afqmc}" 2>/dev/null || true)
if [ ! -f "$AFQMC/train.csv" ]; then
  echo "service_http: ../shared/data/afqmc/train.csv is absent, skipped"
  exit 0
fi
HERE=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
SERVER_PID=
trap 'kill $SERVER_PID 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT
source "$HERE/lib.sh"
cd "$WORK"

python3 - "$AFQMC/train.csv" <<'PY'
import csv, json, sys
kb, messages = [], []
with open(sys.argv[1], encoding="utf-8") as f:
    for row in csv.DictReader(f):
        if row["label"] != "1":
            continue
        if len(kb) < 5000:
            kb.append([f"q{len(kb)}", row["sentence1"], "a", row["sentence2"]])
        elif len(messages) < 2000:
            messages.append(row["sentence1"])
with open("kb.csv", "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f)
    w.writerow(["id", "question", "answer", "alternatives"])
    w.writerows(kb)
with open("messages.jsonl", "w", encoding="utf-8") as f:
    for i, text in enumerate(messages):
        f.write(json.dumps({"conversation_id": f"bench-{i}", "text": text}, ensure_ascii=False) + "\n")
PY

mkdir data
start_server "$BIN" data
echo "== publishing a 5,000-entry KB (builds the bot)"
curl -sf -o /dev/null -w "published in %{time_total} s\n" -XPUT -H "Authorization: Bearer $KEY" \
  -H "Content-Type: text/csv" --data-binary @kb.csv "$URL/v1/service/kb"
echo "== GET /healthz at $RATE/s (the floor)"
"$LOAD" --url "$URL" --path /healthz --rate "$RATE" --seconds "$SECONDS_PER_RUN"
echo "== POST /v1/service/messages at $RATE/s"
"$LOAD" --url "$URL" --key "$KEY" --path /v1/service/messages --applications messages.jsonl \
  --rate "$RATE" --seconds "$SECONDS_PER_RUN"
