#!/usr/bin/env bash
# Console benchmarks in Debian's Chromium (issue 5): Porto road graph, 2,000 units and 1,000
# open incidents; first meaningful paint of a console, and how long a committed event takes to
# appear on N open consoles (default 50). Writes $1 (default build/bench/console.json) in the
# Google Benchmark JSON shape: entries with name and p50_us / p99_us counters.
#   bench/console/run.sh [OUT]       CONSOLES=50 SOCKETS=$CONSOLES EVENTS=40 UNITS=2000 MOVING=$UNITS INCIDENTS=1000 PAINTS=5
#   PINGAN_BIN=build/h5/src/cli/pingan GRAPH=/tmp/porto.graph bench/console/run.sh   another build
#   STATIC_DIR=/tmp/console-before bench/console/run.sh                              another console build
#   STATIC_DIR=bench/console/floor MOVING=0 bench/console/run.sh                     the floor: a page that only shows the last number
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-build/bench/console.json}
bin=${PINGAN_BIN:-build/release/src/cli/pingan}
static=${STATIC_DIR:-web/dist}   # STATIC_DIR=… another build of the console (A/B runs)
data=${DATA:-$(realpath ../shared/data 2>/dev/null || echo ../shared/data)}
[ -x "$bin" ] || { echo "build the release preset first (make release)" >&2; exit 1; }
[ -f "$static/index.html" ] || { echo "build the console first (make web)" >&2; exit 1; }
[ -f "$data/roads/porto.osm.pbf" ] || { echo "real data missing: $data/roads/porto.osm.pbf" >&2; exit 1; }
mkdir -p build/bench "$(dirname "$out")"
graph=${GRAPH:-build/bench/porto.graph}   # GRAPH=… keeps a separate copy (e.g. per build)
if [ ! -f "$graph" ] || [ "$graph" -ot "$bin" ]; then
  "$bin" import osm "$data/roads/porto.osm.pbf" --out "$graph" >/dev/null
fi

dir=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
echo 'Bench-Pass-2026' | "$bin" user add bench --role admin --db "$dir/bench.db" >/dev/null
"$bin" serve --db "$dir/bench.db" --port 0 --port-file "$dir/port" --graph "$graph" \
       --static-dir "$static" >"$dir/server.log" 2>&1 &
server=$!
for _ in $(seq 200); do [ -s "$dir/port" ] && break; sleep 0.1; done
[ -s "$dir/port" ] || { cat "$dir/server.log" >&2; exit 1; }
URL="http://127.0.0.1:$(cat "$dir/port")" OUT="$out" node --experimental-websocket --no-warnings bench/console/console_bench.mjs
