#!/usr/bin/env bash
# Sustained load: a signed Slack slash command, as fast as wrk can send it, on loopback, for
# DURATION seconds (default 60), server and load tool pinned to one core (default core 1).
# Prints requests, errors and the server's RSS before, after warm-up and at the end.
#
#   scripts/soak.sh [DURATION] [CONNECTIONS]
#
# Needs wrk (Debian: apt-get install wrk) and openssl. The request is signed once, with a
# timestamp that stays inside Slack's 300 s window for the run (so DURATION < 280).
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-60}"
connections="${2:-16}"
core="${SOAK_CORE:-1}"
port="${SOAK_PORT:-3917}"
secret="soak-signing-secret-$$"
if [ "$duration" -ge 280 ]; then echo "DURATION must stay under 280 s (signature window)"; exit 1; fi

cargo build --release -q -p chatbridge-slack --example soak
work="$(mktemp -d)"
SLACK_SIGNING_SECRET="$secret" taskset -c "$core" target/release/examples/soak "127.0.0.1:$port" \
    >"$work/server.log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
rss() { awk '/VmRSS/ {print $2 " kB"}' "/proc/$server/status"; }

ts="$(date +%s)"
body='token=x&team_id=T0001&team_domain=soak&channel_id=C2147483705&channel_name=test&user_id=U2147483697&user_name=soak&command=%2Fhello-there&text=soak&api_app_id=A1&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1%2F2%2F3&trigger_id=1.2.3'
sig="v0=$(printf 'v0:%s:%s' "$ts" "$body" | openssl dgst -sha256 -hmac "$secret" -r | cut -d' ' -f1)"
cat >"$work/soak.lua" <<LUA
wrk.method = "POST"
wrk.body = "$body"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["X-Slack-Request-Timestamp"] = "$ts"
wrk.headers["X-Slack-Signature"] = "$sig"
LUA

# One request by hand first: it must be a 200 with the reply.
curl -fs -X POST "http://127.0.0.1:$port/slack/events" -H "Content-Type: application/x-www-form-urlencoded" \
    -H "X-Slack-Request-Timestamp: $ts" -H "X-Slack-Signature: $sig" --data "$body" | grep -q "General Kenobi"

echo "rss at start:          $(rss)"
taskset -c "$core" wrk -t1 -c"$connections" -d5s -s "$work/soak.lua" "http://127.0.0.1:$port/slack/events" >/dev/null
echo "rss after 5 s warm-up: $(rss)"
taskset -c "$core" wrk -t1 -c"$connections" -d"${duration}s" --latency -s "$work/soak.lua" \
    "http://127.0.0.1:$port/slack/events" | tee "$work/wrk.txt"
echo "rss at end:            $(rss)"
sleep 2
echo "rss 2 s after the run: $(rss)"
if grep -qE "Non-2xx|Socket errors" "$work/wrk.txt"; then echo "ERRORS during the run"; exit 1; fi
echo "no errors"
