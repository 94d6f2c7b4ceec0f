#!/usr/bin/env bash
# User-space instructions per HTTP request, server side, under valgrind's callgrind: the same
# signed request sent N1 and N2 times over one keep-alive connection, (I(N2) - I(N1)) / (N2 - N1),
# so start-up and shutdown cancel out. Repeatable on a busy machine; kernel time is not counted.
#
#   scripts/bench-callgrind-server.sh            # chatbridge bench_server and the harness's
#                                                # hyper floor, Slack and Discord
# Needs the peer harness installed (scripts/bench-peers.sh does it): its floor server, and
# its Python venv for PyNaCl.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PEERS_DIR=${PEERS_DIR:-$(cd "$ROOT/.." && pwd)/shared/bench/peers}
PY=${PEERS_VENV:-/tmp/peers-venv}/bin/python
FLOOR=${PEERS_FLOOR_DIR:-/tmp/peers-floor}/target/release/floor_server
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 2; }
[ -x "$PY" ] && [ -x "$FLOOR" ] || { echo "run scripts/bench-peers.sh once first (it installs the harness)" >&2; exit 2; }
(cd "$ROOT" && cargo build --release -q -p chatbridge-examples --example bench_server)
SERVER="$ROOT/target/release/examples/bench_server"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
export SLACK_SIGNING_SECRET DISCORD_PUBLIC_KEY
SLACK_SIGNING_SECRET=$("$PY" -c "import json;print(json.load(open('$PEERS_DIR/fixtures/keys.json'))['slack_signing_secret'])")
DISCORD_PUBLIC_KEY=$("$PY" -c "import json;print(json.load(open('$PEERS_DIR/fixtures/keys.json'))['discord_public_key_hex'])")

cat > "$OUT/client.py" <<'PYEOF'
import hashlib, hmac, http.client, json, sys, time
fixtures, port, n, kind = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
keys = json.load(open(fixtures + "/keys.json"))
ts = str(int(time.time()))
if kind == "slack":
    body = open(fixtures + "/slack_slash_command.body", "rb").read()
    mac = hmac.new(keys["slack_signing_secret"].encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256)
    headers = {"content-type": "application/x-www-form-urlencoded",
               "x-slack-request-timestamp": ts, "x-slack-signature": "v0=" + mac.hexdigest()}
    path = "/slack/events"
else:
    from nacl.signing import SigningKey
    body = open(fixtures + "/discord_application_command.json", "rb").read()
    signature = SigningKey(bytes.fromhex(keys["discord_ed25519_seed_hex"])).sign(ts.encode() + body).signature
    headers = {"content-type": "application/json", "x-signature-timestamp": ts, "x-signature-ed25519": signature.hex()}
    path = "/discord/interactions"
for _ in range(300):
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60); conn.connect(); break
    except OSError:
        time.sleep(0.1)
for _ in range(n):
    conn.request("POST", path, body=body, headers=headers)
    response = conn.getresponse(); response.read()
    assert response.status == 200, response.status
PYEOF

# instructions SERVER_ARGS... : runs the server under callgrind for N requests of KIND
count() {
  local kind=$1 n=$2; shift 2
  local port=$((20000 + RANDOM % 20000))
  valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.%p" "${@//\{port\}/$port}" >"$OUT/vg.log" 2>&1 &
  local pid=$!
  "$PY" "$OUT/client.py" "$PEERS_DIR/fixtures" "$port" "$n" "$kind"
  kill -TERM $pid; wait $pid || true
  sed -n 's/.*Collected : //p' "$OUT/vg.log" | tr -d ,
}
per_request() {
  local kind=$1 n1=$2 n2=$3; shift 3
  local i1 i2; i1=$(count "$kind" "$n1" "$@"); i2=$(count "$kind" "$n2" "$@")
  echo $(( (i2 - i1) / (n2 - n1) ))
}
printf '%-32s %14s\n' server instr/request
printf '%-32s %14d\n' "floor hello (no verify)" "$(per_request slack 300 900 "$FLOOR" '{port}' hello)"
printf '%-32s %14d\n' "floor + Slack HMAC" "$(per_request slack 300 900 "$FLOOR" '{port}' slack)"
printf '%-32s %14d\n' "chatbridge Slack /hello" "$(per_request slack 300 900 "$SERVER" --port '{port}')"
printf '%-32s %14d\n' "floor + Ed25519" "$(per_request discord 100 300 "$FLOOR" '{port}' discord)"
printf '%-32s %14d\n' "chatbridge Discord /hello" "$(per_request discord 100 300 "$SERVER" --port '{port}')"
