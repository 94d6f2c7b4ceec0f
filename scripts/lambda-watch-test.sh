#!/usr/bin/env bash
# Tests the Lambda host for real on this machine: the timing bot runs as a Lambda function under
# `cargo lambda watch` (the examples' `bots` binary with CHATBRIDGE_BOT=timing_bot; the Lambda runtime API and a Function URL, emulated on 127.0.0.1), and
# examples/tests/lambda_watch.rs sends it signed Slack and Discord requests; follow-ups arrive at
# a fake platform API on loopback. Afterwards the function's log must show the internal
# extension holding the sandbox until the follow-ups were delivered.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

VENV=${CARGO_LAMBDA_VENV:-/tmp/chatbridge-cargo-lambda}
if [ ! -x "$VENV/bin/cargo-lambda" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q cargo-lambda
fi
export PATH="$VENV/bin:$PATH"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
LAMBDA_PORT=$(free_port)
API_PORT=$(free_port)
# The public key of the test's fixed Ed25519 seed ([42; 32]); the test checks it matches.
DISCORD_PUBLIC_KEY=197f6b23e16c8532c6abc838facd5ea789be0c76b2920334039bfa8b3d368d61
LOG=${LAMBDA_WATCH_LOG:-/tmp/chatbridge-lambda-watch.log}

cargo build -q -p chatbridge-examples --features aws --bin bots
cd examples
cargo lambda watch -A 127.0.0.1 -P "$LAMBDA_PORT" --bin bots --features aws \
  --env-var "CHATBRIDGE_BOT=timing_bot" \
  --env-var "SLACK_SIGNING_SECRET=lambda-watch-test-signing-secret" \
  --env-var "DISCORD_PUBLIC_KEY=$DISCORD_PUBLIC_KEY" \
  --env-var "DISCORD_APPLICATION_ID=1000000000000000001" \
  --env-var "DISCORD_API_URL=http://127.0.0.1:$API_PORT/api/v10" \
  --env-var "RUST_LOG=info" \
  >"$LOG" 2>&1 &
WATCH=$!
cd ..
trap 'kill $WATCH 2>/dev/null || true; wait $WATCH 2>/dev/null || true' EXIT

URL="http://127.0.0.1:$LAMBDA_PORT/lambda-url/bots"
# The first invocation builds and starts the function: wait for an unsigned request's 401.
for _ in $(seq 1 300); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL/slack/events" || true)
  [ "$code" = 401 ] && break
  sleep 1
done
[ "$code" = 401 ] || { echo "the emulated function never answered (last status: $code)"; tail -40 "$LOG"; exit 1; }

CHATBRIDGE_TEST_LAMBDA_URL="$URL" \
CHATBRIDGE_TEST_FAKE_API_ADDR="127.0.0.1:$API_PORT" \
CHATBRIDGE_TEST_DISCORD_PUBLIC_KEY="$DISCORD_PUBLIC_KEY" \
  cargo test -q -p chatbridge-examples --features aws --test lambda_watch -- --ignored --nocapture

# The extension must have held the sandbox for the slow follow-ups (about 10 s each).
if ! grep -Eq 'held_ms=([5-9][0-9]{3}|[1-9][0-9]{4,})' "$LOG"; then
  echo "the internal extension was not seen holding the sandbox for follow-ups:"
  grep -i 'continuations\|extension' "$LOG" | tail -20 || true
  exit 1
fi
echo "lambda watch test: ok (the extension held the sandbox: $(grep -Eo 'held_ms=[0-9]+' "$LOG" | tr '\n' ' '))"
