#!/usr/bin/env bash
# chatbridge over HTTP beside the bare hyper floor (and the peers, when asked), through the peer
# harness: same request bytes, same wrk settings, same checks, one table.
#
#   scripts/bench-peers.sh                  # chatbridge + the three hyper floor rows: http + cold start
#   scripts/bench-peers.sh --peers          # + bolt-js, bolt-python, discord-interactions (js, py)
#   scripts/bench-peers.sh --only http      # steps: http, cold, micro, lambda (repeatable)
#   ROUNDS=6 scripts/bench-peers.sh         # the http step 6 times, rows interleaved, the
#                                           # order reversed every other round; ratios per
#                                           # round, then their median (bench-rounds.py)
#
# Env: PEERS_DIR (the harness, default ../shared/bench/peers next to the checkout),
#      DURATION / CONNS / WARMUP / REPEAT / COLD_RUNS / PIN (the harness's knobs),
#      ROUNDS (interleaved rounds of the http step, default 1),
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
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
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
  only=bolt_py_gunicorn,bolt_js,discord_js_express,discord_py_gunicorn,$only
fi
export PEERS_ONLY=${PEERS_ONLY:-$only}

echo "[bench-peers] machine: $(lscpu | sed -n 's/^Model name: *//p') x $(nproc); load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
rounds=${ROUNDS:-1}
results="$PEERS_WORK/results"
mkdir -p "$results"
if [ "$rounds" -gt 1 ] && [[ " ${steps[*]} " == *" http "* ]]; then
  # Each round runs every row once (REPEAT defaults to 1 here), so that the rows compared
  # are measured minutes, not a quarter of an hour, apart. Rows run one harness call each, in
  # PEERS_ONLY's order in odd rounds and in reverse in even ones, so that no row of a
  # comparison is always measured first: which runs first can move a ratio by several per
  # cent on this kind of machine (docs/performance.md), and an even number of rounds cancels
  # that out.
  rm -f "$results"/http-round*.json "$results/http-rounds.log"
  export REPEAT=${REPEAT:-1}
  "$PEERS_DIR/run_all.sh" --install-only
  IFS=, read -r -a rows <<< "$PEERS_ONLY"
  for r in $(seq "$rounds"); do
    order=("${rows[@]}")
    if [ $((r % 2)) = 0 ]; then
      order=(); for ((i = ${#rows[@]} - 1; i >= 0; i--)); do order+=("${rows[i]}"); done
    fi
    echo "[bench-peers] round $r of $rounds: ${order[*]}" >&2
    parts=()
    for row in "${order[@]}"; do
      PEERS_ONLY=$row "$PEERS_DIR/run_all.sh" --no-install http >> "$results/http-rounds.log"
      cp "$results/http.json" "$results/http-round$r-$row.json"
      parts+=("$results/http-round$r-$row.json")
    done
    python3 -c 'import json, sys; json.dump([row for p in sys.argv[2:] for row in json.load(open(p))], open(sys.argv[1], "w"), indent=1)' \
      "$results/http-round$r.json" "${parts[@]}"
    rm -f "${parts[@]}"
  done
  cp "$results/http-round$rounds.json" "$results/http.json" # the last round, for report.py
  rest=()
  for s in "${steps[@]}"; do [ "$s" = http ] || rest+=("$s"); done
  [ ${#rest[@]} -eq 0 ] || "$PEERS_DIR/run_all.sh" --no-install "${rest[@]}"
  python3 "$ROOT/scripts/bench-rounds.py" "$results" | tee "$results/rounds.md"
  echo "[bench-peers] interleaved rounds: $results/rounds.md" >&2
else
  "$PEERS_DIR/run_all.sh" "${steps[@]}"
fi
"${PEERS_VENV:-/tmp/peers-venv}/bin/python" "$PEERS_DIR/report.py" --md > "$results/table.md"
echo "[bench-peers] markdown table: $results/table.md" >&2
