#!/usr/bin/env bash
# Load and soak: the release `pingan serve` on a fresh durable database (BACKEND sqlite or
# postgresql) under a mixed workload for MINUTES, while 50 WebSocket clients follow the
# stream. Writes build/bench/soak-BACKEND.json (per route: rate, p50/p99; event lag) and
# build/bench/soak-BACKEND-rss.csv (the server's RSS every 10 s), prints the RSS growth, and
# keeps the server's log in build/bench/soak-BACKEND-server.log.
#   bench/soak/run.sh sqlite 30
# Rates (per second) from the environment: INTAKE (incidents, default 200; each is then
# dispatched, on scene, cleared and closed: 4 more requests), POSITIONS (500), READS (50);
# WS_CLIENTS (50), UNITS (1000).
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/database.sh
backend=${1:?usage: bench/soak/run.sh sqlite|postgresql MINUTES}
minutes=${2:?usage: bench/soak/run.sh sqlite|postgresql MINUTES}
bin=${PINGAN_BIN:-build/release/src/cli/pingan}
client=build/release/bench/api/load_client
[ -x "$bin" ] && [ -x "$client" ] || { echo "build the release preset first (make release)" >&2; exit 1; }
mkdir -p build/bench
out=build/bench/soak-$backend.json
rss_csv=build/bench/soak-$backend-rss.csv
units=${UNITS:-1000}

dir=$(mktemp -d)
chmod 755 "$dir"
cleanup() {
  kill "${sampler:-}" "${server:-}" 2>/dev/null || true
  wait 2>/dev/null || true
  cp "$dir/server.log" "build/bench/soak-$backend-server.log" 2>/dev/null || true
  bench_database_stop "$dir"
  rm -rf "$dir"
}
trap cleanup EXIT
db=$(bench_database "$backend" "$dir") || exit 2
echo 'Soak-Pass-2026' | "$bin" user add soak --role admin --db "$db" >/dev/null
${SERVE_WRAPPER:-} "$bin" serve --db "$db" --port 0 --port-file "$dir/port" >"$dir/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do [ -s "$dir/port" ] && break; sleep 0.1; done
port=$(cat "$dir/port")
token=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/login" \
          -d '{"username":"soak","password":"Soak-Pass-2026"}' | sed -E 's/.*"token":"([0-9a-f]+)".*/\1/')
for i in $(seq "$units"); do
  printf '{"callsign":"S-%d","agency":"police","lat":38.9,"lon":-77.0}\n' "$i"
done | while read -r body; do
  curl -sf -o /dev/null -X POST -H "Authorization: Bearer $token" --data-binary "$body" \
       "http://127.0.0.1:$port/api/v1/units"
done

echo "seconds,rss_kib" >"$rss_csv"
start=$(date +%s)
( while kill -0 "$server" 2>/dev/null; do
    echo "$(( $(date +%s) - start )),$(awk '/^VmRSS/ {print $2}' /proc/$server/status)" >>"$rss_csv"
    sleep 10
  done ) &
sampler=$!

"$client" --port "$port" --token "$token" --out "$out" --only api_soak \
          --seconds $((minutes * 60)) --units "$units" \
          --intake-rate "${INTAKE:-200}" --position-rate "${POSITIONS:-500}" \
          --read-rate "${READS:-50}" --ws-clients "${WS_CLIENTS:-50}"
kill "$sampler" 2>/dev/null || true
# Growth: the last sample against the first one after a tenth of the run (warm-up done).
awk -F, -v warm=$((minutes * 6)) 'NR > 1 && $1 >= warm && !base { base = $2 } NR > 1 { last = $2 }
  END { if (base) printf "RSS after warm-up %d KiB, at the end %d KiB: %+.1f%%\n", base, last, 100 * (last - base) / base }' "$rss_csv"
echo "wrote $out and $rss_csv" >&2
