#!/usr/bin/env bash
# Runs every benchmark of the release build and writes machine-readable results to
# build/bench/<name>.json (Google Benchmark JSON; load tests write the same shape).
#   scripts/bench.sh            all benchmarks
#   scripts/bench.sh road api   only these
# Real data comes from $DATA (default ../shared/data).
set -euo pipefail
cd "$(dirname "$0")/.."
export DATA="${DATA:-$(realpath ../shared/data 2>/dev/null || echo ../shared/data)}"
out=build/bench
mkdir -p "$out"
only=("$@")

want() { [ ${#only[@]} -eq 0 ] && return 0; for o in "${only[@]}"; do [ "$o" = "$1" ] && return 0; done; return 1; }

status=0
# Google Benchmark programs: build/release/bench/<dir>/bench_<name>
while IFS= read -r prog; do
  name=$(basename "$prog"); name=${name#bench_}
  want "$name" || continue
  echo "== bench $name"
  "$prog" --benchmark_out="$out/$name.json" --benchmark_out_format=json \
          --benchmark_counters_tabular=true || status=1
done < <(find build/release/bench -maxdepth 2 -type f -name 'bench_*' -perm -u+x | sort)

# Load tests against a real server: bench/<name>/run.sh writes $out/<name>.json itself.
for script in bench/*/run.sh; do
  [ -x "$script" ] || continue
  name=$(basename "$(dirname "$script")")
  want "$name" || continue
  echo "== load $name"
  "$script" "$out/$name.json" || status=1
done
exit $status
