#!/usr/bin/env bash
# make demo: starts pingan on a fresh demo database with an admin account and a small fleet,
# and prints how to use it. With the real data in ../shared/data (or OSM=… BOUNDARIES=…
# INCIDENTS=…) it loads that city; without it, it starts empty and says how to import one.
#   scripts/demo.sh [dc|chengdu]
set -euo pipefail
cd "$(dirname "$0")/.."
city=${1:-dc}
bin=build/release/src/cli/pingan
[ -x "$bin" ] || { echo "build first: make release" >&2; exit 1; }
data=${DATA:-$(realpath ../shared/data 2>/dev/null || true)}
port=${PORT:-8080}
dir=build/demo/$city
rm -rf "$dir"
mkdir -p "$dir"
db=$dir/pingan.db

password="demo-$(head -c 9 /dev/urandom | od -An -tx1 | tr -d ' \n')"
echo "$password" | "$bin" user add admin --role admin --db "$db" >/dev/null

# The city: its roads (for the base map and recommendations by road time), its areas, and
# the calls that arrive. Overridable: OSM=… BOUNDARIES=… INCIDENTS=… (BOUNDARIES: jurisdiction
# layer; a file with a PSA property also loads as patrol areas).
case "$city" in
  chengdu)
    osm=${OSM:-$data/roads/chengdu-center.osm}; boundaries=${BOUNDARIES:-}; incidents=${INCIDENTS:-}
    name_field=${NAME_FIELD:-name}; bbox=30.6528,104.0421,30.7279,104.1296 ;;
  *)
    osm=${OSM:-$data/roads/dc-nw.osm.pbf}
    boundaries=${BOUNDARIES:-$data/boundaries/dc_districts_from_psa_2018.geojson}
    incidents=${INCIDENTS:-$(ls "$data"/incidents/dc_crime_*.csv 2>/dev/null | head -1)}
    name_field=${NAME_FIELD:-DISTRICT}; bbox=38.880,-77.107,38.976,-76.974 ;;
esac
serve_args=(--db "$db" --port "$port" --bind 127.0.0.1 --port-file "$dir/port")
[ "$city" = chengdu ] && serve_args+=(--utc-offset 480)
[ -d web/dist ] && serve_args+=(--static-dir web/dist)
have_city=0
if [ -n "$osm" ] && [ -f "$osm" ]; then
  graph=build/demo/$city.graph
  if [ ! -f "$graph" ] || [ "$osm" -nt "$graph" ]; then
    echo "importing the road network from $osm …"
    "$bin" import osm "$osm" --out "$graph" >/dev/null
  fi
  serve_args+=(--graph "$graph")
  have_city=1
fi
if [ -n "$boundaries" ] && [ -f "$boundaries" ]; then
  "$bin" import boundaries "$boundaries" --layer jurisdiction --name-field "$name_field" --db "$db" >/dev/null
  psa=$(dirname "$boundaries")/dc_psa_2018.geojson
  if [ "$city" = dc ] && [ -z "${BOUNDARIES:-}" ] && [ -f "$psa" ]; then
    "$bin" import boundaries "$psa" --layer patrol_area --name-field PSA --db "$db" >/dev/null
  fi
fi

# A sample camera register (made up, labelled DEMO-: positions on a grid over the city, views
# in turning directions; the stream addresses point nowhere), so the console's cameras tab and
# the incident detail show which cameras would see a call. CAMERAS=file.csv uses a real one.
cameras=${CAMERAS:-}
if [ -z "$cameras" ] && [ "$have_city" = 1 ]; then
  cameras=$dir/cameras.csv
  IFS=, read -r s0 w0 n0 e0 <<<"$bbox"
  awk -v s="$s0" -v w="$w0" -v n="$n0" -v e="$e0" 'BEGIN {
    print "id,lat,lon,heading_deg,fov_deg,range_m,stream_kind,stream_url,owner,sharing"
    k = 0
    for (i = 1; i <= 8; i++) for (j = 1; j <= 8; j++) {
      k++
      lat = s + (n - s) * (i - 0.5) / 8; lon = w + (e - w) * (j - 0.5) / 8
      fov = (k % 5 == 0) ? 360 : 60 + 15 * (k % 4)
      sharing = (k % 7 == 0) ? "owner_only" : "shared"
      printf "DEMO-%02d,%.5f,%.5f,%d,%d,%d,rtsp,rtsp://camera.invalid/demo/%d,demo,%s\n",
             k, lat, lon, (k * 47) % 360, fov, 150 + 25 * (k % 5), k, sharing
    }
  }' >"$cameras"
fi
[ -n "$cameras" ] && [ -f "$cameras" ] && serve_args+=(--cameras "$cameras")

# A sample patrol plan (made up, labelled DEMO: 必巡区域/点位): three areas of about 1.4 km
# around the starting places of the first three patrol cars (the fleet's formula below), five
# required points in each, 300-450 m from the middle. Points 1-4 are owed in 2-hour windows
# every 4 hours, staggered by an hour, so some window is always open and some always closing;
# point 5 is owed once per shift. PATROL=file.geojson uses a real plan (docs/field.md "Patrols").
patrol=${PATROL:-}
if [ -z "$patrol" ] && [ "$have_city" = 1 ]; then
  patrol=$dir/patrol.geojson
  IFS=, read -r s0 w0 n0 e0 <<<"$bbox"
  awk -v s="$s0" -v w="$w0" -v n="$n0" -v e="$e0" -v zh="$([ "$city" = chengdu ] && echo 1 || echo 0)" 'BEGIN {
    split("school gate|metro entrance|bank branch|night market|park", en, "|")
    split("学校门口|地铁站口|银行网点|夜市|公园", cn, "|")
    split("0.55 0.30|-0.45 0.55|-0.55 -0.35|0.35 -0.55|0.05 0.65", off, "|")
    dlat = 0.006; dlon = 0.008
    printf "{\"type\":\"FeatureCollection\",\"features\":["
    sep = ""
    for (k = 1; k <= 3; k++) {
      lat = s + (n - s) * (0.15 + 0.7 * ((k * 37) % 16) / 15); lon = w + (e - w) * (0.15 + 0.7 * ((k * 11) % 16) / 15)
      area = zh ? sprintf("演示巡区%d", k) : sprintf("DEMO area %d", k)
      printf "%s{\"type\":\"Feature\",\"properties\":{\"id\":\"DEMO-A%d\",\"name\":\"%s\"},", sep, k, area
      printf "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[%.5f,%.5f],[%.5f,%.5f],[%.5f,%.5f],[%.5f,%.5f],[%.5f,%.5f]]]}}",
             lon - dlon, lat - dlat, lon + dlon, lat - dlat, lon + dlon, lat + dlat, lon - dlon, lat + dlat, lon - dlon, lat - dlat
      sep = ","
      for (j = 1; j <= 5; j++) {
        split(off[j], o, " ")
        name = zh ? sprintf("演示-%s", cn[j]) : sprintf("DEMO %s", en[j])
        windows = ""
        if (j <= 4) {
          for (h = j - 1; h < 24; h += 4) {
            windows = windows sprintf("%s\"%02d:00-%02d:00\"", windows == "" ? "" : ",", h, h + 2 > 24 ? h + 2 - 24 : h + 2)
          }
        }
        printf ",{\"type\":\"Feature\",\"properties\":{\"id\":\"DEMO-A%d-P%d\",\"area_id\":\"DEMO-A%d\",\"name\":\"%s\",", k, j, k, name
        printf "\"radius_m\":50,\"min_dwell_s\":60,\"windows\":[%s]},", windows
        printf "\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.5f,%.5f]}}", lon + dlon * o[1], lat + dlat * o[2]
      }
    }
    print "]}"
  }' >"$patrol"
fi
[ -n "$patrol" ] && [ -f "$patrol" ] && serve_args+=(--patrol "$patrol")

"$bin" serve "${serve_args[@]}" >"$dir/server.log" 2>&1 &
server=$!
feed=
trap 'kill $feed $server 2>/dev/null; wait $server 2>/dev/null; echo; echo "pingan stopped."' EXIT INT TERM
for _ in $(seq 300); do [ -s "$dir/port" ] && break; sleep 0.1; done
[ -s "$dir/port" ] || { cat "$dir/server.log"; exit 1; }
url="http://127.0.0.1:$port"
token=$(curl -sf -X POST "$url/api/v1/login" -d "{\"username\":\"admin\",\"password\":\"$password\"}" |
          sed -E 's/.*"token":"([0-9a-f]+)".*/\1/')
api() { curl -sf -H "Authorization: Bearer $token" "$@"; }

# The fleet, spread over the city: 12 patrol cars, 2 fire engines, 2 ambulances.
case "$city" in
  chengdu) prefix="成都巡" ;;
  *)       prefix="DC-" ;;
esac
IFS=, read -r south west north east <<<"$bbox"
i=0
patrol_cars=()
for agency in police police police police police police police police police police police police fire fire ems ems; do
  i=$((i + 1))
  lat=$(awk -v s="$south" -v n="$north" -v k="$i" 'BEGIN { printf "%.5f", s + (n - s) * (0.15 + 0.7 * ((k * 37) % 16) / 15) }')
  lon=$(awk -v w="$west" -v e="$east" -v k="$i" 'BEGIN { printf "%.5f", w + (e - w) * (0.15 + 0.7 * ((k * 11) % 16) / 15) }')
  id=$(api -X POST "$url/api/v1/units" \
      -d "{\"callsign\":\"$prefix$((100 + i))\",\"agency\":\"$agency\",\"lat\":$lat,\"lon\":$lon}" |
       sed -E 's/^\{"id":([0-9]+).*/\1/')
  [ "$agency" = police ] && patrol_cars+=("$id")
done

# Patrol shifts from now for 8 hours: the first three patrol cars, one to each of the plan's
# first three areas (the sample plan's areas are around where these cars start).
if [ -n "$patrol" ] && [ -f "$patrol" ]; then
  start=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  end=$(date -u -d '+8 hours' +%Y-%m-%dT%H:%M:%SZ)
  areas=$(api "$url/api/v1/patrol/plan" | grep -o '"areas":\[[^]]*\]' | grep -o '"id":"[^"]*"' | cut -d'"' -f4 | head -3)
  k=0
  for area in $areas; do
    api -o /dev/null -X POST "$url/api/v1/patrol/shifts" \
        -d "{\"unit_id\":${patrol_cars[$k]},\"area_id\":\"$area\",\"start\":\"$start\",\"end\":\"$end\"}" ||
      echo "could not assign unit ${patrol_cars[$k]} to patrol area $area" >&2
    k=$((k + 1))
  done
fi
lat0=$(awk -v s="$south" -v n="$north" 'BEGIN { printf "%.5f", (s + n) / 2 }')
lon0=$(awk -v w="$west" -v e="$east" 'BEGIN { printf "%.5f", (w + e) / 2 }')

# Calls keep arriving (labelled as simulated), units are sent, drive, work and clear.
if [ "$have_city" = 1 ] && [ "${FEED:-1}" = 1 ]; then
  feed_args=(--url "$url" --token "$token" --bbox "$bbox" --every "${EVERY:-8}")
  [ -n "$incidents" ] && [ -f "$incidents" ] && feed_args+=(--incidents "$incidents")
  python3 scripts/demo_feed.py "${feed_args[@]}" >"$dir/feed.log" 2>&1 &
  feed=$!
fi

cat <<MSG

  pingan is running at $url  (city: $city; database: $db)
  admin password: $password

  Try it (in another terminal):
    export PINGAN_TOKEN=$token
    curl -s -H "Authorization: Bearer \$PINGAN_TOKEN" -X POST $url/api/v1/incidents \\
         -d '{"lat":$lat0,"lon":$lon0,"category":"theft","description":"bicycle stolen"}'
    $bin stream --url $url --after 0      # the live event stream
    $bin audit verify --db $db             # check the hash chain
  Open $url in a browser for the command console (log in as admin).
  Sample cameras (DEMO-…, made up) are on the map; an incident's detail lists the ones that
  see it, and its containment plan shows the checkpoints to seal (封控圈).

MSG
if [ -n "$patrol" ] && [ -f "$patrol" ]; then
  echo "  Three patrol cars are on patrol shifts (巡逻 tab, Alt+P); with the feed they drive their"
  echo "  suggested tours and their visits to the required points (DEMO, made up) show live."
  echo
fi
echo "  Press Ctrl-C to stop."
if [ "$have_city" = 1 ]; then
  echo "  Simulated calls arrive every ${EVERY:-8} s (FEED=0 to switch off; log: $dir/feed.log)."
else
  echo "  (No road network found (looked for ${osm:-nothing}): the city is empty. Import one with"
  echo "   pingan import osm FILE.osm.pbf --out city.graph and pingan serve --graph city.graph,"
  echo "   or run make demo OSM=FILE.osm.pbf BOUNDARIES=areas.geojson NAME_FIELD=name.)"
fi
wait $server
