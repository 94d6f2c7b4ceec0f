#!/usr/bin/env bash
# Instructions per request under valgrind's callgrind: repeatable on a busy machine, where
# wall-clock figures are not. For each path, runs bench_profile with N1 and N2 requests and
# reports (I(N2) - I(N1)) / (N2 - N1), so start-up cost cancels out, less the same figure for
# only building the requests (PATH:setup).
#
#   scripts/bench-callgrind.sh                       # every path
#   scripts/bench-callgrind.sh slack_command bare_hmac
#
# Note: under valgrind, sha2 takes its portable code path (no SHA extensions), so the crypto
# weighs more here than on the real CPU; compare the non-crypto remainder.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 2; }
(cd "$ROOT" && cargo build --release -q -p chatbridge-examples --example bench_profile)
BIN="$ROOT/target/release/examples/bench_profile"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
paths=("$@")
[ ${#paths[@]} -eq 0 ] && paths=(bare_hmac slack_verify slack_command slack_event bare_ed25519 discord_command lex_v2)
count() { valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.out" "$BIN" "$1" "$2" 2>&1 | sed -n 's/.*Collected : //p'; }
printf '%-16s %14s\n' path instr/request
for p in "${paths[@]}"; do
  case $p in bare_ed25519|discord_command) n1=100 n2=300 ;; *) n1=500 n2=1500 ;; esac
  i1=$(count "$p" $n1); i2=$(count "$p" $n2)
  s1=$(count "$p:setup" $n1); s2=$(count "$p:setup" $n2)
  printf '%-16s %14d\n' "$p" $(( (i2 - i1 - (s2 - s1)) / (n2 - n1) ))
done
