# Sourced by the load benchmarks (bench/api/run.sh, bench/soak/run.sh), from the repository root.
# bench_database BACKEND DIR prints the --db argument of a fresh durable database in DIR: a
# SQLite file, or a PostgreSQL 15 cluster started on a free loopback port with fsync and
# synchronous commit on (scripts/pg_temp.sh). bench_database_stop DIR stops that cluster.
bench_database() {
  case "$1" in
  sqlite) echo "$2/bench.db" ;;
  postgresql)
    local port
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    PG_DURABLE=1 scripts/pg_temp.sh start "$2/pg" "$port" ;;
  *) echo "backend: sqlite or postgresql" >&2; return 2 ;;
  esac
}

bench_database_stop() {
  [ -d "$1/pg" ] && scripts/pg_temp.sh stop "$1/pg" >/dev/null 2>&1 || true
}
