#!/usr/bin/env bash
# API load benchmarks: starts the release `pingan serve` on a fresh database in a temporary
# folder, registers units, and drives it with load_client. Writes the JSON file given as $1
# (default build/bench/api.json), adding the commit batch sizes read from /metrics.
# BACKEND=postgresql runs the same against a fresh PostgreSQL 15 cluster with fsync and
# synchronous commit on (scripts/pg_temp.sh); ONLY=measure runs one measure.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-build/bench/api.json}
bin=${PINGAN_BIN:-build/release/src/cli/pingan} # PINGAN_BIN=… measures another build
client=build/release/bench/api/load_client
seconds=${SECONDS_PER_MEASURE:-15}
[ -x "$bin" ] && [ -x "$client" ] || { echo "build the release preset first (make release)" >&2; exit 1; }

dir=$(mktemp -d)
chmod 755 "$dir"
backend=${BACKEND:-sqlite}
source bench/database.sh
cleanup() {
  kill "${server:-}" 2>/dev/null || true
  wait 2>/dev/null || true
  bench_database_stop "$dir"
  rm -rf "$dir"
}
trap cleanup EXIT
db=$(bench_database "$backend" "$dir") || exit 2
echo 'Bench-Pass-2026' | "$bin" user add bench --role admin --db "$db" >/dev/null
"$bin" serve --db "$db" --port 0 --port-file "$dir/port" >"$dir/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do [ -s "$dir/port" ] && break; sleep 0.1; done
port=$(cat "$dir/port")
token=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/login" \
          -d '{"username":"bench","password":"Bench-Pass-2026"}' | sed -E 's/.*"token":"([0-9a-f]+)".*/\1/')
units=1000
for i in $(seq $units); do
  printf '{"callsign":"B-%d","agency":"police","lat":38.9,"lon":-77.0}' "$i" |
    curl -sf -o /dev/null -X POST -H "Authorization: Bearer $token" --data-binary @- \
         "http://127.0.0.1:$port/api/v1/units"
done

"$client" --port "$port" --token "$token" --out "$dir/load.json" --connections ${CONNECTIONS:-64} \
          --seconds "$seconds" --units $units ${ONLY:+--only "$ONLY"}

metrics=$(curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/metrics")
batch_sum=$(awk '/^pingan_commit_batch_changes_sum/ {print $2}' <<<"$metrics")
batch_count=$(awk '/^pingan_commit_batch_changes_count/ {print $2}' <<<"$metrics")
mean_batch=$(awk -v s="$batch_sum" -v c="$batch_count" 'BEGIN { printf "%.1f", (c > 0 ? s / c : 0) }')
commit_sum=$(awk '/^pingan_commit_duration_seconds_sum/ {print $2}' <<<"$metrics")
mean_commit_us=$(awk -v s="$commit_sum" -v c="$batch_count" 'BEGIN { printf "%.0f", (c > 0 ? s / c * 1e6 : 0) }')
# The batch size over the whole run goes into every entry's counters.
sed -E "s/\"failed\": ([0-9]+)/\"failed\": \1, \"commit_batch_mean\": $mean_batch/" "$dir/load.json" >"$out"
echo "commit batches: $batch_count, mean $mean_batch commands per fsync, mean ${mean_commit_us} µs per commit" >&2
echo "wrote $out" >&2
