#!/usr/bin/env bash
# chatbridge over HTTP beside the bare hyper floor (and the peers, when asked), through the peer
# harness: same request bytes, same wrk settings, same checks, one table.
#
#   scripts/bench-peers.sh                  # chatbridge + the three hyper floor rows: http + cold start
#   scripts/bench-peers.sh --peers          # + bolt-js, bolt-python, discord-interactions (js, py)
#   scripts/bench-peers.sh --only http      # steps: http, cold, micro, lambda (repeatable)
#
# Env: PEERS_DIR (the harness, default ../shared/bench/peers next to the checkout),
#      DURATION / CONNS / WARMUP / REPEAT / COLD_RUNS / PIN (the harness's knobs),
#      BENCH_SERVER_ARGS (extra bench_server flags, e.g. --current-thread),
#      PEERS_WORK (where results go, default /tmp/peers-bench).
# Writes the harness's table to stdout and to $PEERS_WORK/results/table.md (markdown).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PEERS_DIR=${PEERS_DIR:-$(cd "$ROOT/.." && pwd)/shared/bench/peers}
export PEERS_WORK=${PEERS_WORK:-/tmp/peers-bench}
[ -x "$PEERS_DIR/run_all.sh" ] || { echo "no peer harness at $PEERS_DIR (set PEERS_DIR)" >&2; exit 2; }

peers=0; steps=()
while [ $# -gt 0 ]; do
  case $1 in
    --peers) peers=1 ;;
    --only) shift; steps+=("$1") ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ ${#steps[@]} -eq 0 ] && steps=(http cold)

echo "[bench-peers] cargo build --release --example bench_server" >&2
(cd "$ROOT" && cargo build --release -q -p chatbridge-examples --example bench_server)
server="$ROOT/target/release/examples/bench_server --port {port} ${BENCH_SERVER_ARGS:-}"
export CHATBRIDGE_SLACK_CMD="$server" CHATBRIDGE_DISCORD_CMD="$server"

only=floor_hello,floor_slack,floor_discord,chatbridge_slack,chatbridge_discord
if [ $peers = 1 ]; then
  only=bolt_js,bolt_py_gunicorn,discord_js_express,discord_py_gunicorn,$only
fi
export PEERS_ONLY=${PEERS_ONLY:-$only}

echo "[bench-peers] machine: $(lscpu | sed -n 's/^Model name: *//p') x $(nproc); load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$PEERS_DIR/run_all.sh" "${steps[@]}"
mkdir -p "$PEERS_WORK/results"
"${PEERS_VENV:-/tmp/peers-venv}/bin/python" "$PEERS_DIR/report.py" --md > "$PEERS_WORK/results/table.md"
echo "[bench-peers] markdown table: $PEERS_WORK/results/table.md" >&2
