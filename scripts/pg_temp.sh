#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster on a loopback port, for tests and benchmarks.
#   scripts/pg_temp.sh start DIR PORT        initdb in DIR and start; prints a connection URI
#   scripts/pg_temp.sh stop DIR              stop the cluster and delete DIR
#   scripts/pg_temp.sh psql DIR PORT ARGS…   run psql against it (stdin passes through)
#   scripts/pg_temp.sh halt DIR              stop the server but keep DIR (tests of outages)
#   scripts/pg_temp.sh resume DIR PORT       start a halted cluster again
# PG_DURABLE=1: fsync and synchronous commit as in production (benchmarks of durable writes).
# PostgreSQL refuses to run as root: when root (as in CI), every server command runs as the
# `postgres` user through runuser, and DIR is handed to that user.
set -euo pipefail
BIN=/usr/lib/postgresql/15/bin

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

usage() { echo "usage: $0 start DIR PORT | stop DIR | psql DIR PORT [psql args] | halt DIR | resume DIR PORT" >&2; exit 2; }

# Loopback only, socket inside DIR, no durability needed for a throwaway cluster (unless
# PG_DURABLE=1).
serve() {
  local durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  [ "${PG_DURABLE:-0}" = 1 ] && durability=""
  as_owner "$BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $1 -k $dir $durability" \
    start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
}
[ $# -ge 2 ] || usage
cmd=$1
dir=$2

case "$cmd" in
start)
  [ $# -eq 3 ] || usage
  port=$3
  [ -x "$BIN/initdb" ] || { echo "PostgreSQL 15 is not installed ($BIN/initdb)" >&2; exit 1; }
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir"; fi
  as_owner "$BIN/initdb" -D "$dir/data" -A trust -U postgres --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  serve "$port"
  echo "postgresql://postgres@127.0.0.1:$port/postgres"
  ;;
stop)
  if [ -d "$dir/data" ]; then as_owner "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$dir"
  ;;
halt)
  as_owner "$BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  ;;
resume)
  [ $# -eq 3 ] || usage
  serve "$3"
  ;;
psql)
  [ $# -ge 3 ] || usage
  port=$3
  shift 3
  as_owner psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -q "$@"
  ;;
*) usage ;;
esac
