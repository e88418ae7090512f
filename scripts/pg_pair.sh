#!/usr/bin/env bash
# A throwaway PostgreSQL 15 primary with a synchronous streaming-replication standby, on
# loopback ports, for the HA test and benchmarks. Unlike scripts/pg_temp.sh this pair is
# durable: fsync on, synchronous_commit on, and a commit returns only once the standby has
# flushed it, so a promoted standby holds every acknowledged write.
#   scripts/pg_pair.sh start DIR PORT1 PORT2   primary on PORT1, standby on PORT2; prints a
#                                              multi-host URI that follows the writable one
#   scripts/pg_pair.sh crash DIR               SIGKILL the primary's postmaster (no shutdown)
#   scripts/pg_pair.sh promote DIR             make the standby the new primary
#   scripts/pg_pair.sh stop DIR                stop both and delete DIR
# As root (CI), server commands run as the `postgres` user, as in pg_temp.sh.
set -euo pipefail
BIN=/usr/lib/postgresql/15/bin

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
usage() { echo "usage: $0 start DIR PORT1 PORT2 | crash DIR | promote DIR | stop DIR" >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd=$1
dir=$2

case "$cmd" in
start)
  [ $# -eq 4 ] || usage
  p1=$3
  p2=$4
  [ -x "$BIN/initdb" ] || { echo "PostgreSQL 15 is not installed ($BIN/initdb)" >&2; exit 1; }
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir"; fi
  as_owner "$BIN/initdb" -D "$dir/primary" -A trust -U postgres -E UTF8 >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
  cat <<EOF | as_owner tee -a "$dir/primary/postgresql.conf" >/dev/null
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
synchronous_commit = on
synchronous_standby_names = 'standby1'
wal_level = replica
max_wal_senders = 4
EOF
  as_owner "$BIN/pg_ctl" -D "$dir/primary" -l "$dir/primary.log" -w -t 60 -o "-p $p1" start \
    >/dev/null || { cat "$dir/primary.log" >&2; exit 1; }
  # The standby starts from a base backup and streams from the primary under the name that
  # synchronous_standby_names waits for.
  as_owner "$BIN/pg_basebackup" -h 127.0.0.1 -p "$p1" -U postgres -D "$dir/standby" -R \
    -X stream >"$dir/basebackup.log" 2>&1 || { cat "$dir/basebackup.log" >&2; exit 1; }
  echo "primary_conninfo = 'host=127.0.0.1 port=$p1 user=postgres application_name=standby1'" |
    as_owner tee -a "$dir/standby/postgresql.auto.conf" >/dev/null
  as_owner "$BIN/pg_ctl" -D "$dir/standby" -l "$dir/standby.log" -w -t 60 -o "-p $p2" start \
    >/dev/null || { cat "$dir/standby.log" >&2; exit 1; }
  for _ in $(seq 1 100); do
    state=$(as_owner psql -h 127.0.0.1 -p "$p1" -U postgres -d postgres -Atc \
      "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby1'" || true)
    [ "$state" = sync ] && break
    sleep 0.1
  done
  [ "$state" = sync ] || { echo "standby did not become synchronous" >&2; cat "$dir/standby.log" >&2; exit 1; }
  echo "$p1 $p2" >"$dir/ports"
  echo "postgresql://postgres@127.0.0.1:$p1,127.0.0.1:$p2/postgres?target_session_attrs=read-write&connect_timeout=2"
  ;;
crash)
  kill -9 "$(head -1 "$dir/primary/postmaster.pid")"
  ;;
promote)
  # The new primary has no standby of its own: it must stop waiting for one, or every commit
  # would hang (a real deployment lets its HA manager, e.g. Patroni, decide this).
  as_owner "$BIN/pg_ctl" -D "$dir/standby" -w -t 60 promote >/dev/null
  p2=$(cut -d' ' -f2 "$dir/ports")
  as_owner psql -h 127.0.0.1 -p "$p2" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
    -c "ALTER SYSTEM SET synchronous_standby_names = ''" -c "SELECT pg_reload_conf()" >/dev/null
  ;;
stop)
  for d in primary standby; do
    if [ -f "$dir/$d/postmaster.pid" ]; then
      as_owner "$BIN/pg_ctl" -D "$dir/$d" -m immediate -w stop >/dev/null 2>&1 || true
    fi
  done
  rm -rf "$dir"
  ;;
*) usage ;;
esac
