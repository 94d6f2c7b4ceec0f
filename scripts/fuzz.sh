#!/usr/bin/env bash
# Runs every fuzz target in turn, on one core, for SECONDS each (default 240), seeded from
# fuzz/corpus/<target>; new inputs go to fuzz/target/corpus/<target> (not committed).
# Needs cargo-fuzz (`cargo install cargo-fuzz`); on a stable toolchain RUSTC_BOOTSTRAP=1
# lets it use the nightly flags it needs.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/../fuzz"
seconds="${1:-240}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(slack_events slack_commands slack_interactions slack_verify
             discord_interactions discord_verify lex_v1 lex_v2)
fi
core="${FUZZ_CORE:-1}"
export RUSTC_BOOTSTRAP=1
taskset -c "$core" cargo fuzz build -O
for target in "${targets[@]}"; do
    mkdir -p "target/corpus/$target"
    log="target/fuzz-$target.log"
    echo "== $target: ${seconds}s on core $core (log: fuzz/$log)"
    taskset -c "$core" cargo fuzz run -O "$target" "target/corpus/$target" "corpus/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 -timeout=10 \
        -print_final_stats=1 >"$log" 2>&1 || { echo "!! $target failed: see fuzz/$log"; tail -30 "$log"; }
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb|Done [0-9]+ runs" "$log" || true
    echo "corpus: $(ls "target/corpus/$target" | wc -l) new + $(ls "corpus/$target" | wc -l) seeds"
done
