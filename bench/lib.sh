# Shared by the benchmark scripts (sourced, not run).

TOKEN=bench-admin-token-0123456789

# metric NAME: the sum of a metric's samples at $URL/metrics (0 when absent).
metric() {
  curl -s "$URL/metrics" | awk -v n="$1" '$1 == n || index($1, n "{") == 1 { s += $2 } END { printf "%.0f", s }'
}

# start_server BIN DATA_DIR: starts `finbrain serve` on a free loopback port with rate limiting
# off (under $SERVER_PIN, e.g. "taskset -c 1", when set); sets SERVER_PID, URL and KEY (the API key of a fresh tenant "bench").
start_server() {
  local bin=$1 data=$2
  FINBRAIN_ADMIN_TOKEN=$TOKEN FINBRAIN_RATE_LIMIT_RPS=0 FINBRAIN_LOG_LEVEL=warn \
    ${SERVER_PIN:-} "$bin" serve --data-dir "$data" --listen 127.0.0.1:0 > "$data.out" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 100); do grep -q 'listening on' "$data.out" && break; sleep 0.1; done
  URL=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$data.out" | head -1)
  [ -n "$URL" ] || { cat "$data.out" >&2; return 1; }
  KEY=$(FINBRAIN_ADMIN_TOKEN=$TOKEN "$bin" tenant create bench --url "$URL" |
        sed -n 's/.*"api_key":"\([^"]*\)".*/\1/p')
}
