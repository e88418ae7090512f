#!/usr/bin/env bash
# Intake benchmark (issue 4): incident creation with triage, point-in-polygon, the duplicate
# check and the recommendation, at a steady 200 incidents/s while 1,000 units keep reporting
# positions, on the Porto road graph. Starts the release `pingan serve` on a fresh database
# with a grid of jurisdictions (4×4) and patrol areas (12×12) over central Porto, registers
# the fleet, and drives it with bench/api's load_client. Writes the JSON file given as $1
# (default build/bench/intake.json).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-build/bench/intake.json}
bin=build/release/src/cli/pingan
client=build/release/bench/api/load_client
data=${DATA:-$(realpath ../shared/data)}
seconds=${SECONDS_PER_MEASURE:-20}
units=${UNITS:-1000}
rate=${RATE:-200}
bbox=41.140,-8.660,41.180,-8.570 # south,west,north,east
[ -x "$bin" ] && [ -x "$client" ] || { echo "build the release preset first (make release)" >&2; exit 1; }
[ -f "$data/roads/porto.osm.pbf" ] || { echo "no $data/roads/porto.osm.pbf" >&2; exit 1; }

dir=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$dir"' EXIT
"$bin" import osm "$data/roads/porto.osm.pbf" --out "$dir/porto.graph" >/dev/null
python3 - "$dir" "$bbox" <<'PY'
import json, sys
folder, bbox = sys.argv[1], [float(v) for v in sys.argv[2].split(",")]
s, w, n, e = bbox
def grid(k, prefix):
    feats = []
    for i in range(k):
        for j in range(k):
            x0, x1 = w + (e - w) * i / k, w + (e - w) * (i + 1) / k
            y0, y1 = s + (n - s) * j / k, s + (n - s) * (j + 1) / k
            ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
            feats.append({"type": "Feature", "properties": {"NAME": f"{prefix}{i}-{j}"},
                          "geometry": {"type": "Polygon", "coordinates": [ring]}})
    return {"type": "FeatureCollection", "features": feats}
json.dump(grid(4, "J"), open(f"{folder}/jurisdictions.geojson", "w"))
json.dump(grid(12, "P"), open(f"{folder}/patrol.geojson", "w"))
PY
"$bin" import boundaries "$dir/jurisdictions.geojson" --layer jurisdiction --name-field NAME --db "$dir/bench.db" >/dev/null
"$bin" import boundaries "$dir/patrol.geojson" --layer patrol_area --name-field NAME --db "$dir/bench.db" >/dev/null
echo 'Bench-Pass-2026' | "$bin" user add bench --role admin --db "$dir/bench.db" >/dev/null
"$bin" serve --db "$dir/bench.db" --graph "$dir/porto.graph" --port 0 --port-file "$dir/port" \
  >"$dir/server.log" 2>&1 &
server=$!
for _ in $(seq 300); do [ -s "$dir/port" ] && break; sleep 0.1; done
port=$(cat "$dir/port")
token=$(curl -sf -X POST "http://127.0.0.1:$port/api/v1/login" \
          -d '{"username":"bench","password":"Bench-Pass-2026"}' | sed -E 's/.*"token":"([0-9a-f]+)".*/\1/')
# The fleet, spread over the same box (ids 1..units, as load_client assumes).
python3 - "$bbox" "$units" >"$dir/units.txt" <<'PY'
import sys
s, w, n, e = [float(v) for v in sys.argv[1].split(",")]
k = int(sys.argv[2])
for i in range(k):
    lat = s + (n - s) * ((i * 7919) % 997) / 997
    lon = w + (e - w) * ((i * 104729) % 991) / 991
    print(f'{{"callsign":"P-{i + 1}","agency":"police","lat":{lat:.6f},"lon":{lon:.6f}}}')
PY
while read -r body; do
  curl -sf -o /dev/null -X POST -H "Authorization: Bearer $token" --data-binary "$body" \
       "http://127.0.0.1:$port/api/v1/units"
done <"$dir/units.txt"

"$client" --port "$port" --token "$token" --out "$out" --connections 16 --seconds "$seconds" \
          --units "$units" --bbox "$bbox" --intake-rate "$rate" --position-rate 500 \
          --only api_intake_with_moving_units
echo "wrote $out" >&2
