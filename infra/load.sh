#!/usr/bin/env bash
# Load test: signed incoming_call requests against a release build of `frontdesk serve` on
# the embedded default, for 15 s, from one wrk thread on this machine. Prints req/s, p50, p99.
#   ./infra/load.sh [seconds] [connections]
# Sustained load at a fixed rate, the webhooks mixed as real traffic brings them, with the
# latency histogram (p50, p99, p99.9) and every non-2xx answer:
#   ./infra/load.sh sustained [requests per second] [seconds]     (default 2,000 for 60 s)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = sustained ]; then
  exec cargo bench -p frontdesk-cli --bench sustained_load -- "${2:-2000}" "${3:-60}"
fi
duration="${1:-15}"
connections="${2:-8}"
port=3917
token="load-test-token"

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)" >&2
  apt-get update -qq >/dev/null && apt-get install -y -qq wrk >/dev/null
fi

cargo build --release --quiet --bin frontdesk
work="$(mktemp -d)"
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT

python3 infra/load/make_requests.py "http://127.0.0.1:$port" "$token" "+97233334444" 20000 "$work/requests.lua"

FRONTDESK_DATA_DIR="$work/data" TWILIO_AUTH_TOKEN="$token" RUST_LOG=warn \
  ./target/release/frontdesk serve --addr "127.0.0.1:$port" --seed infra/seed/businesses.json >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done

# Warm the greeting cache and the SQLite pages, then measure.
FRONTDESK_LOAD_REQUESTS="$work/requests.lua" wrk -t1 -c4 -d2s -s infra/load/incoming_call.lua "http://127.0.0.1:$port" >/dev/null
echo "incoming_call, signed, embedded store, ${duration}s, ${connections} connections, 1 wrk thread:"
FRONTDESK_LOAD_REQUESTS="$work/requests.lua" wrk -t1 -c"$connections" -d"${duration}s" -s infra/load/incoming_call.lua "http://127.0.0.1:$port"
