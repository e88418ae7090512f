#!/usr/bin/env bash
# Runs libFuzzer targets built by `make fuzz-build`: scripts/fuzz.sh SECONDS TARGET...
# Each starts from tests/fuzz-corpus/TARGET (checked in: seeds and every input that once
# failed) plus what earlier runs found (build/fuzz/corpus/TARGET). A crash, sanitizer report,
# leak or slow input fails the run and leaves the input in build/fuzz/crashes/: add it to the
# checked-in corpus with the fix, so it stays a regression case.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=$1
shift
mkdir -p build/fuzz/crashes
for t in "$@"; do
  seeds=tests/fuzz-corpus/$t
  found=build/fuzz/corpus/$t
  mkdir -p "$seeds" "$found"
  echo "fuzz_$t: ${seconds} s"
  # Every checked-in input first, alone: the regression cases must pass as they are.
  if compgen -G "$seeds/*" >/dev/null; then
    build/fuzz/fuzz/fuzz_$t -runs=0 "$seeds" 2>build/fuzz/$t.regression.log ||
      { tail -40 build/fuzz/$t.regression.log; exit 1; }
  fi
  build/fuzz/fuzz/fuzz_$t "$found" "$seeds" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix=build/fuzz/crashes/"$t"- 2>build/fuzz/$t.log ||
    { tail -60 build/fuzz/$t.log; echo "fuzz_$t failed: input in build/fuzz/crashes/" >&2; exit 1; }
  grep -E "stat::number_of_executed_units|stat::new_units_added" build/fuzz/$t.log | tr '\n' ' '
  echo
done
