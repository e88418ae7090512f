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

serve_args=(--db "$db" --port "$port" --bind 127.0.0.1 --port-file "$dir/port")
[ "$city" = chengdu ] && serve_args+=(--utc-offset 480)
[ -d web/dist ] && serve_args+=(--static-dir web/dist)

"$bin" serve "${serve_args[@]}" >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; echo; echo "pingan stopped."' EXIT INT TERM
for _ in $(seq 100); do [ -s "$dir/port" ] && break; sleep 0.1; done
[ -s "$dir/port" ] || { cat "$dir/server.log"; exit 1; }
url="http://127.0.0.1:$port"
token=$(curl -sf -X POST "$url/api/v1/login" -d "{\"username\":\"admin\",\"password\":\"$password\"}" |
          sed -E 's/.*"token":"([0-9a-f]+)".*/\1/')
api() { curl -sf -H "Authorization: Bearer $token" "$@"; }

# A small fleet around the city centre.
case "$city" in
  chengdu) lat0=30.6586; lon0=104.0648; prefix="成都巡" ;;
  *)       lat0=38.9072; lon0=-77.0369; prefix="DC-" ;;
esac
i=0
for agency in police police police police fire ems; do
  i=$((i + 1))
  lat=$(awk -v a="$lat0" -v k="$i" 'BEGIN { printf "%.5f", a + (k % 3 - 1) * 0.012 }')
  lon=$(awk -v a="$lon0" -v k="$i" 'BEGIN { printf "%.5f", a + (k % 2 - 0.5) * 0.02 + k * 0.002 }')
  api -o /dev/null -X POST "$url/api/v1/units" \
      -d "{\"callsign\":\"$prefix$((100 + i))\",\"agency\":\"$agency\",\"lat\":$lat,\"lon\":$lon}"
done

cat <<MSG

  pingan is running at $url  (city: $city; database: $db)
  admin password: $password

  Try it (in another terminal):
    export PINGAN_TOKEN=$token
    curl -s -H "Authorization: Bearer \$PINGAN_TOKEN" -X POST $url/api/v1/incidents \\
         -d '{"lat":$lat0,"lon":$lon0,"category":"theft","description":"bicycle stolen"}'
    $bin stream --url $url --after 0      # the live event stream
    $bin audit verify --db $db             # check the hash chain

  Press Ctrl-C to stop.
MSG
if [ -z "$data" ] || [ ! -d "$data" ]; then
  echo "  (No real data found at ../shared/data: the city is empty. Import one with"
  echo "   pingan import osm FILE.osm.pbf --out city.graph and pingan serve --graph city.graph.)"
fi
wait $server
