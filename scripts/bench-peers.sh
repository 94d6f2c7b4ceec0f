#!/usr/bin/env bash
# chatbridge over HTTP beside the bare hyper floors, the parsing floors (and the peers, when
# asked), through the peer harness: same request bytes, same wrk settings, same checks, one table.
#
#   scripts/bench-peers.sh                  # chatbridge + the hyper floor rows: http + cold start
#   scripts/bench-peers.sh --peers          # + bolt-js, bolt-python, discord-interactions (js, py)
#   scripts/bench-peers.sh --only http      # steps: http, cold, micro, lambda (repeatable)
#   ROUNDS=6 scripts/bench-peers.sh         # the http step 6 times, rows interleaved, the
#                                           # order reversed every other round; ratios per
#                                           # round, then their median (bench-rounds.py)
#
# The parsing floors (parse_floor_slack, parse_floor_discord) are benches/examples/parsing_floor.rs:
# the bare floor's signature check plus serde_urlencoded / twilight-model reading the body. The
# harness knows no such row, so each runs as its chatbridge row with the command swapped, and is
# renamed in the results.
#
# Env: PEERS_DIR (the harness, default ../shared/bench/peers next to the checkout),
#      DURATION / CONNS / WARMUP / REPEAT / COLD_RUNS / PIN (the harness's knobs),
#      ROUNDS (interleaved rounds of the http step, default 1),
#      PEERS_ONLY (the rows, comma-separated; the default is printed at the start),
#      BENCH_SERVER_ARGS (extra bench_server flags, e.g. --current-thread),
#      PEERS_WORK (where results go, default /tmp/peers-bench).
# Writes the harness's table to stdout and to $PEERS_WORK/results/table.md (markdown), and the
# per-round ratios to $PEERS_WORK/results/rounds.md.
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
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ ${#steps[@]} -eq 0 ] && steps=(http cold)

echo "[bench-peers] cargo build --release (bench_server, parsing_floor)" >&2
(cd "$ROOT" && cargo build --release -q -p chatbridge-examples --example bench_server \
  && cargo build --release -q -p chatbridge-benches --example parsing_floor)
server="$ROOT/target/release/examples/bench_server --port {port} ${BENCH_SERVER_ARGS:-}"
floor="$ROOT/target/release/examples/parsing_floor --port {port}"
export CHATBRIDGE_SLACK_CMD="$server" CHATBRIDGE_DISCORD_CMD="$server"

only=floor_hello,floor_slack,parse_floor_slack,chatbridge_slack,floor_discord,parse_floor_discord,chatbridge_discord
if [ $peers = 1 ]; then
  only=bolt_py_gunicorn,bolt_js,discord_js_express,discord_py_gunicorn,$only
fi
export PEERS_ONLY=${PEERS_ONLY:-$only}
echo "[bench-peers] rows: $PEERS_ONLY" >&2

# One harness call for one row: the parsing floors run as the chatbridge row of their platform,
# with the command swapped, and are renamed in the harness's http.json.
run_row() {
  local row=$1 kind
  case $row in
    parse_floor_*)
      kind=${row#parse_floor_}
      env "CHATBRIDGE_${kind^^}_CMD=$floor $kind" PEERS_ONLY="chatbridge_$kind" \
        "$PEERS_DIR/run_all.sh" --no-install http
      python3 - "$results/http.json" "$row" "$kind" <<'PY'
import json, sys
path, row, kind = sys.argv[1:]
label = {"slack": "hyper + HMAC + serde_urlencoded (parsing floor)",
         "discord": "hyper + Ed25519 + twilight-model (parsing floor)"}[kind]
rows = json.load(open(path))
for r in rows:
    r["key"], r["peer"] = row, label
json.dump(rows, open(path, "w"), indent=1)
PY
      ;;
    *) PEERS_ONLY=$row "$PEERS_DIR/run_all.sh" --no-install http ;;
  esac
}

echo "[bench-peers] machine: $(lscpu | sed -n 's/^Model name: *//p') x $(nproc); load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
rounds=${ROUNDS:-1}
results="$PEERS_WORK/results"
mkdir -p "$results"
"$PEERS_DIR/run_all.sh" --install-only
rest=()
for s in "${steps[@]}"; do [ "$s" = http ] || rest+=("$s"); done
if [ ${#rest[@]} -lt ${#steps[@]} ]; then
  # Each round runs every row once (REPEAT defaults to 1 here), so that the rows compared
  # are measured minutes, not a quarter of an hour, apart. Rows run one harness call each, in
  # PEERS_ONLY's order in odd rounds and in reverse in even ones, so that no row of a
  # comparison is always measured first: which runs first can move a ratio by several per
  # cent on this kind of machine (docs/performance.md), and an even number of rounds cancels
  # that out.
  rm -f "$results"/http-round*.json "$results/http-rounds.log"
  export REPEAT=${REPEAT:-1}
  IFS=, read -r -a rows <<< "$PEERS_ONLY"
  for r in $(seq "$rounds"); do
    order=("${rows[@]}")
    if [ $((r % 2)) = 0 ]; then
      order=(); for ((i = ${#rows[@]} - 1; i >= 0; i--)); do order+=("${rows[i]}"); done
    fi
    echo "[bench-peers] round $r of $rounds: ${order[*]}" >&2
    parts=()
    for row in "${order[@]}"; do
      run_row "$row" >> "$results/http-rounds.log"
      cp "$results/http.json" "$results/http-round$r-$row.json"
      parts+=("$results/http-round$r-$row.json")
    done
    python3 -c 'import json, sys; json.dump([row for p in sys.argv[2:] for row in json.load(open(p))], open(sys.argv[1], "w"), indent=1)' \
      "$results/http-round$r.json" "${parts[@]}"
    rm -f "${parts[@]}"
  done
  cp "$results/http-round$rounds.json" "$results/http.json" # the last round, for report.py
fi
if [ ${#rest[@]} -gt 0 ]; then
  # The other steps know only the harness's own rows.
  PEERS_ONLY=$(tr , '\n' <<< "$PEERS_ONLY" | grep -v '^parse_floor_' | paste -sd,) \
    "$PEERS_DIR/run_all.sh" --no-install "${rest[@]}"
fi
if [ ${#rest[@]} -lt ${#steps[@]} ]; then
  python3 "$ROOT/scripts/bench-rounds.py" "$results" | tee "$results/rounds.md"
  echo "[bench-peers] ratios per round: $results/rounds.md" >&2
fi
"${PEERS_VENV:-/tmp/peers-venv}/bin/python" "$PEERS_DIR/report.py" --md > "$results/table.md"
echo "[bench-peers] markdown table: $results/table.md" >&2
